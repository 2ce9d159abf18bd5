"""The large demo's repair history: tens of thousands of tickets, in bulk.

Tickets are planned by `repair_script`, as in the small demo, for customers planned
here. Their parts go to the stock plan as `PartUse`s, so a part is only used when
the shelf had it, and its ledger row sits in the product's history in time order
(`large_plan`). Each ticket is then played into rows by the rules the repair
services follow (`repair_rows`) and inserted here, oldest first; `bulk` runs it
all.

Differences from the services: the audit trail gets one summary row per inserted
batch instead of one per action, and no ticket carries a device passcode (the
benchmark's keys are thrown away after each run, so a passcode could never be
shown).
"""

from __future__ import annotations

import random
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
from jcicons.demo.repair_catalogue import PART_KINDS, part_kind_of
from jcicons.demo.repair_rows import BulkTicket, TicketPlayer
from jcicons.demo.repair_script import CLOSED_ON, Act, Planner
from jcicons.demo.sales import BUSINESSES, demo_mobile, demo_name
from jcicons.demo.serials import SerialMaker
from jcicons.extensions import db
from jcicons.numbering import next_number
from jcicons.repairs.models import RepairEvent, RepairPart, RepairService, RepairTicket
from jcicons.repairs.services.rules import TICKET_COUNTER, TICKET_PREFIX
from jcicons.sales.models import Payment

if TYPE_CHECKING:
    from jcicons.auth.models import User

# A new face brings in this share of the devices; the rest are returning customers.
NEW_CUSTOMER_SHARE = 0.45
BUSINESS_SHARE = 0.06


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
            kind = part_kind_of(spec)
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
    # Comebacks are planned after every first visit: which of them happened by
    # now depends on the hour, and the first visits should not.
    for index, ticket in enumerate(list(history.tickets)):
        name = history.customers[ticket.customer].name
        for step in ticket.plan.steps:
            if step.act == Act.COMEBACK:
                back = planner.comeback(ticket.plan, step.moment, step.text, name)
                history.tickets.append(
                    BulkTicket(back, ticket.customer, original=index)
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
        ticket.number = f"{TICKET_PREFIX}-{year}-{per_year[year]:05d}"


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
        ticket.number = f"{TICKET_PREFIX}-{year}-{int(number) + first - 1:05d}"
        for use in ticket.part_uses:
            if use is not None:
                use.note = ticket.number


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
        key = f"{TICKET_COUNTER}{year}"
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
        original = ticket.original
        player.play(ticket, None if original is None else history.tickets[original])
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
