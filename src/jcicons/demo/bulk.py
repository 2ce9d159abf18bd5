"""The large demo for benchmarks: 50,000 products, a long ledger and tens of
thousands of repair tickets, in bulk.

Categories, the repair service catalogue and the demo staff still come from their
services. Everything else is planned in memory, by `large_plan` (the rules of the
stock services, played product by product) and `repair_bulk` (repair tickets
played by the rules of the repair services, their parts taken from the stock
plan), then inserted in batches with `session.execute(insert(table), rows)`,
oldest first, so ids follow time. Afterwards every product's on-hand equals the
sum of its ledger rows (parts used on repairs included), every serialized
product has as many in-stock units as it has on hand, each cost is the moving
average of its receipts, and the receiving, SKU, customer and ticket counters
continue after the numbers used.

One difference from the services: the audit trail gets one summary row per
inserted batch (action "demo.bulk_insert") and one for the whole build
("demo.build"), instead of one row per product, receiving, adjustment, customer
and repair action.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from jcicons.audit.services import record_audit
from jcicons.clock import frozen_at, shop_today, shop_zone, utcnow
from jcicons.demo import DEFAULT_SEED, LARGE_PRODUCTS, LARGE_TICKETS
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
from jcicons.demo.inserts import BATCH_SIZE, continue_counter, insert_rows
from jcicons.demo.large_plan import LONG_HISTORY_RECEIPTS, LargePlan, plan_large_shop
from jcicons.demo.repair_bulk import (
    claim_ticket_numbers,
    insert_repair_history,
    plan_repair_history,
)
from jcicons.demo.repair_rows import Staff, TicketPlayer
from jcicons.demo.repairs import demo_technicians, ensure_service_types
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
from jcicons.numbering import next_number

if TYPE_CHECKING:
    from jcicons.auth.models import User
    from jcicons.inventory.models import Category

logger = logging.getLogger(__name__)

LARGE_HISTORY_DAYS = 540


def build_large_demo(
    actor: User,
    seed: int = DEFAULT_SEED,
    products: int = LARGE_PRODUCTS,
    history_days: int = LARGE_HISTORY_DAYS,
    with_users: bool = False,
    progress: Progress | None = None,
    long_history_receipts: int = LONG_HISTORY_RECEIPTS,
    tickets: int = LARGE_TICKETS,
) -> DemoSummary:
    """Build a large shop in bulk for benchmarks (50,000 products and 30,000 repair
    tickets by default).

    With `with_users` the demo staff are made first and the TECH accounts work
    the repairs; otherwise the acting ADMIN does. Flushes, never commits.
    """
    say = progress or (lambda message: None)
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
    repair_rng = random.Random(f"{seed}:repairs")  # noqa: S311 - as above
    before = count_rows()
    now = utcnow()
    today = shop_today()
    start = today - timedelta(days=history_days)
    serials, barcodes = taken_codes()
    maker = SerialMaker(rng, serials, barcodes)
    specs = large_catalogue(rng, products)
    opening = local_moment(start - timedelta(days=1), 8 * 60)
    users: list[tuple[str, str, str | None]] = []
    with frozen_at(opening):
        categories = ensure_categories(actor)
        if with_users:
            users = create_demo_users(actor)
        service_ids = ensure_service_types(actor)
    technicians = demo_technicians(actor)

    history = plan_repair_history(
        repair_rng, specs, start, today, tickets, len(technicians), now
    )
    claim_ticket_numbers(history)
    plan = plan_large_shop(
        rng, specs, start, today, maker, long_history_receipts, history.uses
    )
    say(
        f"planned {len(plan.specs):,} products, {len(plan.lines):,} receiving lines, "
        f"{len(plan.movements):,} ledger rows and {len(history.tickets):,} repair "
        "tickets"
    )
    skus = _skus(categories, plan.specs)
    product_ids = _insert_products(rng, plan, categories, skus, maker, actor, opening)
    say(f"inserted {len(product_ids):,} products")
    receiving_ids = _insert_receivings(plan, product_ids, actor)
    say(f"inserted {len(receiving_ids):,} receivings")
    unit_ids = _insert_units(plan, product_ids, receiving_ids, actor)
    staff = Staff(
        actor.id,
        [(t.id, t.full_name or t.username, t.role == "TECH") for t in technicians],
    )
    prices = [spec.price_centavos for spec in plan.specs]
    player = TicketPlayer(repair_rng, staff, service_ids, plan.specs, skus, prices)
    ticket_ids = insert_repair_history(history, player, product_ids, actor)
    say(
        f"inserted {len(history.customers):,} customers and "
        f"{len(ticket_ids):,} repair tickets"
    )
    _insert_movements(plan, product_ids, receiving_ids, unit_ids, ticket_ids, actor)
    say(f"inserted {len(plan.movements):,} ledger rows")
    record_audit(
        actor,
        "demo.build",
        "demo",
        seed,
        None,
        {"scale": "large", "products": len(plan.specs), "tickets": len(ticket_ids)},
    )
    db.session.flush()

    summary = summarise(before)
    summary.users = users
    logger.info(
        "large demo shop built (seed %d, %d products, %d tickets) by %s",
        seed,
        len(plan.specs),
        len(ticket_ids),
        actor.username,
    )
    return summary


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
        continue_counter(f"sku:{categories[name].code}", number - 1)
    return skus


def _insert_products(
    rng: random.Random,
    plan: LargePlan,
    categories: dict[str, Category],
    skus: list[str],
    maker: SerialMaker,
    actor: User,
    opening: datetime,
) -> list[int]:
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
    return insert_rows(Product, rows, actor, key="sku")


def _insert_receivings(
    plan: LargePlan, product_ids: list[int], actor: User
) -> dict[int, int]:
    """Insert the receivings that got lines, numbered in time order, and the lines."""
    used = sorted({line[0] for line in plan.lines})
    if not used:
        return {}
    first = next_number("receiving")
    continue_counter("receiving", first + len(used) - 1)
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
    ids = insert_rows(Receiving, rows, actor, key="number")
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
    insert_rows(ReceivingLine, line_rows, actor)
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
    return insert_rows(SerialUnit, rows, actor, key="serial")


def _insert_movements(
    plan: LargePlan,
    product_ids: list[int],
    receiving_ids: dict[int, int],
    unit_ids: list[int],
    ticket_ids: list[int],
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
                **_reference(row.receiving, row.ticket, receiving_ids, ticket_ids),
                "serial_unit_id": None if row.unit is None else unit_ids[row.unit],
                "note": row.note,
                "actor_id": actor.id,
                "created_at": row.moment,
            }
            for row in plan.movements[start : start + BATCH_SIZE]
        ]
        insert_rows(StockMovement, rows, actor, offset=start)


def _reference(
    receiving: int | None,
    ticket: int | None,
    receiving_ids: dict[int, int],
    ticket_ids: list[int],
) -> dict[str, str | int | None]:
    """Return what a ledger row points at: a receiving, a repair or an adjustment."""
    if receiving is not None:
        return {"reference_type": "receiving", "reference_id": receiving_ids[receiving]}
    if ticket is not None:
        return {"reference_type": "repair", "reference_id": ticket_ids[ticket]}
    return {"reference_type": "adjustment", "reference_id": None}
