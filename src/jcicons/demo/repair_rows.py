"""Planned repair tickets played into rows, by the rules the repair services follow.

For the large demo (`repair_bulk`): each step of a plan writes what its service
would (`create_ticket`, `take_ticket`, `change_status`, `set_diagnosis`,
`add_service`, `add_part`, `record_estimate_decision`, `set_discount`,
`waive_charges`, `take_payment`, `refund_overpayment`, `release_ticket`): the
ticket's fields, timeline entries with the same notes, labour and part lines,
payment ledger rows, release facts and the warranty end. The money is worked out
as `ticket_figures` does. A part step writes a part line only when the stock plan
granted its `PartUse`.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from jcicons.clock import shop_zone
from jcicons.demo.catalogue import ProductSpec
from jcicons.demo.large_plan import PartUse
from jcicons.demo.repair_catalogue import PRICES, WARRANTY_DAYS
from jcicons.demo.repair_script import Act, TicketPlan
from jcicons.demo.repairs import payment_input
from jcicons.inventory.services import normalise_serial
from jcicons.money import format_pesos
from jcicons.repairs.models import EstimateDecision, RepairEventKind, RepairStatus
from jcicons.sales.models import METHOD_LABELS, PaymentMethod

S = RepairStatus
K = RepairEventKind


@dataclass
class Staff:
    """Who works the tickets: the counter (the acting ADMIN) and the technicians."""

    actor_id: int
    technicians: list[tuple[int, str, bool]]  # (user id, name, is a TECH)


@dataclass
class BulkTicket:
    """One ticket as it will be inserted: its row and its lines, events, payments."""

    plan: TicketPlan
    customer: int
    number: str = ""
    row: dict[str, Any] = field(default_factory=dict)
    services: list[dict[str, Any]] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    # One entry per planned part step: None when the catalogue has no such part.
    part_uses: list[PartUse | None] = field(default_factory=list)
    original: int | None = None
    original_warranty: date | None = None
    paid: int = 0


class TicketPlayer:
    """Play planned tickets into rows by the repair services' rules."""

    def __init__(
        self,
        rng: random.Random,
        staff: Staff,
        service_ids: dict[str, int],
        specs: list[ProductSpec],
        skus: list[str],
        prices: list[int],
    ) -> None:
        self.rng = rng
        self.staff = staff
        self.service_ids = service_ids
        self.specs = specs
        self.skus = skus
        self.prices = prices

    def play(self, ticket: BulkTicket, original: BulkTicket | None = None) -> None:
        """Build the ticket's row and its lines, events and payments; a comeback's
        `original` must have been played first."""
        plan = ticket.plan
        if original is not None:
            ticket.original_warranty = original.row["warranty_until"]
        self._intake(ticket, original)
        technician = plan.technician
        uses = iter(ticket.part_uses)
        for step in plan.steps:
            at = step.moment
            ticket.row["updated_at"] = at
            if step.act in {Act.ASSIGN, Act.REASSIGN}:
                technician = int(step.value)
                self._assign(ticket, technician, step.act, at)
            elif step.act == Act.PART:
                use = next(uses, None)
                self._part(ticket, use, technician, at)
            elif step.act in {Act.STATUS, Act.DIAGNOSIS, Act.LABOUR, Act.TECH_NOTE}:
                self._work(ticket, step.act, step.value, step.text, technician, at)
            else:
                self._counter(ticket, step.act, step.value, step.text, step.amount, at)

    # What the intake writes --------------------------------------------------------

    def _intake(self, ticket: BulkTicket, original: BulkTicket | None) -> None:
        plan = ticket.plan
        actor = self.staff.actor_id
        at = plan.moment
        tech_id = (
            self.staff.technicians[plan.technician][0]
            if plan.technician is not None
            else None
        )
        ticket.row = {
            "number": ticket.number,
            "status_token": secrets.token_urlsafe(24),
            "status": S.RECEIVED.value,
            "device_type": plan.device.device_type,
            "device_name": plan.device.name,
            "brand": plan.device.brand,
            "model": plan.device.model,
            "serial_number": normalise_serial(plan.serial),
            "accessories": plan.accessories,
            "accessories_note": plan.accessories_note,
            "condition": plan.condition,
            "condition_notes": plan.condition_notes,
            "passcode_encrypted": None,
            "problem": plan.problem,
            "diagnosis": "",
            "priority": plan.priority,
            "promised_date": plan.promised_date,
            "diagnostic_fee_centavos": plan.fee_centavos,
            "discount_centavos": 0,
            "waived_centavos": 0,
            "waive_reason": "",
            "technician_id": tech_id,
            "estimate_decision": EstimateDecision.PENDING.value,
            "estimate_requested_at": None,
            "estimate_decided_at": None,
            "estimate_decided_by_id": None,
            "estimate_note": "",
            "warranty_until": None,
            "ready_at": None,
            "released_at": None,
            "released_by_id": None,
            "released_to_name": "",
            "released_to_id_shown": "",
            "final_charges_centavos": None,
            "released_on_credit": False,
            "credit_reason": "",
            "created_by_id": actor,
            "created_at": at,
            "updated_at": at,
        }
        for name in plan.asked:
            self._line(ticket, name, PRICES[name], WARRANTY_DAYS[name], at)
        if original is not None:
            for done in original.services:
                self._line(ticket, done["name"], 0, done["warranty_days"], at)
        self._event(ticket, K.STATUS, at, actor, to=S.RECEIVED, note="Ticket opened.")
        if tech_id is not None:
            self._event(ticket, K.ASSIGNED, at, actor, technician=tech_id)
        if plan.deposit is not None:
            method, amount = plan.deposit
            self._pay(ticket, method, amount, at, "Deposit at intake")

    def _line(
        self, ticket: BulkTicket, name: str, price: int, days: int, at: datetime
    ) -> None:
        ticket.services.append(
            {
                "service_type_id": self.service_ids[name],
                "name": name,
                "price_centavos": price,
                "warranty_days": days,
                "removed_at": None,
                "added_by_id": self.staff.actor_id,
                "created_at": at,
            }
        )

    # The technician's steps ------------------------------------------------------

    def _tech(self, technician: int | None) -> tuple[int, str, bool]:
        return self.staff.technicians[technician or 0]

    def _assign(
        self, ticket: BulkTicket, technician: int, act: Act, at: datetime
    ) -> None:
        user_id, name, is_tech = self.staff.technicians[technician]
        taken = act == Act.ASSIGN and is_tech and ticket.row["technician_id"] is None
        ticket.row["technician_id"] = user_id
        if taken:
            self._event(
                ticket,
                K.ASSIGNED,
                at,
                user_id,
                technician=user_id,
                note=f"Taken by {name}.",
            )
        else:
            self._event(
                ticket,
                K.ASSIGNED,
                at,
                self.staff.actor_id,
                technician=user_id,
                note=f"Assigned to {name}.",
            )

    def _work(
        self,
        ticket: BulkTicket,
        act: Act,
        value: str,
        text: str,
        technician: int | None,
        at: datetime,
    ) -> None:
        row = ticket.row
        tech_id = self._tech(technician)[0]
        if act == Act.STATUS:
            before = row["status"]
            row["status"] = value
            if value == S.READY:
                row["ready_at"] = at
            if value == S.WAITING_APPROVAL:
                row["estimate_requested_at"] = at
                row["estimate_decision"] = EstimateDecision.PENDING.value
            self._event(ticket, K.STATUS, at, tech_id, before, value, note=text)
        elif act == Act.DIAGNOSIS:
            row["diagnosis"] = text
            self._event(ticket, K.NOTE, at, tech_id, note=f"Diagnosis: {text}")
        elif act == Act.LABOUR:
            self._line(ticket, value, PRICES[value], WARRANTY_DAYS[value], at)
            ticket.services[-1]["added_by_id"] = tech_id
            note = f"Labour added: {value} at {format_pesos(PRICES[value])}."
            self._event(ticket, K.SERVICE, at, tech_id, note=note)
        else:
            self._event(ticket, K.NOTE, at, tech_id, note=text)

    def _part(
        self,
        ticket: BulkTicket,
        use: PartUse | None,
        technician: int | None,
        at: datetime,
    ) -> None:
        tech_id = self._tech(technician)[0]
        if use is None or not use.granted:
            note = "No stock: the customer brought the part."
            self._event(ticket, K.NOTE, at, tech_id, note=note)
            return
        name = self.specs[use.product].name[:160]
        ticket.parts.append(
            {
                "product": use.product,
                "sku": self.skus[use.product],
                "description": name,
                "quantity": use.quantity,
                "unit_price_centavos": self.prices[use.product],
                "unit_cost_centavos": use.unit_cost_centavos,
                "serial_unit_id": None,
                "added_by_id": tech_id,
                "created_at": at,
                "removed_at": None,
                "removed_by_id": None,
            }
        )
        note = f"Part used: {use.quantity} x {name}."
        self._event(ticket, K.PART, at, tech_id, note=note)

    # The counter's steps ---------------------------------------------------------

    def _counter(
        self,
        ticket: BulkTicket,
        act: Act,
        value: str,
        text: str,
        amount: int,
        at: datetime,
    ) -> None:
        row, actor = ticket.row, self.staff.actor_id
        if act == Act.NOTE:
            self._event(ticket, K.NOTE, at, actor, note=text)
        elif act == Act.ESTIMATE:
            row["estimate_requested_at"] = row["estimate_requested_at"] or at
            row["estimate_decision"] = value
            row["estimate_decided_at"] = at
            row["estimate_decided_by_id"] = actor
            row["estimate_note"] = text
            word = "approved" if value == EstimateDecision.APPROVED else "declined"
            estimate = format_pesos(self._charges(ticket))
            said = f"Customer {word} the estimate of {estimate}."
            self._event(ticket, K.ESTIMATE, at, actor, note=f"{said} {text}".strip())
        elif act == Act.DISCOUNT:
            gross = self._gross(ticket)
            amount = min(amount, gross)
            if amount > 0:
                row["discount_centavos"] = amount
                note = f"Discount set to {format_pesos(amount)}."
                self._event(ticket, K.CHARGES, at, actor, note=note)
        elif act == Act.WAIVE:
            self._waive(ticket, text, at)
        elif act in {Act.SETTLE, Act.COLLECT}:
            balance = self._charges(ticket) - ticket.paid
            if balance > 0:
                self._pay(ticket, value, balance, at, "Payment")
            elif balance < 0 and act == Act.SETTLE:
                self._refund(ticket, -balance, at, "Refund of overpayment")
        elif act == Act.RELEASE:
            self._release(ticket, value, text, at, on_credit=False, reason="")
        elif act == Act.RELEASE_ON_CREDIT:
            balance = self._charges(ticket) - ticket.paid
            if balance < 0:
                self._refund(ticket, -balance, at, "Refund of overpayment")
            self._release(ticket, value, "Company ID", at, balance > 0, text)

    def _gross(self, ticket: BulkTicket) -> int:
        labour = sum(s["price_centavos"] for s in ticket.services)
        parts = sum(p["unit_price_centavos"] * p["quantity"] for p in ticket.parts)
        return int(ticket.row["diagnostic_fee_centavos"]) + labour + parts

    def _charges(self, ticket: BulkTicket) -> int:
        row = ticket.row
        less = row["discount_centavos"] + row["waived_centavos"]
        return max(self._gross(ticket) - less, 0)

    def _waive(self, ticket: BulkTicket, reason: str, at: datetime) -> None:
        charges = self._charges(ticket)
        if charges <= 0:
            return
        ticket.row["waived_centavos"] += charges
        ticket.row["waive_reason"] = reason
        overpaid = ticket.paid - self._charges(ticket)
        if overpaid > 0:
            self._refund(ticket, overpaid, at, f"Refund after waiver: {reason}")
        note = f"{format_pesos(charges)} waived: {reason}" + (
            f" Refunded {format_pesos(overpaid)}." if overpaid > 0 else ""
        )
        self._event(ticket, K.CHARGES, at, self.staff.actor_id, note=note)

    def _release(
        self,
        ticket: BulkTicket,
        name: str,
        id_shown: str,
        at: datetime,
        on_credit: bool,
        reason: str,
    ) -> None:
        row = ticket.row
        before = row["status"]
        day = at.astimezone(shop_zone()).date()
        days = max((s["warranty_days"] for s in ticket.services), default=0)
        if ticket.original is not None:
            row["warranty_until"] = ticket.original_warranty
        elif before == S.READY and days:
            row["warranty_until"] = day + timedelta(days=days)
        charges = self._charges(ticket)
        balance = charges - ticket.paid
        row.update(
            status=S.RELEASED.value,
            released_at=at,
            released_by_id=self.staff.actor_id,
            released_to_name=name,
            released_to_id_shown=id_shown,
            final_charges_centavos=charges,
            released_on_credit=on_credit,
            credit_reason=reason if on_credit else "",
        )
        credit = f" on credit ({format_pesos(balance)}): {reason}" if on_credit else ""
        self._event(
            ticket,
            K.STATUS,
            at,
            self.staff.actor_id,
            before,
            S.RELEASED.value,
            note=f"Released to {name}{credit}.",
        )

    # Money and the timeline ------------------------------------------------------

    def _pay(
        self, ticket: BulkTicket, method: str, amount: int, at: datetime, note: str
    ) -> None:
        money = payment_input(self.rng, method, amount)
        change = None
        if money.method == PaymentMethod.CASH and money.tendered_centavos is not None:
            change = money.tendered_centavos - amount
        ticket.payments.append(
            {
                "amount_centavos": amount,
                "method": money.method.value,
                "reference": money.reference,
                "tendered_centavos": money.tendered_centavos,
                "change_centavos": change,
                "note": note,
                "received_by_id": self.staff.actor_id,
                "created_at": at,
            }
        )
        ticket.paid += amount
        label = METHOD_LABELS[money.method]
        self._event(
            ticket,
            K.PAYMENT,
            at,
            self.staff.actor_id,
            note=f"{note}: {format_pesos(amount)} by {label}.",
        )

    def _refund(self, ticket: BulkTicket, amount: int, at: datetime, note: str) -> None:
        ticket.payments.append(
            {
                "amount_centavos": -amount,
                "method": PaymentMethod.CASH.value,
                "reference": "",
                "tendered_centavos": None,
                "change_centavos": None,
                "note": note[:200],
                "received_by_id": self.staff.actor_id,
                "created_at": at,
            }
        )
        ticket.paid -= amount
        self._event(
            ticket,
            K.PAYMENT,
            at,
            self.staff.actor_id,
            note=f"{note}: {format_pesos(amount)} back by Cash.",
        )

    @staticmethod
    def _event(
        ticket: BulkTicket,
        kind: RepairEventKind,
        at: datetime,
        actor: int,
        before: str | None = None,
        to: str | None = None,
        *,
        technician: int | None = None,
        note: str = "",
    ) -> None:
        ticket.events.append(
            {
                "kind": kind.value,
                "from_status": before,
                "to_status": to,
                "technician_id": technician,
                "note": note[:2000],
                "actor_id": actor,
                "created_at": at,
            }
        )
