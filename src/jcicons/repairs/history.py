"""A customer's repairs and devices for the customer page, over merged customers.

The repair list follows the viewer's ticket visibility (a TECH sees their own
tickets and the unassigned queue); the devices are those the customer brought in
for repair and, for those who may see sales, the serialized units they bought and
kept. Each section is one page of a select plus its count, whatever its size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from jcicons.customers.queries import merged_family_ids
from jcicons.extensions import db
from jcicons.repairs.models import RepairTicket, device_label
from jcicons.repairs.queries import visible_tickets
from jcicons.sales.models import Sale, SaleLine, SaleStatus

if TYPE_CHECKING:
    from jcicons.auth.models import User


@dataclass
class CustomerRepairRow:
    """One ticket on the customer page, with its balance when money is shown."""

    ticket: RepairTicket
    balance_centavos: int | None


@dataclass
class DeviceRow:
    """A device the shop knows the customer has: brought in, or bought here."""

    source: str  # "repair" or "purchase"
    label: str
    serial: str
    last_at: datetime
    times: int
    last_id: int


@dataclass
class RowPage:
    """One page of rows with what the pager macro reads."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Return how many pages there are."""
        return max(ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        """Return True when there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Return True when there is a page after this one."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        """Return the number of the page before."""
        return self.page - 1

    @property
    def next_num(self) -> int:
        """Return the number of the page after."""
        return self.page + 1

    def iter_pages(self, **_: int) -> list[int]:
        """Return every page number (device lists are short)."""
        return list(range(1, self.pages + 1))


def customer_tickets_query(viewer: User, customer_id: int) -> Select[RepairTicket]:
    """Return the newest-first tickets of a customer (and merged ones) `viewer` sees."""
    return (
        visible_tickets(viewer)
        .options(joinedload(RepairTicket.technician))
        .where(RepairTicket.customer_id.in_(merged_family_ids(customer_id)))
        .order_by(RepairTicket.created_at.desc(), RepairTicket.id.desc())
    )


def customer_repairs(
    viewer: User,
    customer_id: int,
    page: int,
    per_page: int,
    with_money: Callable[[RepairTicket], bool],
) -> tuple[Any, list[CustomerRepairRow]]:
    """Return one page of a customer's tickets and its rows with their balances.

    `with_money` decides per ticket whether its balance is shown (a TECH may see
    the money of their own tickets and not of the unassigned queue's).
    """
    from jcicons.repairs.services import ticket_balances

    tickets = db.paginate(
        customer_tickets_query(viewer, customer_id).options(
            selectinload(RepairTicket.services), selectinload(RepairTicket.parts)
        ),
        page=page,
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )
    balances = ticket_balances([t for t in tickets.items if with_money(t)])
    rows = [
        CustomerRepairRow(ticket=ticket, balance_centavos=balances.get(ticket.id))
        for ticket in tickets.items
    ]
    return tickets, rows


def _repair_devices(viewer: User, family: Any) -> Any:
    visible = visible_tickets(viewer).with_only_columns(RepairTicket.id)
    return (
        select(
            literal("repair").label("source"),
            RepairTicket.device_type.label("kind"),
            RepairTicket.device_name.label("name"),
            RepairTicket.brand.label("brand"),
            RepairTicket.model.label("model"),
            RepairTicket.serial_number.label("serial"),
            func.max(RepairTicket.created_at).label("last_at"),
            func.count(RepairTicket.id).label("times"),
            func.max(RepairTicket.id).label("last_id"),
        )
        .where(
            RepairTicket.customer_id.in_(family),
            RepairTicket.id.in_(visible),
        )
        .group_by(
            RepairTicket.device_type,
            RepairTicket.device_name,
            RepairTicket.brand,
            RepairTicket.model,
            RepairTicket.serial_number,
        )
    )


def _bought_devices(family: Any) -> Any:
    """Serialized units on completed sales that were not returned."""
    from jcicons.inventory.models import SerialUnit

    return (
        select(
            literal("purchase").label("source"),
            literal("").label("kind"),
            SaleLine.description.label("name"),
            literal("").label("brand"),
            literal("").label("model"),
            SerialUnit.serial.label("serial"),
            Sale.created_at.label("last_at"),
            literal(1).label("times"),
            Sale.id.label("last_id"),
        )
        .join(Sale, Sale.id == SaleLine.sale_id)
        .join(SerialUnit, SerialUnit.id == SaleLine.serial_unit_id)
        .where(
            Sale.customer_id.in_(family),
            Sale.status == SaleStatus.COMPLETED,
            SaleLine.returned_quantity < SaleLine.quantity,
        )
    )


def _device_label(row: Any) -> str:
    if row.source == "purchase":
        return str(row.name)
    return device_label(row.kind, row.name, row.brand, row.model)


def customer_devices(
    viewer: User, customer_id: int, page: int, per_page: int, with_purchases: bool
) -> RowPage:
    """Return one page of a customer's devices, the most recently seen first."""
    family = merged_family_ids(customer_id)
    parts = [_repair_devices(viewer, family)]
    if with_purchases:
        parts.append(_bought_devices(family))
    devices = union_all(*parts).subquery()
    total = int(db.session.scalar(select(func.count()).select_from(devices)) or 0)
    page = max(min(page, max(ceil(total / per_page), 1)), 1)
    rows = db.session.execute(
        select(devices)
        .order_by(devices.c.last_at.desc(), devices.c.last_id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [
        DeviceRow(
            source=row.source,
            label=_device_label(row),
            serial=row.serial or "",
            last_at=row.last_at,
            times=int(row.times),
            last_id=int(row.last_id),
        )
        for row in rows
    ]
    return RowPage(items=items, page=page, per_page=per_page, total=total)
