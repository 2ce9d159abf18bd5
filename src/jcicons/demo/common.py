"""What both demo builds share: the guard, the acting ADMIN, counts and choices."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from jcicons.clock import shop_zone
from jcicons.db import sum_or_zero
from jcicons.demo.catalogue import ADJUSTMENT_NOTES, CATEGORIES, ProductSpec
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import (
    Category,
    MovementReason,
    Product,
    Receiving,
    ReceivingLine,
    SerialUnit,
    StockMovement,
)
from jcicons.inventory.queries import stock_value_centavos
from jcicons.inventory.services import create_category
from jcicons.money import percent_of

if TYPE_CHECKING:
    from jcicons.auth.models import User

# The demo staff made by --with-users: (username, full name, role).
DEMO_USERS = (
    ("demo_sales", "Maricel Santos", "SALES"),
    ("demo_tech", "Rommel Dizon", "TECH"),
    ("demo_tech2", "Jun Pascual", "TECH"),
)

# How often each adjustment reason comes up, and its signed quantity range.
ADJUSTMENT_MIX = (
    (MovementReason.COUNT_CORRECTION, 5, (-2, 2)),
    (MovementReason.DAMAGED, 4, (-2, -1)),
    (MovementReason.FOUND, 2, (1, 2)),
    (MovementReason.RETURNED_TO_SUPPLIER, 2, (-2, -1)),
    (MovementReason.LOST_OR_STOLEN, 1, (-1, -1)),
    (MovementReason.OTHER, 1, (-1, -1)),
)
# Serialized units only leave by these reasons in the demo, one unit at a time.
SERIAL_REASONS = (
    MovementReason.DAMAGED,
    MovementReason.RETURNED_TO_SUPPLIER,
    MovementReason.LOST_OR_STOLEN,
)

Progress = Callable[[str], None]


class DemoRefused(DomainError):
    """The demo cannot be built here (data already present, or no ADMIN)."""


@dataclass
class DemoSummary:
    """What a demo build made, for the command to print."""

    categories: int = 0
    products: int = 0
    services: int = 0
    serialized: int = 0
    receivings: int = 0
    units_received: int = 0
    adjustments: int = 0
    ledger_rows: int = 0
    serial_units: int = 0
    audit_rows: int = 0
    customers: int = 0
    sales: int = 0
    voided_sales: int = 0
    credit_memos: int = 0
    service_types: int = 0
    repair_tickets: int = 0
    released_tickets: int = 0
    ready_tickets: int = 0
    comebacks: int = 0
    repair_parts: int = 0
    stock_value_centavos: int = 0
    users: list[tuple[str, str, str | None]] = field(default_factory=list)


def count_rows() -> dict[str, int]:
    """Return how many rows of each kind the demo makes are in the database."""
    from jcicons.audit.models import AuditEvent
    from jcicons.customers.models import Customer
    from jcicons.repairs.models import (
        RepairPart,
        RepairStatus,
        RepairTicket,
        ServiceType,
    )
    from jcicons.sales.models import CreditMemo, Sale, SaleStatus

    def count(model: Any, *where: Any) -> int:
        return int(
            db.session.scalar(select(func.count()).select_from(model).where(*where))
            or 0
        )

    units = db.session.scalar(select(sum_or_zero(ReceivingLine.quantity)))
    return {
        "categories": count(Category),
        "products": count(Product),
        "services": count(Product, Product.is_service.is_(True)),
        "serialized": count(Product, Product.is_serialized.is_(True)),
        "receivings": count(Receiving),
        "units_received": int(units or 0),
        "adjustments": count(
            StockMovement, StockMovement.reference_type == "adjustment"
        ),
        "ledger_rows": count(StockMovement),
        "serial_units": count(SerialUnit),
        "audit_rows": count(AuditEvent),
        "customers": count(Customer),
        "sales": count(Sale),
        "voided_sales": count(Sale, Sale.status == SaleStatus.VOID),
        "credit_memos": count(CreditMemo),
        "service_types": count(ServiceType),
        "repair_tickets": count(RepairTicket),
        "released_tickets": count(
            RepairTicket, RepairTicket.status == RepairStatus.RELEASED
        ),
        "ready_tickets": count(RepairTicket, RepairTicket.status == RepairStatus.READY),
        "comebacks": count(RepairTicket, RepairTicket.original_ticket_id.is_not(None)),
        "repair_parts": count(RepairPart),
    }


def count_products() -> int:
    """Return how many products the database holds."""
    return int(db.session.scalar(select(func.count()).select_from(Product)) or 0)


def check_may_build(force: bool) -> None:
    """Refuse to add a demo shop to a database that already has products.

    Raises DemoRefused unless `force` is set.
    """
    existing = count_products()
    if existing and not force:
        raise DemoRefused(
            f"The database already has {existing:,} products: demo data is for an "
            "empty shop. Use --force to add it anyway."
        )


def demo_actor() -> User:
    """Return the oldest active ADMIN, who is recorded as doing the demo's work.

    Raises DemoRefused when there is none.
    """
    from jcicons.auth.models import User

    actor = db.session.scalar(
        select(User)
        .where(User.role == "ADMIN", User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    if actor is None:
        raise DemoRefused(
            "There is no active ADMIN to record the demo under: run "
            "`jcicons users ensure-admin` first."
        )
    return actor


def local_moment(day: date, minute_of_day: int) -> datetime:
    """Return the UTC instant of a shop-local day and minute."""
    local = datetime.combine(day, time(0, 0), tzinfo=shop_zone())
    return (local + timedelta(minutes=minute_of_day)).astimezone(UTC)


def ensure_categories(actor: User) -> dict[str, Category]:
    """Return the demo categories by name, creating the ones that are missing."""
    existing = {c.name.lower(): c for c in db.session.scalars(select(Category)).all()}
    categories = {}
    for name in CATEGORIES:
        category = existing.get(name.lower())
        if category is None:
            category = create_category(name, actor)
        categories[name] = category
    return categories


def taken_codes() -> tuple[set[str], set[str]]:
    """Return the serial numbers and barcodes already in the database."""
    serials = set(db.session.scalars(select(SerialUnit.serial)))
    barcodes = {
        code
        for code in db.session.scalars(
            select(Product.barcode).where(Product.barcode.is_not(None))
        )
        if code
    }
    return serials, barcodes


def create_demo_users(actor: User) -> list[tuple[str, str, str | None]]:
    """Create the SALES and TECH demo accounts with one-time passwords.

    Returns (username, role, password) for each; the password is None for an
    account that already existed and was left alone.
    """
    from jcicons.auth.models import User
    from jcicons.users.services import create_user

    made: list[tuple[str, str, str | None]] = []
    for username, full_name, role in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            made.append((username, role, None))
            continue
        user, password = create_user(username, full_name, None, role, actor)
        made.append((user.username, role, password))
    return made


def unit_cost(rng: random.Random, spec: ProductSpec) -> int:
    """Return a supplier's unit cost near the usual cost, below the price."""
    cost = percent_of(spec.cost_centavos, Decimal(rng.randint(96, 104)))
    return max(min(cost, spec.price_centavos - 100), 0)


def pick_adjustment(
    rng: random.Random, serialized: bool
) -> tuple[MovementReason, int, str]:
    """Return a believable adjustment: its reason, signed quantity and note.

    Serialized products lose one unit at a time, by damage, loss or return.
    """
    if serialized:
        reason = rng.choice(SERIAL_REASONS)
        quantity = -1
    else:
        reasons = [row[0] for row in ADJUSTMENT_MIX]
        reason = rng.choices(reasons, [row[1] for row in ADJUSTMENT_MIX])[0]
        low, high = next(row[2] for row in ADJUSTMENT_MIX if row[0] == reason)
        quantity = rng.choice([q for q in range(low, high + 1) if q])
    return reason, quantity, rng.choice(ADJUSTMENT_NOTES[reason.value])


def summarise(before: dict[str, int]) -> DemoSummary:
    """Return what was added since the `before` counts, and the stock value now."""
    after = count_rows()
    summary = DemoSummary()
    for key, value in after.items():
        setattr(summary, key, value - before[key])
    summary.stock_value_centavos = stock_value_centavos()
    return summary
