"""Build the small demo shop through the real services, one event at a time.

Categories and products are created with `create_category` and `create_product`,
deliveries with `receive_stock`, corrections with `adjust_stock`, so the ledger,
serial units, moving-average costs and audit trail are exactly what the shop's own
screens would have written. The shop clock is set to each event's moment while it
runs (`clock.frozen_at`), so ledger and audit rows carry believable past times.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from jcicons.clock import frozen_at, shop_today, shop_zone, utcnow
from jcicons.demo import DEFAULT_SEED
from jcicons.demo.catalogue import (
    RESTOCK,
    SUPPLIERS,
    ProductSpec,
    shop_catalogue,
    suppliers_of,
)
from jcicons.demo.common import (
    DemoSummary,
    Progress,
    count_rows,
    create_demo_users,
    ensure_categories,
    local_moment,
    pick_adjustment,
    summarise,
    taken_codes,
    unit_cost,
)
from jcicons.demo.repair_script import VISITS_PER_DAY, plan_visits
from jcicons.demo.repairs import RepairDesk, RepairStep, RepairVisit, demo_technicians
from jcicons.demo.sales import (
    FollowUp,
    SalesDesk,
    SaleSlot,
    create_demo_customers,
    plan_sale_slots,
)
from jcicons.demo.serials import SerialMaker
from jcicons.extensions import db
from jcicons.inventory.models import (
    Category,
    MovementReason,
    Product,
    SerialStatus,
    SerialUnit,
)
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    adjust_stock,
    create_product,
    receive_stock,
)

if TYPE_CHECKING:
    from jcicons.auth.models import User

logger = logging.getLogger(__name__)

SMALL_HISTORY_DAYS = 180


@dataclass
class _Delivery:
    moment: datetime
    supplier: str
    document: str
    lines: list[tuple[int, int]] = field(default_factory=list)  # (product, qty)


@dataclass
class _Adjustment:
    moment: datetime
    index: int
    reason: MovementReason
    quantity: int
    note: str


# (moment, order within the moment, sequence, event): deliveries first, then
# adjustments, follow-ups of earlier sales, new sales, devices brought in for
# repair and the later steps of repair tickets.
_Event = tuple[
    datetime,
    int,
    int,
    _Delivery | _Adjustment | SaleSlot | FollowUp | RepairVisit | RepairStep,
]


def build_demo(
    actor: User,
    seed: int = DEFAULT_SEED,
    with_users: bool = False,
    progress: Progress | None = None,
) -> DemoSummary:
    """Build the small demo shop: a few hundred products, customers, and six months
    of deliveries, adjustments, sales (with payments on account, returns, voids)
    and repair tickets (parts from stock, payments, releases, comebacks).

    Everything goes through the inventory, customer, sales and repair services.
    With `with_users` the demo staff are made first, and the TECH accounts work
    the repairs; otherwise the acting ADMIN does. Flushes, never commits.
    """
    say = progress or (lambda message: None)
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
    # The repairs draw from their own generator, so the sales history keeps its
    # shape whatever the repair plans ask for.
    repair_rng = random.Random(f"{seed}:repairs")  # noqa: S311 - as above
    before = count_rows()
    today = shop_today()
    start = today - timedelta(days=SMALL_HISTORY_DAYS)
    maker = SerialMaker(rng, *taken_codes())
    specs = shop_catalogue(rng)

    opening = local_moment(start - timedelta(days=3), 8 * 60)
    with frozen_at(opening):
        categories = ensure_categories(actor)
    products = _create_products(rng, specs, categories, maker, actor, opening)
    say(f"{len(products)} products in {len(categories)} categories")

    customers = create_demo_customers(rng, actor, opening + timedelta(hours=1))
    say(f"{len(customers)} customers")
    users: list[tuple[str, str, str | None]] = []
    now = utcnow()
    with frozen_at(opening + timedelta(hours=2)):
        if with_users:
            users = create_demo_users(actor)
        repairs = RepairDesk(
            repair_rng,
            actor,
            demo_technicians(actor),
            customers,
            products,
            specs,
            cutoff=now,
        )

    deliveries = _plan_deliveries(rng, specs, start, today)
    adjustments = _plan_adjustments(rng, specs, deliveries, today)
    slots = plan_sale_slots(rng, start, today)
    visits = plan_visits(repair_rng, start, today, VISITS_PER_DAY)
    desk = SalesDesk(rng, actor, products, customers, cutoff=now)
    events: list[_Event] = [(d.moment, 0, n, d) for n, d in enumerate(deliveries)]
    events += [(a.moment, 1, n, a) for n, a in enumerate(adjustments)]
    events += [(s.moment, 3, n, s) for n, s in enumerate(slots)]
    events += [(m, 4, n, RepairVisit(m)) for n, m in enumerate(visits)]
    heapq.heapify(events)
    follow_ups = itertools.count()
    while events:
        _, _, _, event = heapq.heappop(events)
        later: list[FollowUp | RepairStep] = []
        if isinstance(event, _Delivery):
            _receive(rng, event, products, specs, maker, actor)
        elif isinstance(event, _Adjustment):
            _adjust(rng, products[event.index], event, actor)
        elif isinstance(event, SaleSlot):
            later = list(desk.sell(event))
        elif isinstance(event, FollowUp):
            later = list(desk.follow_up(event))
        elif isinstance(event, RepairVisit):
            later = list(repairs.visit(event))
        else:
            later = list(repairs.step(event))
        for item in later:
            order = 2 if isinstance(item, FollowUp) else 5
            heapq.heappush(events, (item.moment, order, next(follow_ups), item))
    say(
        f"{len(deliveries)} deliveries, {len(adjustments)} adjustments, "
        f"{len(slots)} counter visits and {len(visits)} repair intakes recorded"
    )

    summary = summarise(before)
    summary.users = users
    logger.info("demo shop built (seed %d) by %s", seed, actor.username)
    return summary


def _create_products(
    rng: random.Random,
    specs: list[ProductSpec],
    categories: dict[str, Category],
    maker: SerialMaker,
    actor: User,
    moment: datetime,
) -> list[Product]:
    products = []
    for offset, spec in enumerate(specs):
        restock = RESTOCK.get(spec.category)
        data = ProductData(
            name=spec.name,
            category_id=categories[spec.category].id,
            price_centavos=spec.price_centavos,
            barcode=maker.barcode() if spec.barcode and rng.random() < 0.8 else "",
            brand=spec.brand,
            model=spec.model,
            unit=spec.unit,
            cost_centavos=spec.cost_centavos,
            reorder_level=restock.reorder_level if restock else 0,
            reorder_quantity=restock.reorder_quantity if restock else 0,
            is_service=spec.is_service,
            is_serialized=spec.is_serialized,
        )
        with frozen_at(moment + timedelta(seconds=20 * offset)):
            products.append(create_product(data, actor))
    return products


def _plan_deliveries(
    rng: random.Random, specs: list[ProductSpec], start: date, today: date
) -> list[_Delivery]:
    """Give each supplier a delivery every week or two; share out the receipts."""
    schedule: dict[str, list[_Delivery]] = {}
    for supplier in SUPPLIERS:
        day = start + timedelta(days=rng.randint(0, 6))
        schedule[supplier] = []
        while day < today:
            moment = local_moment(day, rng.randrange(9 * 60, 17 * 60))
            document = f"{rng.choice(('DR', 'SI'))}-{rng.randrange(10_000, 99_999)}"
            schedule[supplier].append(_Delivery(moment, supplier, document))
            day += timedelta(days=rng.randint(7, 14))

    for index, spec in enumerate(specs):
        if spec.is_service:
            continue
        restock = RESTOCK[spec.category]
        for _ in range(rng.randint(*restock.receipts)):
            supplier = rng.choice(suppliers_of(spec.category))
            free = [
                d for d in schedule[supplier] if all(i != index for i, _ in d.lines)
            ]
            if free:
                rng.choice(free).lines.append((index, rng.randint(*restock.units)))
    return [d for plan in schedule.values() for d in plan if d.lines]


def _plan_adjustments(
    rng: random.Random,
    specs: list[ProductSpec],
    deliveries: list[_Delivery],
    today: date,
) -> list[_Adjustment]:
    """Pick about one stocked product in eight for a correction after its receipt."""
    first_receipt: dict[int, datetime] = {}
    for delivery in deliveries:
        for index, _ in delivery.lines:
            if index not in first_receipt or delivery.moment < first_receipt[index]:
                first_receipt[index] = delivery.moment
    chosen = rng.sample(sorted(first_receipt), k=len(first_receipt) // 8)
    adjustments = []
    for index in sorted(chosen):
        first_day = first_receipt[index].astimezone(shop_zone()).date()
        first_day += timedelta(days=1)
        if first_day >= today:
            continue
        day = first_day + timedelta(days=rng.randrange((today - first_day).days))
        moment = local_moment(day, rng.randrange(9 * 60, 19 * 60))
        reason, quantity, note = pick_adjustment(rng, specs[index].is_serialized)
        adjustments.append(_Adjustment(moment, index, reason, quantity, note))
    return adjustments


def _receive(
    rng: random.Random,
    delivery: _Delivery,
    products: list[Product],
    specs: list[ProductSpec],
    maker: SerialMaker,
    actor: User,
) -> None:
    lines = []
    for index, quantity in delivery.lines:
        spec = specs[index]
        serials = (
            [maker.serial(spec) for _ in range(quantity)] if spec.is_serialized else []
        )
        line = ReceivingLineData(
            products[index].id, quantity, unit_cost(rng, spec), serials
        )
        lines.append(line)
    day = delivery.moment.astimezone(shop_zone()).date()
    with frozen_at(delivery.moment):
        receive_stock(delivery.supplier, delivery.document, day, lines, actor)


def _adjust(
    rng: random.Random, product: Product, plan: _Adjustment, actor: User
) -> None:
    """Make a planned adjustment, kept within what is on hand by then."""
    quantity = max(plan.quantity, -product.on_hand)
    if quantity == 0:
        return
    serials: list[str] = []
    if product.is_serialized:
        in_stock = db.session.scalars(
            select(SerialUnit.serial)
            .where(
                SerialUnit.product_id == product.id,
                SerialUnit.status == SerialStatus.IN_STOCK,
            )
            .order_by(SerialUnit.id)
        ).all()
        serials = rng.sample(list(in_stock), -quantity)
    with frozen_at(plan.moment):
        adjust_stock(product, quantity, plan.reason, actor, plan.note, serials)
