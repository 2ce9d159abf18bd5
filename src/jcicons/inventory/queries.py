"""Read-only selects for inventory lists, the ledger, low stock and look-ups.

Each list is one select (plus the pager's count), with its relationships loaded
eagerly, so a page issues the same number of queries whatever its rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Select,
    String,
    case,
    cast,
    column,
    func,
    literal,
    or_,
    select,
    table,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload

from jcicons.clock import business_day_bounds
from jcicons.db import contains_pattern, sum_or_zero
from jcicons.extensions import db
from jcicons.inventory.models import (
    Category,
    MovementReason,
    Product,
    Receiving,
    SerialStatus,
    SerialUnit,
    StockMovement,
)

SORTS = {
    "name": (Product.name.asc(), Product.id.asc()),
    "sku": (Product.sku.asc(),),
    "price": (Product.price_centavos.desc(), Product.id.asc()),
    "stock": (Product.on_hand.asc(), Product.id.asc()),
    "newest": (Product.id.desc(),),
}


@dataclass
class ProductFilter:
    """What the product list is narrowed to."""

    search: str = ""
    category_id: int | None = None
    stock: str = ""  # in, low, out, service
    status: str = "active"  # active, archived, all
    sort: str = "name"


def product_query(criteria: ProductFilter) -> Select[tuple[Product]]:
    """Return the select behind the product list."""
    query = select(Product).options(joinedload(Product.category))
    term = criteria.search.strip()[:100]
    if term:
        like = contains_pattern(term)
        by_serial = select(SerialUnit.product_id).where(
            SerialUnit.serial == term.upper()
        )
        query = query.where(
            or_(
                func.lower(Product.name).like(like, escape="\\"),
                func.lower(Product.sku).like(like, escape="\\"),
                Product.barcode == term,
                func.lower(Product.brand).like(like, escape="\\"),
                func.lower(Product.model).like(like, escape="\\"),
                Product.id.in_(by_serial),
            )
        )
    if criteria.category_id:
        query = query.where(Product.category_id == criteria.category_id)
    goods = Product.is_service.is_(False)
    if criteria.stock == "out":
        query = query.where(goods, Product.on_hand == 0)
    elif criteria.stock == "low":
        query = query.where(goods, Product.on_hand <= Product.reorder_level)
    elif criteria.stock == "in":
        query = query.where(goods, Product.on_hand > 0)
    elif criteria.stock == "service":
        query = query.where(Product.is_service.is_(True))
    if criteria.status == "active":
        query = query.where(Product.is_archived.is_(False))
    elif criteria.status == "archived":
        query = query.where(Product.is_archived.is_(True))
    return query.order_by(*SORTS.get(criteria.sort, SORTS["name"]))


@dataclass
class MovementFilter:
    """What the movement ledger is narrowed to."""

    product_id: int | None = None
    reason: str = ""
    actor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def movement_query(criteria: MovementFilter) -> Select[tuple[StockMovement]]:
    """Return the newest-first select of ledger rows; the last day counts whole."""
    query = select(StockMovement).options(
        joinedload(StockMovement.product),
        joinedload(StockMovement.actor),
        joinedload(StockMovement.serial_unit),
    )
    if criteria.product_id:
        query = query.where(StockMovement.product_id == criteria.product_id)
    if criteria.reason in {r.value for r in MovementReason}:
        query = query.where(StockMovement.reason == criteria.reason)
    if criteria.actor_id:
        query = query.where(StockMovement.actor_id == criteria.actor_id)
    if criteria.date_from:
        query = query.where(
            StockMovement.created_at >= business_day_bounds(criteria.date_from)[0]
        )
    if criteria.date_to:
        query = query.where(
            StockMovement.created_at < business_day_bounds(criteria.date_to)[1]
        )
    return query.order_by(StockMovement.id.desc())


def low_stock_query() -> Select[tuple[Product]]:
    """Return active goods at or under their reorder level, emptiest first."""
    return (
        select(Product)
        .options(joinedload(Product.category))
        .where(
            Product.is_service.is_(False),
            Product.is_archived.is_(False),
            Product.on_hand <= Product.reorder_level,
        )
        .order_by(Product.on_hand.asc(), Product.name.asc())
    )


def suggested_quantity(on_hand: int, reorder_level: int, reorder_quantity: int) -> int:
    """Return how many to order: the reorder quantity, or enough to pass the level."""
    return max(reorder_quantity, reorder_level - on_hand + 1, 1)


def suggested_order_quantity(product: Product) -> int:
    """Return how many of a product to order (see `suggested_quantity`)."""
    return suggested_quantity(
        product.on_hand, product.reorder_level, product.reorder_quantity
    )


def autocomplete(term: str, limit: int = 10) -> list[Product]:
    """Return at most `limit` active products matching a name, SKU or barcode."""
    term = term.strip()[:100]
    if not term:
        return []
    like = contains_pattern(term)
    query = (
        select(Product)
        .where(
            Product.is_archived.is_(False),
            or_(
                Product.barcode == term,
                func.lower(Product.sku) == term.lower(),
                func.lower(Product.sku).like(like, escape="\\"),
                func.lower(Product.name).like(like, escape="\\"),
            ),
        )
        .order_by(
            # Exact barcode, then exact SKU, then by name. A CASE rather than
            # sorting on the comparisons: a NULL barcode compares as NULL, which
            # SQLite and PostgreSQL sort at opposite ends.
            case(
                (Product.barcode == term, 0),
                (func.lower(Product.sku) == term.lower(), 1),
                else_=2,
            ),
            Product.name,
        )
        .limit(min(limit, 10))
    )
    return list(db.session.scalars(query))


def find_by_code(code: str) -> Product | None:
    """Return the active product whose barcode or SKU is exactly `code` (scanners)."""
    code = code.strip()
    if not code:
        return None
    return db.session.scalar(
        select(Product).where(
            Product.is_archived.is_(False),
            or_(Product.barcode == code, func.upper(Product.sku) == code.upper()),
        )
    )


def serial_history(serial: str) -> tuple[SerialUnit | None, list[StockMovement]]:
    """Return a serial unit and every ledger row that moved it, oldest first."""
    unit = db.session.scalar(
        select(SerialUnit)
        .options(joinedload(SerialUnit.product))
        .where(SerialUnit.serial == serial.strip().upper())
    )
    if unit is None:
        return None, []
    movements = db.session.scalars(
        select(StockMovement)
        .options(joinedload(StockMovement.actor))
        .where(StockMovement.serial_unit_id == unit.id)
        .order_by(StockMovement.id)
    ).all()
    return unit, list(movements)


def stock_value_centavos() -> int:
    """Return the value of all goods on hand at moving-average cost."""
    return int(
        db.session.scalar(
            select(sum_or_zero(Product.on_hand * Product.cost_centavos)).where(
                Product.is_service.is_(False)
            )
        )
        or 0
    )


def category_choices() -> list[tuple[int, str]]:
    """Return (id, name) of active categories for pickers."""
    rows = db.session.execute(
        select(Category.id, Category.name)
        .where(Category.is_archived.is_(False))
        .order_by(Category.name)
    )
    return [(int(r[0]), str(r[1])) for r in rows]


def category_usage() -> dict[int, tuple[int, int]]:
    """Return category id -> (active products, archived products) in one query."""
    rows = db.session.execute(
        select(Product.category_id, Product.is_archived, func.count()).group_by(
            Product.category_id, Product.is_archived
        )
    )
    usage: dict[int, tuple[int, int]] = {}
    for category_id, archived, total in rows:
        active, old = usage.get(int(category_id), (0, 0))
        usage[int(category_id)] = (
            (active, old + int(total)) if archived else (active + int(total), old)
        )
    return usage


def receiving_query(search: str = "") -> Select[tuple[Receiving]]:
    """Return the newest-first select of receivings, lines loaded in one more query."""
    query = select(Receiving).options(
        selectinload(Receiving.lines), joinedload(Receiving.created_by)
    )
    term = search.strip()[:100]
    if term:
        like = contains_pattern(term)
        query = query.where(
            or_(
                func.lower(Receiving.number).like(like, escape="\\"),
                func.lower(Receiving.supplier_name).like(like, escape="\\"),
                func.lower(Receiving.supplier_document).like(like, escape="\\"),
            )
        )
    return query.order_by(Receiving.received_date.desc(), Receiving.id.desc())


# Where the documents a ledger row refers to keep their numbers. Named as tables
# rather than imported as models: sales and repairs build on inventory, not the
# other way round.
DOCUMENT_TABLES = {
    "receiving": table("receivings", column("id"), column("number")),
    "sale": table("sales", column("id"), column("number")),
    "repair": table("repair_tickets", column("id"), column("number")),
}


def document_numbers(
    references: Iterable[tuple[str, int | None]],
) -> dict[tuple[str, int], str]:
    """Return (reference type, id) -> number of the receivings, sales and repair
    tickets referred to, read in one select whatever their kinds and count."""
    wanted: dict[str, set[int]] = {}
    for kind, reference_id in references:
        if kind in DOCUMENT_TABLES and reference_id is not None:
            wanted.setdefault(kind, set()).add(reference_id)
    if not wanted:
        return {}
    selects = [
        select(
            cast(literal(kind), String(16)).label("kind"),
            DOCUMENT_TABLES[kind].c.id,
            DOCUMENT_TABLES[kind].c.number,
        ).where(DOCUMENT_TABLES[kind].c.id.in_(sorted(ids)))
        for kind, ids in sorted(wanted.items())
    ]
    statement = selects[0] if len(selects) == 1 else union_all(*selects)
    rows = db.session.execute(statement)
    return {
        (str(kind), int(number_id)): str(number) for kind, number_id, number in rows
    }


def in_stock_serials_of(product_ids: Iterable[int]) -> dict[int, list[str]]:
    """Return product id -> serial numbers of its units in stock, in one select."""
    ids = sorted(set(product_ids))
    serials: dict[int, list[str]] = {}
    if not ids:
        return serials
    rows = db.session.execute(
        select(SerialUnit.product_id, SerialUnit.serial)
        .where(
            SerialUnit.product_id.in_(ids),
            SerialUnit.status == SerialStatus.IN_STOCK,
        )
        .order_by(SerialUnit.product_id, SerialUnit.serial)
    )
    for product_id, serial in rows:
        serials.setdefault(int(product_id), []).append(str(serial))
    return serials


def in_stock_serials(product_id: int, limit: int = 500) -> list[str]:
    """Return the serial numbers of a product's units in stock, in serial order."""
    return list(
        db.session.scalars(
            select(SerialUnit.serial)
            .where(
                SerialUnit.product_id == product_id,
                SerialUnit.status == SerialStatus.IN_STOCK,
            )
            .order_by(SerialUnit.serial)
            .limit(limit)
        )
    )


def serials_of_receiving(receiving_id: int) -> dict[int, list[str]]:
    """Return product id -> serial numbers that arrived on one receiving."""
    serials: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(SerialUnit.product_id, SerialUnit.serial)
        .where(SerialUnit.receiving_id == receiving_id)
        .order_by(SerialUnit.id)
    )
    for product_id, serial in rows:
        serials.setdefault(int(product_id), []).append(str(serial))
    return serials
