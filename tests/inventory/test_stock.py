"""The stock ledger rules: one service moves stock, never below zero, always summed."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from jcicons.extensions import db
from jcicons.inventory.models import MovementReason, Product, StockMovement
from jcicons.inventory.services import ReceivingLineData, adjust_stock, receive_stock
from jcicons.inventory.stock import (
    InsufficientStock,
    StockRuleError,
    ledger_mismatches,
    move_stock,
)


def receive(admin, product, quantity, cost=50_00, serials=()):
    line = ReceivingLineData(product.id, quantity, cost, list(serials))
    return receive_stock("Octagon Computer", "DR-1", date(2026, 12, 1), [line], admin)


def test_receiving_moves_stock_and_writes_one_ledger_row(admin, make_product):
    product = make_product()
    receiving = receive(admin, product, 5)
    movement = db.session.scalars(select(StockMovement)).one()
    assert product.on_hand == 5
    assert (movement.quantity, movement.on_hand_after, movement.reason) == (
        5,
        5,
        "RECEIVED",
    )
    assert (movement.reference_type, movement.reference_id) == (
        "receiving",
        receiving.id,
    )


def test_taking_more_than_on_hand_is_refused_and_changes_nothing(admin, make_product):
    product = make_product()
    receive(admin, product, 2)
    with pytest.raises(InsufficientStock, match="Only 2 pc of ThinkPad T14 on hand; 3"):
        move_stock(product, -3, MovementReason.SOLD, admin, "sale", 1)
    assert (
        db.session.scalar(select(Product.on_hand).where(Product.id == product.id)) == 2
    )
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 1


def test_service_products_never_touch_stock(admin, make_product):
    labour = make_product("Labour: reformat", category="Services", is_service=True)
    with pytest.raises(StockRuleError, match="is a service"):
        move_stock(labour, 1, MovementReason.FOUND, admin, "adjustment")


@pytest.mark.parametrize("reason", [MovementReason.RECEIVED, MovementReason.SOLD])
def test_archived_products_cannot_be_received_or_sold(admin, make_product, reason):
    product = make_product()
    move_stock(product, 3, MovementReason.FOUND, admin, "adjustment")
    product.is_archived = True
    with pytest.raises(StockRuleError, match="archived"):
        move_stock(
            product, -1 if reason == MovementReason.SOLD else 1, reason, admin, "x"
        )


def test_receiving_updates_the_moving_average_cost(admin, make_product):
    product = make_product()
    receive(admin, product, 2, cost=100_00)
    receive(admin, product, 1, cost=130_00)
    # (2 x 100.00 + 1 x 130.00) / 3 = 110.00
    assert product.cost_centavos == 110_00
    receive(admin, product, 2, cost=100_01)
    # (3 x 110.00 + 2 x 100.01) / 5 = 106.004 -> 106.00
    assert product.cost_centavos == 106_00


def test_other_adjustment_needs_a_note(admin, make_product):
    product = make_product()
    with pytest.raises(Exception, match="note is required"):
        adjust_stock(product, 1, MovementReason.OTHER, admin, note="  ")
    adjust_stock(product, 1, MovementReason.OTHER, admin, note="Found in the back room")
    assert product.on_hand == 1


def test_serialized_units_are_received_one_serial_each_and_checked_unique(
    admin, make_product
):
    phone = make_product("Galaxy A15", category="Phones", is_serialized=True)
    receive(admin, phone, 2, serials=["imei-1111", "IMEI-2222"])
    assert phone.on_hand == 2
    with pytest.raises(Exception, match="IMEI-1111 is already in the system"):
        receive(admin, phone, 1, serials=["imei-1111"])
    with pytest.raises(Exception, match="one serial number per unit"):
        receive(admin, phone, 2, serials=["IMEI-3333"])


def test_ledger_sums_to_on_hand_after_mixed_movements(admin, make_product):
    product = make_product()
    receive(admin, product, 10)
    adjust_stock(product, -3, MovementReason.DAMAGED, admin)
    move_stock(product, -4, MovementReason.SOLD, admin, "sale", 7)
    adjust_stock(product, 2, MovementReason.FOUND, admin)
    assert product.on_hand == 5
    assert ledger_mismatches() == []


def test_ledger_mismatch_is_reported(admin, make_product):
    product = make_product()
    receive(admin, product, 4)
    db.session.execute(Product.__table__.update().values(on_hand=9))
    assert ledger_mismatches() == [(product.id, product.sku, 9, 4)]


def test_two_counters_taking_the_last_unit_one_succeeds(app, admin, make_product):
    product = make_product()
    receive(admin, product, 1)
    db.session.commit()
    product_id, admin_id = product.id, admin.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sell() -> None:
        with app.app_context():
            from jcicons.auth.models import User

            seller = db.session.get(User, admin_id)
            item = db.session.get(Product, product_id)
            barrier.wait()
            try:
                move_stock(item, -1, MovementReason.SOLD, seller, "sale", 1)
                db.session.commit()
                outcomes.append("sold")
            except InsufficientStock:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=sell) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "sold"]
    db.session.expire_all()
    assert db.session.get(Product, product_id).on_hand == 0
    assert ledger_mismatches() == []
