"""The large demo for benchmarks: 50,000 products and a long ledger, in bulk.

Categories still come from `create_category`. Everything else is planned in memory
by `large_plan` (the rules of the stock services, played product by product), then
inserted in batches with `session.execute(insert(table), rows)`, oldest first, so
ledger ids follow time. Afterwards every product's on-hand equals the sum of its
ledger rows, every serialized product has as many in-stock units as it has on
hand, each cost is the moving average of its receipts, and the receiving and SKU
counters continue after the numbers used.

One difference from the services: the audit trail gets one summary row per
inserted batch (action "demo.bulk_insert") and one for the whole build
("demo.build"), instead of one row per product, receiving and adjustment.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from jcicons.audit.services import record_audit
from jcicons.clock import frozen_at, shop_today, shop_zone
from jcicons.demo import DEFAULT_SEED, LARGE_PRODUCTS
from jcicons.demo.catalogue import RESTOCK, SUPPLIERS, ProductSpec, large_catalogue
from jcicons.demo.common import (
    DemoSummary,
    Progress,
    count_rows,
    create_demo_users,
    ensure_categories,
    local_moment,
    summarise,
    taken_codes,
)
from jcicons.demo.large_plan import LONG_HISTORY_RECEIPTS, LargePlan, plan_large_shop
from jcicons.demo.serials import SerialMaker
from jcicons.extensions import db
from jcicons.inventory.models import (
    Product,
    Receiving,
    ReceivingLine,
    SerialUnit,
    StockMovement,
    VatClass,
)
from jcicons.numbering import Counter, next_number

if TYPE_CHECKING:
    from jcicons.auth.models import User
    from jcicons.inventory.models import Category

logger = logging.getLogger(__name__)

LARGE_HISTORY_DAYS = 540
BATCH_SIZE = 5_000


def build_large_demo(
    actor: User,
    seed: int = DEFAULT_SEED,
    products: int = LARGE_PRODUCTS,
    history_days: int = LARGE_HISTORY_DAYS,
    with_users: bool = False,
    progress: Progress | None = None,
    long_history_receipts: int = LONG_HISTORY_RECEIPTS,
) -> DemoSummary:
    """Build a large shop in bulk for benchmarks (50,000 products by default).

    Flushes, never commits.
    """
    say = progress or (lambda message: None)
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
    before = count_rows()
    today = shop_today()
    start = today - timedelta(days=history_days)
    serials, barcodes = taken_codes()
    maker = SerialMaker(rng, serials, barcodes)
    specs = large_catalogue(rng, products)
    opening = local_moment(start - timedelta(days=1), 8 * 60)
    with frozen_at(opening):
        categories = ensure_categories(actor)

    plan = plan_large_shop(rng, specs, start, today, maker, long_history_receipts)
    say(
        f"planned {len(plan.specs):,} products, {len(plan.lines):,} receiving lines "
        f"and {len(plan.movements):,} ledger rows"
    )
    product_ids = _insert_products(rng, plan, categories, maker, actor, opening)
    say(f"inserted {len(product_ids):,} products")
    receiving_ids = _insert_receivings(plan, product_ids, actor)
    say(f"inserted {len(receiving_ids):,} receivings")
    unit_ids = _insert_units(plan, product_ids, receiving_ids, actor)
    _insert_movements(plan, product_ids, receiving_ids, unit_ids, actor)
    say(f"inserted {len(plan.movements):,} ledger rows")
    record_audit(
        actor,
        "demo.build",
        "demo",
        seed,
        None,
        {"scale": "large", "products": len(plan.specs)},
    )
    db.session.flush()

    summary = summarise(before)
    if with_users:
        summary.users = create_demo_users(actor)
    logger.info(
        "large demo shop built (seed %d, %d products) by %s",
        seed,
        len(plan.specs),
        actor.username,
    )
    return summary


def _insert(
    model: Any,
    rows: list[dict[str, Any]],
    actor: User,
    key: str = "",
    offset: int = 0,
) -> list[int]:
    """Insert rows in batches with one audit summary per batch.

    The insert goes to the table (a Core executemany), several times faster than
    the ORM's bulk path for the same rows. With `key` (a unique column), return
    the new ids in the order of `rows`, read back in one select: RETURNING in a
    guaranteed order would make SQLite insert row by row.
    """
    table = model.__table__
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        db.session.execute(insert(table), batch)
        record_audit(
            actor,
            "demo.bulk_insert",
            table.name,
            f"{offset + start + 1}-{offset + start + len(batch)}",
            None,
            {"rows": len(batch)},
        )
    if not key:
        return []
    ids: dict[Any, int] = {
        value: int(row_id)
        for value, row_id in db.session.execute(select(table.c[key], table.c.id))
    }
    return [ids[row[key]] for row in rows]


def _continue_counter(key: str, last: int) -> None:
    """Set a counter (already allocated from) to the last number used."""
    db.session.execute(update(Counter).where(Counter.key == key).values(value=last))


def _skus(categories: dict[str, Category], specs: list[ProductSpec]) -> list[str]:
    """Return a new SKU per product from its category's counter, as services do."""
    taken = set(db.session.scalars(select(Product.sku)))
    numbers = {name: next_number(f"sku:{categories[name].code}") for name in categories}
    skus = []
    for spec in specs:
        code = categories[spec.category].code
        while f"{code}-{numbers[spec.category]:05d}" in taken:
            numbers[spec.category] += 1
        skus.append(f"{code}-{numbers[spec.category]:05d}")
        numbers[spec.category] += 1
    for name, number in numbers.items():
        _continue_counter(f"sku:{categories[name].code}", number - 1)
    return skus


def _insert_products(
    rng: random.Random,
    plan: LargePlan,
    categories: dict[str, Category],
    maker: SerialMaker,
    actor: User,
    opening: datetime,
) -> list[int]:
    skus = _skus(categories, plan.specs)
    rows = []
    for index, spec in enumerate(plan.specs):
        restock = RESTOCK.get(spec.category)
        created = opening + timedelta(seconds=index)
        has_barcode = spec.barcode and rng.random() < 0.8
        rows.append(
            {
                "sku": skus[index],
                "barcode": maker.barcode() if has_barcode else None,
                "name": spec.name,
                "brand": spec.brand,
                "model": spec.model,
                "category_id": categories[spec.category].id,
                "description": "",
                "unit": spec.unit,
                "price_centavos": spec.price_centavos,
                "cost_centavos": plan.cost[index],
                "reorder_level": restock.reorder_level if restock else 0,
                "reorder_quantity": restock.reorder_quantity if restock else 0,
                "vat_class": VatClass.VATABLE.value,
                "is_service": spec.is_service,
                "is_serialized": spec.is_serialized,
                "is_archived": False,
                "on_hand": plan.on_hand[index],
                "created_at": created,
                "updated_at": created,
            }
        )
    return _insert(Product, rows, actor, key="sku")


def _insert_receivings(
    plan: LargePlan, product_ids: list[int], actor: User
) -> dict[int, int]:
    """Insert the receivings that got lines, numbered in time order, and the lines."""
    used = sorted({line[0] for line in plan.lines})
    if not used:
        return {}
    first = next_number("receiving")
    _continue_counter("receiving", first + len(used) - 1)
    suppliers = list(SUPPLIERS)
    rows = []
    for offset, index in enumerate(used):
        moment, supplier, document = plan.receivings[index]
        rows.append(
            {
                "number": f"RCV-{first + offset:06d}",
                "supplier_name": suppliers[supplier],
                "supplier_document": document,
                "received_date": moment.astimezone(shop_zone()).date(),
                "note": "",
                "created_by_id": actor.id,
                "created_at": moment,
            }
        )
    ids = _insert(Receiving, rows, actor, key="number")
    receiving_ids = dict(zip(used, ids, strict=True))
    line_rows = [
        {
            "receiving_id": receiving_ids[receiving],
            "product_id": product_ids[product],
            "quantity": quantity,
            "unit_cost_centavos": cost,
        }
        for receiving, product, quantity, cost in sorted(plan.lines)
    ]
    _insert(ReceivingLine, line_rows, actor)
    return receiving_ids


def _insert_units(
    plan: LargePlan,
    product_ids: list[int],
    receiving_ids: dict[int, int],
    actor: User,
) -> list[int]:
    rows = [
        {
            "product_id": product_ids[unit.product],
            "serial": unit.serial,
            "status": unit.status.value,
            "receiving_id": receiving_ids[unit.receiving],
            "created_at": plan.receivings[unit.receiving][0],
        }
        for unit in plan.units
    ]
    return _insert(SerialUnit, rows, actor, key="serial")


def _insert_movements(
    plan: LargePlan,
    product_ids: list[int],
    receiving_ids: dict[int, int],
    unit_ids: list[int],
    actor: User,
) -> None:
    for start in range(0, len(plan.movements), BATCH_SIZE):
        rows = [
            {
                "product_id": product_ids[row.product],
                "quantity": row.quantity,
                "on_hand_after": row.on_hand_after,
                "unit_cost_centavos": row.unit_cost_centavos,
                "reason": row.reason,
                "reference_type": "adjustment"
                if row.receiving is None
                else "receiving",
                "reference_id": (
                    None if row.receiving is None else receiving_ids[row.receiving]
                ),
                "serial_unit_id": None if row.unit is None else unit_ids[row.unit],
                "note": row.note,
                "actor_id": actor.id,
                "created_at": row.moment,
            }
            for row in plan.movements[start : start + BATCH_SIZE]
        ]
        _insert(StockMovement, rows, actor, offset=start)
