"""Stock invariants under random sequences of receipts, adjustments and sales.

Hypothesis runs many examples inside one test function: each example makes its
own fresh products, so it starts from a clean state whatever came before.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from jcicons.clock import shop_today
from jcicons.extensions import db
from jcicons.inventory.models import (
    ADJUSTMENT_REASONS,
    MovementReason,
    Product,
    SerialStatus,
    SerialUnit,
    StockMovement,
)
from jcicons.inventory.services import ReceivingLineData, adjust_stock, receive_stock
from jcicons.inventory.stock import InsufficientStock, ledger_mismatches, move_stock

PRODUCTS = 3
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    # The fixtures give one ADMIN and one category for all examples; every example
    # makes its own products, so nothing leaks from one example into the next.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

product = st.integers(min_value=0, max_value=PRODUCTS - 1)
receive_step = st.tuples(st.just("receive"), product, st.integers(1, 20))
adjust_step = st.tuples(
    st.just("adjust"),
    product,
    st.integers(-20, 20).filter(bool),
    st.sampled_from(ADJUSTMENT_REASONS),
)
take_step = st.tuples(st.just("take"), product, st.integers(1, 20))
steps = st.lists(st.one_of(receive_step, adjust_step, take_step), max_size=30)

serials = (f"SN-{n:08d}" for n in itertools.count())


def stored_on_hand(item: Product) -> int:
    return int(db.session.scalar(select(Product.on_hand).where(Product.id == item.id)))


def ledger_of(item: Product) -> tuple[int, int, int | None]:
    """Return (rows, sum, last on_hand_after) of a product's ledger."""
    rows = db.session.execute(
        select(StockMovement.quantity, StockMovement.on_hand_after)
        .where(StockMovement.product_id == item.id)
        .order_by(StockMovement.id)
    ).all()
    last = rows[-1][1] if rows else None
    return len(rows), sum(row[0] for row in rows), last


def receive(admin, item: Product, quantity: int, serial_numbers=()) -> None:
    line = ReceivingLineData(item.id, quantity, 250_00, list(serial_numbers))
    receive_stock("Gilmore Parts Trading", "DR-1", shop_today(), [line], admin)


def apply(admin, item: Product, step: tuple) -> int:
    """Carry out one step; return the signed change it asked for."""
    kind, _, quantity, *rest = step
    if kind == "receive":
        receive(admin, item, quantity)
        return quantity
    if kind == "adjust":
        adjust_stock(item, quantity, rest[0], admin, note="Property check")
        return quantity
    move_stock(item, -quantity, MovementReason.SOLD, admin, "sale", None)
    return -quantity


@EXAMPLES
@given(plan=steps)
def test_any_mix_of_moves_keeps_the_ledger_equal_to_on_hand(admin, make_product, plan):
    items = [make_product(f"Property item {n}") for n in range(PRODUCTS)]
    expected = [0] * PRODUCTS

    for step in plan:
        item = items[step[1]]
        rows_before = ledger_of(item)[0]
        change = step[2] if step[0] != "take" else -step[2]
        try:
            apply(admin, item, step)
        except InsufficientStock as refusal:
            # Refused only when there really was too little, and nothing changed.
            assert expected[step[1]] + change < 0
            assert refusal.available == expected[step[1]]
            assert stored_on_hand(item) == expected[step[1]]
            assert ledger_of(item)[0] == rows_before
            continue
        expected[step[1]] += change
        assert expected[step[1]] >= 0
        assert stored_on_hand(item) == expected[step[1]]

    for item, quantity in zip(items, expected, strict=True):
        rows, total, last = ledger_of(item)
        assert total == stored_on_hand(item) == quantity
        assert last == (quantity if rows else None)
    assert ledger_mismatches() == []


serial_steps = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(1, 4)),
        st.tuples(
            st.just("remove"),
            st.integers(1, 3),
            st.sampled_from(
                [r for r in ADJUSTMENT_REASONS if r != MovementReason.FOUND]
            ),
        ),
        st.tuples(st.just("found"), st.integers(1, 2)),
    ),
    max_size=15,
)


def units_in(item: Product, status: SerialStatus) -> list[str]:
    return list(
        db.session.scalars(
            select(SerialUnit.serial)
            .where(SerialUnit.product_id == item.id, SerialUnit.status == status)
            .order_by(SerialUnit.id)
        )
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(plan=serial_steps)
def test_serialized_stock_always_has_one_unit_per_piece_on_hand(
    admin, make_product, plan
):
    phone = make_product("Galaxy A15 8GB/256GB", category="Phones", is_serialized=True)

    for kind, quantity, *rest in plan:
        in_stock = units_in(phone, SerialStatus.IN_STOCK)
        if kind == "receive":
            receive(admin, phone, quantity, [next(serials) for _ in range(quantity)])
        elif kind == "remove" and in_stock:
            leaving = in_stock[: min(quantity, len(in_stock))]
            adjust_stock(phone, -len(leaving), rest[0], admin, "Property", leaving)
        elif kind == "found":
            # A written-off unit may turn up again, or one never recorded.
            back = units_in(phone, SerialStatus.WRITTEN_OFF)[:1] or [next(serials)]
            adjust_stock(phone, 1, MovementReason.FOUND, admin, "", back)
        in_stock = units_in(phone, SerialStatus.IN_STOCK)
        assert stored_on_hand(phone) == len(in_stock)
        assert ledger_of(phone)[1] == len(in_stock)

    # Each ledger row of a serialized product moves exactly one named unit.
    unnamed = db.session.scalar(
        select(func.count()).where(
            StockMovement.product_id == phone.id,
            (StockMovement.serial_unit_id.is_(None))
            | (func.abs(StockMovement.quantity) != 1),
        )
    )
    assert unnamed == 0
    assert ledger_mismatches() == []


@pytest.mark.parametrize("reason", ADJUSTMENT_REASONS)
def test_a_refused_adjustment_changes_nothing(admin, make_product, reason):
    item = make_product()
    receive(admin, item, 2)
    with pytest.raises(InsufficientStock):
        adjust_stock(item, -3, reason, admin, note="Too many")
    assert stored_on_hand(item) == 2
    assert ledger_of(item) == (1, 2, 2)
