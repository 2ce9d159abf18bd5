"""`jcicons check-integrity`: every module's invariants, named when broken."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from helpers import TEST_DATABASE_URL
from jcicons.extensions import db


def corrupt(app, statement: str, **values: object) -> None:
    with app.app_context():
        db.session.execute(text(statement), values)
        db.session.commit()


@pytest.fixture
def ram(seed) -> int:
    product = seed.product("DDR4 8GB", "RAM", sku="RAM-8")
    seed.receive(product, 4)
    return product


def test_sound_stock_passes(runner, ram):
    result = runner.invoke(args=["check-integrity"])

    assert result.exit_code == 0, result.output
    assert "Stock: consistent, 1 product(s) checked." in result.output
    assert "Sales and payments: consistent, 0 sale(s) checked." in result.output


def test_on_hand_that_disagrees_with_the_ledger_fails(app, runner, ram):
    corrupt(app, "UPDATE products SET on_hand = on_hand + 2 WHERE id = :id", id=ram)

    result = runner.invoke(args=["check-integrity"])

    assert result.exit_code == 1
    assert "RAM-8 (product" in result.output
    assert "on hand 6, but the ledger sums to 4" in result.output


def test_a_serialized_product_must_have_a_unit_in_stock_per_piece(app, runner, seed):
    phone = seed.product("Galaxy A15", "Phones", sku="PH-A15", is_serialized=True)
    seed.receive(phone, 2, serials=["IMEI-1", "IMEI-2"])
    corrupt(app, "UPDATE serial_units SET status = 'SOLD' WHERE serial = 'IMEI-1'")

    result = runner.invoke(args=["check-integrity"])

    assert result.exit_code == 1
    assert (
        "PH-A15" in result.output and "but 1 serial units are in stock" in result.output
    )


@pytest.mark.skipif(
    TEST_DATABASE_URL.startswith("postgresql"),
    reason="PostgreSQL always enforces the CHECK constraint that forbids this",
)
def test_a_negative_on_hand_fails(app, runner, ram):
    with app.app_context(), db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
        connection.execute(
            text("UPDATE products SET on_hand = -1 WHERE id = :id"), {"id": ram}
        )
        connection.commit()
        connection.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")

    result = runner.invoke(args=["check-integrity"])

    assert result.exit_code == 1
    assert (
        "RAM-8 (product" in result.output
        and "on hand is negative (-1)" in result.output
    )


def test_every_module_is_checked_and_named_in_the_report(app, runner, ram):
    corrupt(app, "INSERT INTO counters (key, value) VALUES ('invoice', 1)")

    result = runner.invoke(args=["check-integrity"])

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Stock: consistent, 1 product(s) checked.",
        "FAIL Invoices: the counter stands at 1; missing: 1",
        "Sales and payments: 1 problem(s).",
        "Repairs: consistent, 0 ticket(s) checked.",
        "",
        "1 problem(s) found.",
    ]
