"""The large demo's repair history: tens of thousands of tickets, in bulk.

Tickets are planned by `repair_script`, as in the small demo. Their parts go to the
stock plan as `PartUse`s, so a part is only used when the shelf had it, and its
ledger row sits in the product's history in time order (`large_plan`). Each ticket
is then played here into rows by the rules the repair services follow: the same
statuses, timeline entries and notes, labour and part lines, payments and refunds
in the payment ledger, release facts and warranty end. `bulk` inserts the rows.

Differences from the services: the audit trail gets one summary row per inserted
batch instead of one per action, and no ticket carries a device passcode (the
benchmark's keys are thrown away after each run, so a passcode could never be
shown).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, update

from jcicons.clock import shop_zone
from jcicons.customers.models import Customer, CustomerKind, CustomerPhone
from jcicons.demo.catalogue import ProductSpec
from jcicons.demo.common import local_moment
from jcicons.demo.inserts import continue_counter, insert_rows
from jcicons.demo.large_plan import PartUse
from jcicons.demo.repair_catalogue import PART_KINDS, PRICES, WARRANTY_DAYS
from jcicons.demo.repair_catalogue import part_kind_of as _part_kind
from jcicons.demo.repair_script import CLOSED_ON, Act, Planner, TicketPlan
from jcicons.demo.repairs import payment_input
from jcicons.demo.sales import BUSINESSES, demo_mobile, demo_name
from jcicons.demo.serials import SerialMaker
from jcicons.extensions import db
from jcicons.inventory.services import normalise_serial
from jcicons.money import format_pesos
from jcicons.numbering import next_number
from jcicons.repairs.models import (
    EstimateDecision,
    RepairEvent,
    RepairEventKind,
    RepairPart,
    RepairService,
    RepairStatus,
    RepairTicket,
)
from jcicons.sales.models import METHOD_LABELS, Payment, PaymentMethod

if TYPE_CHECKING:
    from jcicons.auth.models import User

# A new face brings in this share of the devices; the rest are returning customers.
NEW_CUSTOMER_SHARE = 0.45
BUSINESS_SHARE = 0.06

S = RepairStatus
K = RepairEventKind


@dataclass
class PlannedCustomer:
    """A customer the history needs, created at their first visit."""

    moment: datetime
    name: str
    phones: list[str]
    business_name: str = ""
    address: str = ""
    consent: bool = False

    @property
    def is_business(self) -> bool:
        """Return True for a business customer."""
        return bool(self.business_name)


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


@dataclass
class RepairHistory:
    """Every planned customer and ticket, before insertion."""

    customers: list[PlannedCustomer] = field(default_factory=list)
    tickets: list[BulkTicket] = field(default_factory=list)

    @property
    def uses(self) -> list[PartUse]:
        """Return every part the tickets ask the stock plan for."""
        return [use for t in self.tickets for use in t.part_uses if use is not None]


def _moments(rng: random.Random, start: date, end: date, count: int) -> list[datetime]:
    """Return `count` intake moments on open days from `start` up to `end`."""
    days = (end - start).days
    moments: list[datetime] = []
    while len(moments) < count:
        day = start + timedelta(days=rng.randrange(days))
        if (day.month, day.day) in CLOSED_ON:
            continue
        moments.append(local_moment(day, rng.randrange(9 * 60, 18 * 60 + 30)))
    return sorted(moments)


class _PartPicker:
    """Choose, for a kind of part and a device, a product of the catalogue."""

    def __init__(self, specs: list[ProductSpec]) -> None:
        self.by_kind: dict[str, list[int]] = {kind: [] for kind in PART_KINDS}
        self.specs = specs
        for index, spec in enumerate(specs):
            kind = _part_kind(spec)
            if kind:
                self.by_kind[kind].append(index)
        self._fitting: dict[tuple[str, str, str], list[int]] = {}

    def pick(self, rng: random.Random, kind: str, fits: str, brand: str) -> int | None:
        """Return a product of the kind, one made for the device when there is."""
        key = (kind, fits, brand)
        if key not in self._fitting:
            self._fitting[key] = [
                i
                for i in self.by_kind[kind]
                if (fits and fits in self.specs[i].name)
                or (brand and brand in self.specs[i].name.split())
            ]
        choices = self._fitting[key] or self.by_kind[kind]
        return rng.choice(choices) if choices else None


def plan_repair_history(
    rng: random.Random,
    specs: list[ProductSpec],
    start: date,
    end: date,
    count: int,
    technicians: int,
    cutoff: datetime,
) -> RepairHistory:
    """Plan `count` tickets (and the comebacks they lead to) with their customers."""
    history = RepairHistory()
    planner = Planner(rng, SerialMaker(rng), technicians, cutoff)
    picker = _PartPicker(specs)
    phones: set[str] = set()
    for moment in _moments(rng, start, end, count):
        if not history.customers or rng.random() < NEW_CUSTOMER_SHARE:
            history.customers.append(_new_customer(rng, moment, phones))
            customer = len(history.customers) - 1
        else:
            customer = rng.randrange(len(history.customers))
        person = history.customers[customer]
        plan = planner.ticket(moment, person.name, person.is_business)
        history.tickets.append(BulkTicket(plan, customer))
        for step in plan.steps:
            if step.act == Act.COMEBACK:
                back = planner.comeback(plan, step.moment, step.text, person.name)
                history.tickets.append(
                    BulkTicket(back, customer, original=len(history.tickets) - 1)
                )
    for index, ticket in enumerate(history.tickets):
        device = ticket.plan.device
        for step in ticket.plan.steps:
            if step.act != Act.PART:
                continue
            product = picker.pick(rng, step.value, device.fits, device.brand)
            ticket.part_uses.append(
                None if product is None else PartUse(step.moment, product, 1, index)
            )
    _number(history)
    return history


def _new_customer(
    rng: random.Random, moment: datetime, phones: set[str]
) -> PlannedCustomer:
    name = demo_name(rng, middle=True)
    if rng.random() < BUSINESS_SHARE:
        business, city = rng.choice(BUSINESSES)
        branch = f"{business} - {rng.choice(('Main', 'Branch 2', 'Warehouse'))}"
        return PlannedCustomer(
            moment,
            name,
            [demo_mobile(rng, phones)],
            business_name=branch,
            address=f"{rng.randint(1, 250)} Rizal Avenue, {city}",
        )
    return PlannedCustomer(
        moment, name, [demo_mobile(rng, phones)], consent=rng.random() < 0.5
    )


def _number(history: RepairHistory) -> None:
    """Number the tickets in intake order, per year in the shop's time zone."""
    order = sorted(
        range(len(history.tickets)), key=lambda i: (history.tickets[i].plan.moment, i)
    )
    per_year: dict[int, int] = {}
    for index in order:
        ticket = history.tickets[index]
        year = ticket.plan.moment.astimezone(shop_zone()).year
        per_year[year] = per_year.get(year, 0) + 1
        ticket.number = f"RT-{year}-{per_year[year]:05d}"


def years_used(history: RepairHistory) -> dict[int, int]:
    """Return how many tickets each year's counter hands out."""
    counts: dict[int, int] = {}
    for ticket in history.tickets:
        year = int(ticket.number.split("-")[1])
        counts[year] = counts.get(year, 0) + 1
    return counts


def renumber_year(history: RepairHistory, year: int, first: int) -> None:
    """Shift one year's numbers to start at `first` (after tickets already there),
    and put each ticket's number on the ledger rows of its parts."""
    for ticket in history.tickets:
        _, numbered, number = ticket.number.split("-")
        if int(numbered) != year:
            continue
        ticket.number = f"RT-{year}-{int(number) + first - 1:05d}"
        for use in ticket.part_uses:
            if use is not None:
                use.note = ticket.number


# Playing a ticket into rows -------------------------------------------------------


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

    def play(self, history: RepairHistory, ticket: BulkTicket) -> None:
        """Build the ticket's row and its lines, events and payments."""
        plan = ticket.plan
        original = (
            history.tickets[ticket.original] if ticket.original is not None else None
        )
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


def customer_rows(
    history: RepairHistory, actor: User, first_code: int
) -> list[dict[str, Any]]:
    """Return the customers' rows, coded from `first_code` on."""
    rows = []
    for offset, person in enumerate(history.customers):
        rows.append(
            {
                "code": f"C-{first_code + offset:06d}",
                "kind": (
                    CustomerKind.BUSINESS.value
                    if person.is_business
                    else CustomerKind.INDIVIDUAL.value
                ),
                "name": person.name,
                "business_name": person.business_name,
                "email": None,
                "address": person.address,
                "tin": "",
                "credit_limit_centavos": 0,
                "has_contact_consent": person.consent,
                "contact_consent_at": person.moment if person.consent else None,
                "merged_into_id": None,
                "created_by_id": actor.id,
                "created_at": person.moment,
                "updated_at": person.moment,
            }
        )
    return rows


# Inserting the history --------------------------------------------------------------


def claim_ticket_numbers(history: RepairHistory) -> None:
    """Take the history's ticket numbers from the per-year counters, as intake does."""
    for year, count in sorted(years_used(history).items()):
        key = f"repair_ticket:{year}"
        first = next_number(key)
        continue_counter(key, first + count - 1)
        renumber_year(history, year, first)


def insert_repair_history(
    history: RepairHistory,
    player: TicketPlayer,
    product_ids: list[int],
    actor: User,
) -> list[int]:
    """Play and insert every customer and ticket; return the tickets' ids in order."""
    first_code = next_number("customer")
    continue_counter("customer", first_code + len(history.customers) - 1)
    customer_ids = insert_rows(
        Customer, customer_rows(history, actor, first_code), actor, key="code"
    )
    phones = [
        {"customer_id": customer_ids[index], "number": number, "created_at": c.moment}
        for index, c in enumerate(history.customers)
        for number in c.phones
    ]
    insert_rows(CustomerPhone, phones, actor)

    for ticket in history.tickets:
        player.play(history, ticket)
    order = sorted(
        range(len(history.tickets)), key=lambda i: history.tickets[i].plan.moment
    )
    rows = []
    for index in order:
        ticket = history.tickets[index]
        rows.append({**ticket.row, "customer_id": customer_ids[ticket.customer]})
    inserted = insert_rows(RepairTicket, rows, actor, key="number")
    ticket_ids = [0] * len(history.tickets)
    for index, ticket_id in zip(order, inserted, strict=True):
        ticket_ids[index] = ticket_id
    _link_comebacks(history, ticket_ids)
    _insert_lines(history, ticket_ids, product_ids, actor)
    return ticket_ids


def _link_comebacks(history: RepairHistory, ticket_ids: list[int]) -> None:
    links = [
        {"ticket": ticket_ids[index], "original": ticket_ids[ticket.original]}
        for index, ticket in enumerate(history.tickets)
        if ticket.original is not None
    ]
    if not links:
        return
    table = RepairTicket.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("ticket"))
        .values(original_ticket_id=bindparam("original")),
        links,
    )


def _insert_lines(
    history: RepairHistory,
    ticket_ids: list[int],
    product_ids: list[int],
    actor: User,
) -> None:
    """Insert labour and part lines, timeline entries and payments, oldest first."""
    services, parts, events, payments = [], [], [], []
    for index, ticket in enumerate(history.tickets):
        ticket_id = ticket_ids[index]
        services += [{**line, "ticket_id": ticket_id} for line in ticket.services]
        for part in ticket.parts:
            row = {k: v for k, v in part.items() if k != "product"}
            parts.append(
                {
                    **row,
                    "ticket_id": ticket_id,
                    "product_id": product_ids[part["product"]],
                }
            )
        events += [{**event, "ticket_id": ticket_id} for event in ticket.events]
        payments += [
            {**payment, "repair_ticket_id": ticket_id} for payment in ticket.payments
        ]
    for rows in (services, parts, events, payments):
        rows.sort(key=lambda row: row["created_at"])
    insert_rows(RepairService, services, actor)
    insert_rows(RepairPart, parts, actor)
    insert_rows(RepairEvent, events, actor)
    insert_rows(Payment, payments, actor)
