"""What repairs hands the modules it builds on, which may not import it.

Sales counts repair money (`jcicons.sales.outside`); customers shows a TECH the
customers of their tickets (`jcicons.customers.scopes`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select

from jcicons.customers.scopes import register_tech_customers
from jcicons.db import sum_or_zero
from jcicons.extensions import db
from jcicons.repairs.models import RepairStatus, RepairTicket
from jcicons.sales.models import Payment
from jcicons.sales.outside import (
    RepairAccounts,
    RepairTotals,
    register_repair_accounts,
)


def repair_totals(family: Select[tuple[int]]) -> RepairTotals:
    """Return the customers' repair charges, net payments and receivable, in one
    select.

    A released ticket's charges are frozen at release; a ticket released on credit
    owes those charges less its net payments. Open tickets owe nothing yet: their
    charges can still change.
    """
    paid = (
        select(sum_or_zero(Payment.amount_centavos))
        .where(Payment.repair_ticket_id == RepairTicket.id)
        .correlate(RepairTicket)
        .scalar_subquery()
    )
    per_ticket = (
        select(
            RepairTicket.final_charges_centavos.label("charges"),
            (RepairTicket.status == RepairStatus.RELEASED.value).label("released"),
            paid.label("paid"),
        )
        .where(RepairTicket.customer_id.in_(family))
        .subquery()
    )
    released = and_(per_ticket.c.released, per_ticket.c.charges.is_not(None))
    charged, paid_total, owed = db.session.execute(
        select(
            sum_or_zero(case((released, per_ticket.c.charges), else_=0)),
            sum_or_zero(per_ticket.c.paid),
            sum_or_zero(
                case((released, per_ticket.c.charges - per_ticket.c.paid), else_=0)
            ),
        )
    ).one()
    return RepairTotals(int(charged), int(paid_total), int(owed))


def payments_of(family: Select[tuple[int]]) -> ColumnElement[bool]:
    """Return the condition on payment rows of the customers' repair tickets."""
    return Payment.repair_ticket_id.in_(
        select(RepairTicket.id).where(RepairTicket.customer_id.in_(family))
    )


def released_between(start: datetime, end: datetime) -> int:
    """Return how many devices were released between two instants."""
    count = db.session.scalar(
        select(func.count(RepairTicket.id)).where(
            RepairTicket.released_at >= start, RepairTicket.released_at < end
        )
    )
    return int(count or 0)


def customers_of_technician(user_id: int) -> Select[Any]:
    """Return the select of the ids of the customers of a TECH's tickets."""
    return select(RepairTicket.customer_id).where(RepairTicket.technician_id == user_id)


def register() -> None:
    """Hand sales and customers the repair selects (called by the app factory)."""
    accounts = RepairAccounts(repair_totals, payments_of, released_between)
    register_repair_accounts(accounts)
    register_tech_customers(customers_of_technician)
