"""The large demo shop planned in memory, by the rules the stock services enforce.

Each product's receipts and adjustments are played in time order: on-hand never
goes below zero, a serialized product moves one unit (and one ledger row) at a
time, a receipt folds into the moving-average cost through
`stock.moving_average_cost`, and an adjustment leaves a serial unit in the status
`adjust_stock` would give it. Parts the repair history asks for (`PartUse`) are
taken in the same time order, as `add_part` would take them: only from stock on
hand, at the cost of the moment. `bulk` then inserts the plan as it stands.
"""

from __future__ import annotations

import math
import random
from collections import Counter as Tally
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from jcicons.clock import shop_zone
from jcicons.demo.catalogue import (
    RESTOCK,
    SUPPLIERS,
    ProductSpec,
    suppliers_of,
)
from jcicons.demo.common import local_moment, pick_adjustment, unit_cost
from jcicons.demo.serials import SerialMaker
from jcicons.inventory.models import MovementReason, SerialStatus
from jcicons.inventory.services import SERIAL_STATUS_AFTER
from jcicons.inventory.stock import moving_average_cost

LINES_PER_RECEIVING = 10
# Products get up to this many times the small shop's receipts: the history is longer.
RECEIPT_FACTOR = 2
# One fast-moving product gets a long ledger, for the product page benchmark.
LONG_HISTORY_NAME = "Epson 003 ink bottle 65ml Black"
LONG_HISTORY_RECEIPTS = 1_500


@dataclass(slots=True)
class Movement:
    """One planned ledger row; products, receivings and units are plan indices."""

    moment: datetime
    sequence: int
    product: int
    quantity: int
    on_hand_after: int
    unit_cost_centavos: int
    reason: str
    receiving: int | None
    unit: int | None
    note: str
    ticket: int | None = None

    @property
    def sort_key(self) -> tuple[datetime, int]:
        """Return the order rows are inserted in: by time, then as planned."""
        return self.moment, self.sequence


@dataclass(slots=True)
class PartUse:
    """A part a planned repair ticket takes from stock; the stock plan grants it
    when the shelf has it at that moment, at the product's cost then."""

    moment: datetime
    product: int
    quantity: int
    ticket: int
    note: str = ""
    granted: bool = False
    unit_cost_centavos: int = 0


@dataclass(slots=True)
class PlannedUnit:
    """One serialized unit: its product, serial, status now and receiving."""

    product: int
    serial: str
    status: SerialStatus
    receiving: int


@dataclass
class LargePlan:
    """The whole large shop in memory, before any of it is inserted."""

    specs: list[ProductSpec]
    receivings: list[tuple[datetime, int, str]] = field(default_factory=list)
    lines: list[tuple[int, int, int, int]] = field(default_factory=list)
    units: list[PlannedUnit] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    on_hand: list[int] = field(default_factory=list)
    cost: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.on_hand = [0] * len(self.specs)
        self.cost = [spec.cost_centavos for spec in self.specs]

    def record(
        self,
        moment: datetime,
        product: int,
        quantity: int,
        reason: MovementReason,
        unit_cost_centavos: int | None = None,
        receiving: int | None = None,
        unit: int | None = None,
        note: str = "",
        ticket: int | None = None,
    ) -> None:
        """Move a product's planned stock and keep the ledger row, as move_stock does.

        Without a unit cost the row carries the product's cost at that moment.
        """
        after = self.on_hand[product] + quantity
        if after < 0:
            raise ValueError("a planned movement would take stock below zero")
        self.on_hand[product] = after
        self.movements.append(
            Movement(
                moment,
                len(self.movements),
                product,
                quantity,
                after,
                self.cost[product]
                if unit_cost_centavos is None
                else unit_cost_centavos,
                reason.value,
                receiving,
                unit,
                note,
                ticket,
            )
        )


def plan_large_shop(
    rng: random.Random,
    specs: list[ProductSpec],
    start: date,
    end: date,
    maker: SerialMaker,
    long_history_receipts: int = LONG_HISTORY_RECEIPTS,
    uses: Sequence[PartUse] = (),
) -> LargePlan:
    """Plan every receiving, serial unit and ledger row from `start` to `end`.

    Each of `uses` is granted (or not) as its product's history is played.
    """
    plan = LargePlan(specs)
    per_product = _plan_receivings(rng, plan, start, end, long_history_receipts)
    wanted: dict[int, list[PartUse]] = {}
    for use in uses:
        wanted.setdefault(use.product, []).append(use)
    for index, receivings in enumerate(per_product):
        if receivings:
            _play(
                rng,
                plan,
                index,
                receivings,
                maker,
                end,
                long_history_receipts,
                wanted.get(index, []),
            )
    plan.movements.sort(key=lambda movement: movement.sort_key)
    return plan


def _plan_receivings(
    rng: random.Random,
    plan: LargePlan,
    start: date,
    end: date,
    long_history_receipts: int,
) -> list[list[int]]:
    """Make the suppliers' deliveries; return each product's receivings, in order."""
    suppliers = list(SUPPLIERS)
    position = {name: i for i, name in enumerate(suppliers)}
    chosen: list[list[int]] = []
    lines = [0] * len(suppliers)
    most = [0] * len(suppliers)
    for spec in plan.specs:
        if spec.is_service:
            chosen.append([])
            continue
        low, high = RESTOCK[spec.category].receipts
        count = (
            long_history_receipts
            if spec.name == LONG_HISTORY_NAME
            else rng.randint(low, high * RECEIPT_FACTOR)
        )
        options = [position[name] for name in suppliers_of(spec.category)]
        picks = [rng.choice(options) for _ in range(count)]
        for supplier, times in Tally(picks).items():
            lines[supplier] += times
            most[supplier] = max(most[supplier], times)
        chosen.append(picks)

    days = (end - start).days
    for supplier in range(len(suppliers)):
        # Enough deliveries for about ten lines each, and never a product twice
        # on one delivery.
        wanted = max(math.ceil(lines[supplier] / LINES_PER_RECEIVING), most[supplier])
        for _ in range(wanted):
            day = start + timedelta(days=rng.randrange(days))
            moment = local_moment(day, rng.randrange(9 * 60, 17 * 60))
            document = f"{rng.choice(('DR', 'SI'))}-{rng.randrange(10**5, 10**6)}"
            plan.receivings.append((moment, supplier, document))
    plan.receivings.sort()
    pools: list[list[int]] = [[] for _ in suppliers]
    for index, (_, supplier, _) in enumerate(plan.receivings):
        pools[supplier].append(index)

    per_product = []
    for picks in chosen:
        receivings: list[int] = []
        for supplier, times in sorted(Tally(picks).items()):
            receivings += rng.sample(pools[supplier], times)
        per_product.append(sorted(receivings))
    return per_product


def _adjustment_moments(
    rng: random.Random, first: datetime, end: date, count: int
) -> list[datetime]:
    """Return `count` shop-hour moments from two days after `first` up to `end`."""
    first_day = first.astimezone(shop_zone()).date() + timedelta(days=2)
    if count == 0 or first_day >= end:
        return []
    span = (end - first_day).days
    return [
        local_moment(
            first_day + timedelta(days=rng.randrange(span)),
            rng.randrange(9 * 60, 19 * 60),
        )
        for _ in range(count)
    ]


def _play(
    rng: random.Random,
    plan: LargePlan,
    index: int,
    receivings: list[int],
    maker: SerialMaker,
    end: date,
    long_history_receipts: int,
    uses: list[PartUse],
) -> None:
    """Play one product's receipts, adjustments and repair uses in time order."""
    spec = plan.specs[index]
    restock = RESTOCK[spec.category]
    if spec.name == LONG_HISTORY_NAME:
        count = long_history_receipts // 8
    else:
        count = rng.choices((0, 1, 2), (65, 27, 8))[0]
    first = plan.receivings[receivings[0]][0]
    # (moment, what, which): adjustments (0) before receipts (1) before uses (2).
    events = [(plan.receivings[r][0], 1, r) for r in receivings]
    events += [
        (moment, 0, -1) for moment in _adjustment_moments(rng, first, end, count)
    ]
    events += [(use.moment, 2, n) for n, use in enumerate(uses)]
    events.sort()
    in_stock: list[int] = []
    for moment, what, receiving in events:
        if what == 0:
            _adjust(rng, plan, index, moment, in_stock)
            continue
        if what == 2:
            _use(plan, index, uses[receiving])
            continue
        quantity = rng.randint(*restock.units)
        cost = unit_cost(rng, spec)
        plan.lines.append((receiving, index, quantity, cost))
        before = plan.on_hand[index]
        if spec.is_serialized:
            for _ in range(quantity):
                in_stock.append(len(plan.units))
                plan.units.append(
                    PlannedUnit(
                        index, maker.serial(spec), SerialStatus.IN_STOCK, receiving
                    )
                )
                plan.record(
                    moment,
                    index,
                    1,
                    MovementReason.RECEIVED,
                    cost,
                    receiving,
                    in_stock[-1],
                )
        else:
            plan.record(
                moment, index, quantity, MovementReason.RECEIVED, cost, receiving
            )
        plan.cost[index] = moving_average_cost(before, plan.cost[index], quantity, cost)


def _adjust(
    rng: random.Random,
    plan: LargePlan,
    index: int,
    moment: datetime,
    in_stock: list[int],
) -> None:
    """Plan one adjustment, kept within what is on hand at that moment."""
    if plan.specs[index].is_serialized:
        if not in_stock:
            return
        reason, _, note = pick_adjustment(rng, serialized=True)
        unit = in_stock.pop(rng.randrange(len(in_stock)))
        plan.units[unit].status = SERIAL_STATUS_AFTER[reason]
        plan.record(moment, index, -1, reason, unit=unit, note=note)
        return
    reason, wanted, note = pick_adjustment(rng, serialized=False)
    quantity = max(wanted, -plan.on_hand[index])
    if quantity == 0:
        return
    plan.record(moment, index, quantity, reason, note=note)


def _use(plan: LargePlan, index: int, use: PartUse) -> None:
    """Take a repair's part from stock when the shelf has it, at today's cost."""
    if plan.on_hand[index] < use.quantity:
        return
    use.granted = True
    use.unit_cost_centavos = plan.cost[index]
    plan.record(
        use.moment,
        index,
        -use.quantity,
        MovementReason.REPAIR_PART,
        note=use.note,
        ticket=use.ticket,
    )
