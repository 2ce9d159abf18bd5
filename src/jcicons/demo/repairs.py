"""Repair tickets for the small demo shop, through the real repair services.

Each planned ticket (`repair_script`) is opened with `create_ticket`, customers new
to the shop are quick-created by mobile number with `intake_customer`, and every
later step runs through its service (`change_status`, `add_service`, `add_part`,
`record_estimate_decision`, `take_payment`, `release_ticket`, `open_comeback`,
...) with the shop clock set to its moment. Parts therefore leave stock through
the ledger, money goes through the payment ledger, and the timeline and audit
trail are what the repair screens would have written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from jcicons.clock import frozen_at
from jcicons.customers.models import Customer, CustomerKind, CustomerPhone
from jcicons.demo.catalogue import ProductSpec
from jcicons.demo.common import DEMO_USERS
from jcicons.demo.repair_catalogue import SERVICE_CATALOGUE, part_kind_of
from jcicons.demo.repair_script import Act, Planner, Step, TicketPlan
from jcicons.demo.sales import demo_mobile, demo_name
from jcicons.demo.serials import SerialMaker
from jcicons.extensions import db
from jcicons.inventory.models import Product
from jcicons.repairs import services
from jcicons.repairs.models import (
    DeviceType,
    EstimateDecision,
    Priority,
    RepairStatus,
    RepairTicket,
    ServiceType,
)
from jcicons.sales.models import PaymentMethod
from jcicons.sales.services import PaymentInput
from jcicons.settings.services import current_settings

if TYPE_CHECKING:
    from jcicons.auth.models import User

# Of the people who bring a device in, this share already are customers.
RETURNING_SHARE = 0.4


@dataclass
class RepairVisit:
    """A moment at which someone brings a device in."""

    moment: datetime


@dataclass
class RepairStep:
    """A planned step of one ticket, due at its moment."""

    moment: datetime
    ticket: int  # the desk's index of the ticket
    step: Step


def ensure_service_types(actor: User) -> dict[str, int]:
    """Return the service catalogue's ids by name, adding the services it lacks."""
    existing = {
        service.name.lower(): service.id
        for service in db.session.scalars(select(ServiceType))
    }
    catalogue = {}
    for name, pesos, days in SERVICE_CATALOGUE:
        service_id = existing.get(name.lower())
        if service_id is None:
            data = services.ServiceTypeData(name, pesos * 100, days)
            service_id = services.create_service_type(data, actor).id
        catalogue[name] = service_id
    return catalogue


def demo_technicians(actor: User) -> list[User]:
    """Return the demo's active TECH accounts, or the acting ADMIN when none exist."""
    from jcicons.auth.models import User

    names = [username for username, _, role in DEMO_USERS if role == "TECH"]
    found = db.session.scalars(
        select(User)
        .where(
            User.username.in_(names),
            User.role == "TECH",
            User.is_active.is_(True),
        )
        .order_by(User.id)
    ).all()
    return list(found) or [actor]


def payment_input(rng: random.Random, method: str, amount: int) -> PaymentInput:
    """Return money handed over by `method`, with a reference or cash tendered."""
    kind = PaymentMethod(method)
    if kind == PaymentMethod.CASH:
        step = rng.choice((1, 100_00, 500_00, 1_000_00))
        return PaymentInput(kind, amount, tendered_centavos=-(-amount // step) * step)
    digits = f"{rng.randrange(10**13):013d}"
    reference = {
        PaymentMethod.CARD: f"AUTH {digits[:6]}",
        PaymentMethod.BANK_TRANSFER: f"BPI-{digits[:10]}",
    }.get(kind, digits)
    return PaymentInput(kind, amount, reference)


class RepairDesk:
    """Open the planned tickets and play their steps through the repair services."""

    def __init__(
        self,
        rng: random.Random,
        actor: User,
        technicians: list[User],
        customers: list[Customer],
        products: list[Product],
        specs: list[ProductSpec],
        cutoff: datetime,
    ) -> None:
        self.rng = rng
        self.actor = actor
        self.technicians = technicians
        self.catalogue = ensure_service_types(actor)
        self.settings = current_settings()
        maker = SerialMaker(rng)
        self.planner = Planner(rng, maker, len(technicians), cutoff)
        self.parts: dict[str, list[tuple[int, str]]] = {}
        for product, spec in zip(products, specs, strict=True):
            kind = part_kind_of(spec)
            if kind:
                self.parts.setdefault(kind, []).append((product.id, spec.name))
        # (id, name, is a business) of everyone who may bring a device in.
        self.customers = [
            (c.id, c.name, c.kind != CustomerKind.INDIVIDUAL) for c in customers
        ]
        self.phones = set(db.session.scalars(select(CustomerPhone.number)))
        self.plans: list[TicketPlan] = []
        self.ticket_ids: list[int] = []
        self.customer_of: list[tuple[int, str, bool]] = []
        self.working: list[User] = []

    # Intake ----------------------------------------------------------------------

    def visit(self, visit: RepairVisit) -> list[RepairStep]:
        """Open a ticket at the counter; return the steps planned for it."""
        with frozen_at(visit.moment):
            customer = self._customer()
            plan = self.planner.ticket(visit.moment, customer[1], customer[2])
            technician = (
                self.technicians[plan.technician]
                if plan.technician is not None
                else None
            )
            data = services.IntakeData(
                customer_id=customer[0],
                device_type=DeviceType(plan.device.device_type),
                problem=plan.problem,
                device_name=plan.device.name,
                brand=plan.device.brand,
                model=plan.device.model,
                serial_number=plan.serial,
                accessories=plan.accessories,
                accessories_note=plan.accessories_note,
                condition=plan.condition,
                condition_notes=plan.condition_notes,
                passcode=plan.passcode,
                service_type_ids=[self.catalogue[name] for name in plan.asked],
                priority=Priority(plan.priority),
                promised_date=plan.promised_date,
                diagnostic_fee_centavos=plan.fee_centavos,
                deposit=self._deposit(plan),
                technician_id=technician.id if technician else None,
                allow_duplicate_serial=True,
            )
            ticket = services.create_ticket(data, self.actor)
            # Timeline rows take their time when flushed: flush at this moment.
            db.session.flush()
        return self._remember(plan, ticket, customer, technician)

    def _remember(
        self,
        plan: TicketPlan,
        ticket: RepairTicket,
        customer: tuple[int, str, bool],
        technician: User | None,
    ) -> list[RepairStep]:
        key = len(self.plans)
        self.plans.append(plan)
        self.ticket_ids.append(ticket.id)
        self.customer_of.append(customer)
        self.working.append(technician or self.technicians[0])
        return [RepairStep(step.moment, key, step) for step in plan.steps]

    def _customer(self) -> tuple[int, str, bool]:
        """Return a returning customer, or quick-create one by mobile number."""
        if self.customers and self.rng.random() < RETURNING_SHARE:
            return self.rng.choice(self.customers)
        name = demo_name(self.rng, middle=self.rng.random() < 0.3)
        mobile = demo_mobile(self.rng, self.phones)
        customer, _ = services.intake_customer(name, mobile, self.actor)
        found = (customer.id, customer.name, False)
        self.customers.append(found)
        return found

    def _deposit(self, plan: TicketPlan) -> PaymentInput | None:
        if plan.deposit is None:
            return None
        method, amount = plan.deposit
        return payment_input(self.rng, method, amount)

    # Later steps -------------------------------------------------------------------

    def step(self, due: RepairStep) -> list[RepairStep]:
        """Carry out one step at its moment; a comeback returns the new ticket's."""
        with frozen_at(due.moment):
            ticket = db.session.get(RepairTicket, self.ticket_ids[due.ticket])
            if ticket is None:
                return []
            if due.step.act == Act.COMEBACK:
                later = self._comeback(due, ticket)
            else:
                self._play(due.ticket, ticket, due.step)
                later = []
            # Timeline rows take their time when flushed: flush at this moment.
            db.session.flush()
        return later

    def _play(self, key: int, ticket: RepairTicket, step: Step) -> None:
        act, actor = step.act, self.actor
        tech = self.working[key]
        if act in {Act.ASSIGN, Act.REASSIGN}:
            self._assign(key, ticket, self.technicians[int(step.value)], act)
        elif act == Act.STATUS:
            services.change_status(ticket, RepairStatus(step.value), tech, step.text)
        elif act == Act.DIAGNOSIS:
            services.set_diagnosis(ticket, step.text, tech)
        elif act == Act.LABOUR:
            services.add_service(ticket, self.catalogue[step.value], tech)
        elif act == Act.PART:
            self._part(key, ticket, step.value, tech)
        elif act == Act.TECH_NOTE:
            services.add_note(ticket, step.text, tech)
        elif act == Act.NOTE:
            services.add_note(ticket, step.text, actor)
        elif act == Act.ESTIMATE:
            decision = EstimateDecision(step.value)
            services.record_estimate_decision(ticket, decision, actor, step.text)
        elif act == Act.DISCOUNT:
            figures = services.ticket_figures(ticket)
            gross = figures.charges_centavos + figures.discount_centavos
            amount = min(step.amount, gross)
            if amount > 0:
                services.set_discount(ticket, amount, actor, self.settings)
        elif act == Act.WAIVE:
            charges = services.ticket_figures(ticket).charges_centavos
            if charges > 0:
                refund = PaymentInput(PaymentMethod.CASH, 0)
                services.waive_charges(ticket, charges, step.text, actor, refund)
        else:
            self._counter(ticket, step)

    def _counter(self, ticket: RepairTicket, step: Step) -> None:
        """Settle, release (on credit for some businesses) and collect."""
        actor = self.actor
        balance = services.ticket_figures(ticket).balance_centavos
        if step.act in {Act.SETTLE, Act.COLLECT} and balance > 0:
            money = payment_input(self.rng, step.value, balance)
            services.take_payment(ticket, money, actor)
        elif step.act == Act.SETTLE and balance < 0:
            services.refund_overpayment(
                ticket, PaymentInput(PaymentMethod.CASH, 0), actor
            )
        elif step.act == Act.RELEASE:
            services.release_ticket(ticket, step.value, step.text, actor)
        elif step.act == Act.RELEASE_ON_CREDIT:
            if balance < 0:
                services.refund_overpayment(
                    ticket, PaymentInput(PaymentMethod.CASH, 0), actor
                )
            services.release_ticket(
                ticket,
                step.value,
                "Company ID",
                actor,
                on_credit=balance > 0,
                credit_reason=step.text,
            )

    def _assign(self, key: int, ticket: RepairTicket, tech: User, act: Act) -> None:
        if act == Act.ASSIGN and tech.role == "TECH" and ticket.technician_id is None:
            services.take_ticket(ticket, tech)
        else:
            services.assign_technician(ticket, tech.id, self.actor)
        self.working[key] = tech

    def _part(self, key: int, ticket: RepairTicket, kind: str, tech: User) -> None:
        """Use a part that fits from stock; else the customer brought their own."""
        choices = self.parts.get(kind, [])
        device = self.plans[key].device
        in_stock = set(
            db.session.scalars(
                select(Product.id).where(
                    Product.id.in_([product_id for product_id, _ in choices]),
                    Product.on_hand >= 1,
                    Product.is_archived.is_(False),
                )
            )
        )
        usable = [(i, name) for i, name in choices if i in in_stock]
        fitting = [
            (i, name)
            for i, name in usable
            if (device.fits and device.fits in name) or device.brand in name.split()
        ]
        if not usable:
            services.add_note(ticket, "No stock: the customer brought the part.", tech)
            return
        product_id, _ = self.rng.choice(fitting or usable)
        services.add_part(ticket, product_id, 1, tech)

    def _comeback(self, due: RepairStep, original: RepairTicket) -> list[RepairStep]:
        """Open a warranty comeback of a released ticket; plan its steps."""
        if original.status != RepairStatus.RELEASED or original.warranty_until is None:
            return []
        new = services.open_comeback(original, due.step.text, self.actor)
        customer = self.customer_of[due.ticket]
        plan = self.planner.comeback(
            self.plans[due.ticket], due.moment, due.step.text, customer[1]
        )
        return self._remember(plan, new, customer, None)
