"""Finding tickets: who may see which, the search box, filters, the unclaimed list.

The TECH rule (their own tickets and the unassigned queue) is part of every select
here, so lists, searches and ticket pages cannot show a TECH more than that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from jcicons.clock import business_day_bounds, shop_today, utcnow
from jcicons.customers.models import Customer
from jcicons.customers.queries import MAX_TERM
from jcicons.customers.queries import search_condition as customer_search_condition
from jcicons.db import contains_pattern
from jcicons.extensions import db
from jcicons.repairs.models import (
    OPEN_STATUSES,
    SIDE_EXITS,
    DeviceType,
    RepairEvent,
    RepairPart,
    RepairStatus,
    RepairTicket,
)
from jcicons.sales.models import Payment

# The statuses in which work is still owed: only these can be overdue. A ticket
# ready for pickup or stopped (cancelled, unrepairable, pulled out) has nothing
# left to finish.
# How far the status page follows a chain of merged customers (A into B into C...).
MAX_MERGE_HOPS = 10

WORK_IN_PROGRESS = frozenset(OPEN_STATUSES - {RepairStatus.READY} - SIDE_EXITS)

if TYPE_CHECKING:
    from jcicons.auth.models import User


def visible_tickets(viewer: User) -> Select[RepairTicket]:
    """Return the select of the tickets `viewer` may see.

    ADMIN and SALES see every ticket; a TECH sees the tickets assigned to them and
    the unassigned queue.
    """
    query = select(RepairTicket)
    if viewer.role == "TECH":
        query = query.where(
            or_(
                RepairTicket.technician_id == viewer.id,
                RepairTicket.technician_id.is_(None),
            )
        )
    return query


def get_visible_ticket(viewer: User, ticket_id: int) -> RepairTicket | None:
    """Return one ticket with what its page shows, or None when hidden or missing."""
    return db.session.scalar(
        visible_tickets(viewer)
        .where(RepairTicket.id == ticket_id)
        .options(
            joinedload(RepairTicket.customer),
            joinedload(RepairTicket.technician),
            selectinload(RepairTicket.services),
            selectinload(RepairTicket.parts).joinedload(RepairPart.serial_unit),
            selectinload(RepairTicket.events).joinedload(RepairEvent.actor),
        )
    )


def search_condition(
    term: str, contact_on: ColumnElement[bool] | None = None
) -> ColumnElement[bool] | None:
    """Match a ticket by number, serial or IMEI, brand, model, or its customer
    (name, business, phone, e-mail, code: the customer search box's rules).

    `contact_on` limits the match by phone, e-mail and code to the tickets whose
    contact the viewer may see; elsewhere only the customer's name matches, so a
    search cannot tell a TECH whose number is on a ticket they may not read.
    """
    term = " ".join(term.split())[:MAX_TERM]
    if not term:
        return None
    like = contains_pattern(term)
    conditions: list[ColumnElement[bool]] = [
        func.lower(column).like(like, escape="\\")
        for column in (
            RepairTicket.number,
            RepairTicket.serial_number,
            RepairTicket.brand,
            RepairTicket.model,
        )
    ]
    by_customer = customer_search_condition(term)
    if by_customer is not None:
        by_contact = RepairTicket.customer_id.in_(
            select(Customer.id).where(by_customer)
        )
        if contact_on is None:
            conditions.append(by_contact)
        else:
            by_name = or_(
                func.lower(Customer.name).like(like, escape="\\"),
                func.lower(Customer.business_name).like(like, escape="\\"),
            )
            conditions.append(
                RepairTicket.customer_id.in_(select(Customer.id).where(by_name))
            )
            conditions.append(and_(contact_on, by_contact))
    return or_(*conditions)


@dataclass
class TicketFilter:
    """What the list page was asked for."""

    q: str = ""
    status: str = ""  # "" = open tickets, "all", "released", or one status
    technician_id: int | None = None
    unassigned: bool = False
    device_type: str = ""
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool = False


def tickets_query(
    viewer: User, criteria: TicketFilter, tech_sees_details: bool = False
) -> Select[RepairTicket]:
    """Return the newest-first select of the tickets matching the list's filters.

    A TECH's search reaches customers' contact details only on their own tickets,
    and only when `tech_sees_details` (the TECH_CAN_VIEW_DETAILS toggle) is on.

    Without a status filter the list shows open tickets; a search looks through the
    released (archived) ones too. Each page comes with its customers, technicians
    and the labour and parts lines its balance column adds up, in a fixed number
    of selects.
    """
    query = visible_tickets(viewer).options(
        joinedload(RepairTicket.customer),
        joinedload(RepairTicket.technician),
        selectinload(RepairTicket.services),
        selectinload(RepairTicket.parts),
    )
    contact_on = None
    if viewer.role == "TECH":
        contact_on = (
            RepairTicket.technician_id == viewer.id if tech_sees_details else false()
        )
    condition = search_condition(criteria.q, contact_on)
    if condition is not None:
        query = query.where(condition)
    status = criteria.status
    if status == "released":
        query = query.where(RepairTicket.status == RepairStatus.RELEASED)
    elif status in {s.value for s in RepairStatus}:
        query = query.where(RepairTicket.status == status)
    elif status != "all" and condition is None:
        query = query.where(RepairTicket.status.in_([s.value for s in OPEN_STATUSES]))
    if criteria.unassigned:
        query = query.where(RepairTicket.technician_id.is_(None))
    elif criteria.technician_id is not None:
        query = query.where(RepairTicket.technician_id == criteria.technician_id)
    if criteria.device_type in {d.value for d in DeviceType}:
        query = query.where(RepairTicket.device_type == criteria.device_type)
    if criteria.date_from is not None:
        query = query.where(
            RepairTicket.created_at >= business_day_bounds(criteria.date_from)[0]
        )
    if criteria.date_to is not None:
        query = query.where(
            RepairTicket.created_at < business_day_bounds(criteria.date_to)[1]
        )
    if criteria.overdue:
        query = query.where(
            RepairTicket.promised_date < shop_today(),
            RepairTicket.status.in_([s.value for s in WORK_IN_PROGRESS]),
        )
    return query.order_by(RepairTicket.created_at.desc(), RepairTicket.id.desc())


def unclaimed_query(viewer: User, days: int) -> Select[RepairTicket]:
    """Return tickets ready for pickup for more than `days` days, oldest first."""
    cutoff = utcnow() - timedelta(days=days)
    return (
        visible_tickets(viewer)
        .options(joinedload(RepairTicket.customer).selectinload(Customer.phones))
        .where(
            RepairTicket.status == RepairStatus.READY,
            RepairTicket.ready_at < cutoff,
        )
        .order_by(RepairTicket.ready_at, RepairTicket.id)
    )


def paid_by_ticket(ticket_ids: list[int]) -> dict[int, int]:
    """Return the ledger's net money per ticket for one page of tickets."""
    if not ticket_ids:
        return {}
    rows = db.session.execute(
        select(Payment.repair_ticket_id, func.sum(Payment.amount_centavos))
        .where(Payment.repair_ticket_id.in_(ticket_ids))
        .group_by(Payment.repair_ticket_id)
    ).all()
    return {int(ticket_id): int(total or 0) for ticket_id, total in rows if ticket_id}


def ticket_payments(ticket_id: int) -> list[Payment]:
    """Return a ticket's ledger rows, oldest first, with who took them."""
    return list(
        db.session.scalars(
            select(Payment)
            .options(joinedload(Payment.received_by))
            .where(Payment.repair_ticket_id == ticket_id)
            .order_by(Payment.created_at, Payment.id)
        )
    )


def find_by_token(token: str) -> RepairTicket | None:
    """Return the ticket of a claim stub's QR link."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(RepairTicket).where(RepairTicket.status_token == token)
    )


def find_for_status_page(number: str, phone_last4: str) -> RepairTicket | None:
    """Return the ticket whose number and customer's mobile's last 4 digits match."""
    number = number.strip().upper()
    digits = "".join(ch for ch in phone_last4 if ch.isdigit())
    if not number or len(digits) != 4:
        return None
    ticket = db.session.scalar(
        select(RepairTicket)
        .options(joinedload(RepairTicket.customer).selectinload(Customer.phones))
        .where(RepairTicket.number == number)
    )
    if ticket is None:
        return None
    # A merged customer's numbers moved to the customer they joined: follow the
    # merges (they chain) and accept the numbers of every customer on the way.
    customer: Customer | None = ticket.customer
    for _hop in range(MAX_MERGE_HOPS):
        if customer is None:
            break
        if any(phone.number.endswith(digits) for phone in customer.phones):
            return ticket
        customer = customer.merged_into
    return None
