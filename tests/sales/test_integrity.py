"""`check-integrity` on sales: a real history passes, and each kind of damage to
it is named."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from jcicons.clock import shop_today
from jcicons.extensions import db
from jcicons.sales.integrity import sales_problems
from jcicons.sales.models import PaymentMethod, Sale
from jcicons.sales.services import (
    CartLine,
    CheckoutRequest,
    PaymentInput,
    ReturnInput,
    checkout,
    return_items,
    void_sale,
)

SETTINGS = {"VAT_REGISTERED": True, "SALES_DISCOUNT_CAP_PERCENT": 10}


def sell(actor, lines, payments, **kw) -> Sale:
    return checkout(
        CheckoutRequest(uuid.uuid4().hex, lines, payments, **kw), actor, SETTINGS
    )


def cash(amount, tendered=None):
    return PaymentInput(PaymentMethod.CASH, amount, tendered_centavos=tendered)


@pytest.fixture
def history(admin, cashier, stocked, customer) -> dict[str, Sale]:
    """INV-1 cash with a return (CM-1), INV-2 voided, INV-3 on credit half paid."""
    mouse = stocked("Logitech M331", 899_00, on_hand=10, cost=500_00)
    ink = stocked("Epson 003 ink", 350_00, on_hand=10, vat_class="EXEMPT")
    cleaning = stocked("Laptop cleaning", 500_00, is_service=True)
    returned = sell(
        cashier,
        [CartLine(mouse.id, 2), CartLine(ink.id, 1), CartLine(cleaning.id, 1)],
        [cash(2_648_00, tendered=3_000_00)],
    )
    return_items(
        returned,
        [ReturnInput(returned.lines[0].id, 1)],
        "Wrong colour",
        PaymentMethod.CASH,
        cashier,
    )
    voided = sell(cashier, [CartLine(mouse.id, 1)], [cash(899_00)])
    void_sale(voided, "Rung up twice", admin)
    client = customer(credit_limit=10_000_00)
    on_credit = sell(
        cashier,
        [CartLine(mouse.id, 3)],
        [cash(1_000_00)],
        customer_id=client.id,
        charge_to_account=True,
        due_date=shop_today() + timedelta(days=30),
    )
    return {"returned": returned, "voided": voided, "on_credit": on_credit}


def damage(statement: str, **values) -> list[str]:
    db.session.execute(text(statement), values)
    return sales_problems()


def test_a_real_history_of_sales_returns_and_voids_is_sound(history):
    assert sales_problems() == []


def test_a_total_that_is_not_its_lines_is_named(history):
    sale = history["returned"]

    problems = damage("UPDATE sales SET total_centavos = 1 WHERE id = :id", id=sale.id)

    assert "INV-000001: the total is not the sum of its lines" in problems
    assert (
        "INV-000001: the VAT breakdown does not add up to the total (or a non-VAT "
        "sale shows one)" in problems
    )


def test_a_line_whose_net_is_not_its_price_less_discounts_is_named(history):
    line = history["on_credit"].lines[0]

    problems = damage(
        "UPDATE sale_lines SET net_centavos = net_centavos - 100 WHERE id = :id",
        id=line.id,
    )

    assert (
        f"INV-000003: line {line.sku} does not come to its price less its discounts"
        in problems
    )
    assert "INV-000003: the total is not the sum of its lines" in problems


def test_a_discount_the_lines_do_not_carry_is_named(history):
    problems = damage(
        "UPDATE sales SET sale_discount_centavos = 50 WHERE id = :id",
        id=history["on_credit"].id,
    )

    assert problems == [
        "INV-000003: the subtotal or discounts are not the sums of its lines"
    ]


def test_a_returned_quantity_without_its_memo_is_named(history):
    line = history["returned"].lines[0]

    problems = damage(
        "UPDATE sale_lines SET returned_quantity = 2 WHERE id = :id", id=line.id
    )

    assert problems == [
        f"INV-000001: line {line.sku} shows 2 returned, its credit memos 1 (or more "
        "than was sold)"
    ]


def test_a_memo_amount_that_is_not_its_lines_is_named(history):
    problems = damage("UPDATE credit_memos SET amount_centavos = amount_centavos + 1")

    assert "CM-000001: the amount is not the sum of its lines" in problems


def test_money_paid_beyond_the_total_is_named(history, cashier):
    sale = history["on_credit"]

    problems = damage(
        "INSERT INTO payments (amount_centavos, method, reference, sale_id, note, "
        "received_by_id, created_at) VALUES (200000, 'CASH', '', :sale, '', :user, "
        "CURRENT_TIMESTAMP)",
        sale=sale.id,
        user=cashier.id,
    )

    assert problems == [
        "INV-000003: paid 300000 and returned 0 against a total of 269700"
    ]


def test_a_void_sale_that_keeps_money_is_named(history):
    sale = history["voided"]

    problems = damage(
        "DELETE FROM payments WHERE sale_id = :id AND amount_centavos < 0", id=sale.id
    )

    assert problems == ["INV-000002: void, but the ledger still holds 89900"]


def test_a_ledger_that_gave_back_more_than_was_paid_is_named(history):
    sale = history["on_credit"]

    problems = damage(
        "UPDATE payments SET amount_centavos = -100 WHERE sale_id = :id", id=sale.id
    )

    assert problems == ["INV-000003: the ledger gave back more than was paid"]


def test_a_row_of_no_document_and_a_cash_row_that_does_not_add_up_are_named(history):
    problems = damage(
        "UPDATE payments SET change_centavos = change_centavos + 1 "
        "WHERE tendered_centavos IS NOT NULL"
    )
    problems += damage(
        "UPDATE payments SET sale_id = NULL WHERE sale_id = :id",
        id=history["voided"].id,
    )

    assert (
        "Payments: 1 cash row(s) where tendered less change is not the amount"
        in problems
    )
    assert "Payments: 2 ledger row(s) belong to no document" in problems


def test_stock_a_sale_did_not_take_out_is_named(history):
    sale = history["on_credit"]
    product = sale.lines[0].product_id

    problems = damage(
        "UPDATE stock_movements SET reference_id = NULL WHERE reference_type = 'sale' "
        "AND reference_id = :id",
        id=sale.id,
    )

    assert problems == [
        f"INV-000003: product {product} should be 3 out of stock, the ledger has 0"
    ]


def test_a_gap_in_the_invoice_numbers_is_named(history):
    problems = damage("UPDATE counters SET value = value + 2 WHERE key = 'invoice'")

    assert problems == ["Invoices: the counter stands at 5; missing: 4, 5"]


def test_a_number_above_the_counter_is_named(history):
    problems = damage(
        "UPDATE credit_memos SET number = 'CM-000009' WHERE number = 'CM-000001'"
    )

    assert problems == [
        "Credit memos: the counter stands at 1; missing: 1",
        "Credit memos: above the counter's 1, so it would hand them out again: 9",
    ]


def test_a_number_that_is_not_a_count_is_named(history):
    problems = damage("UPDATE sales SET number = 'INV-X' WHERE number = 'INV-000002'")

    assert problems == [
        "Invoices: the counter stands at 3; missing: 2",
        "Invoices: not numbered INV-N: INV-X",
    ]
