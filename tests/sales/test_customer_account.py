"""A customer's account: totals over all their sales, merged customers included."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from jcicons import clock
from jcicons.exceptions import DomainError
from jcicons.sales.models import PaymentMethod
from jcicons.sales.queries import CustomerAccount, customer_account
from jcicons.sales.services import (
    CartLine,
    CheckoutRequest,
    PaymentInput,
    checkout,
    collect_payment,
    customer_open_balance,
    void_sale,
)

SETTINGS = {"VAT_REGISTERED": True, "SALES_DISCOUNT_CAP_PERCENT": 10}


def on_account(product_id, quantity, customer_id, paid=0, due=None):
    payments = [PaymentInput(PaymentMethod.CASH, paid)] if paid else []
    return CheckoutRequest(
        uuid.uuid4().hex,
        [CartLine(product_id, quantity)],
        payments,
        customer_id=customer_id,
        charge_to_account=True,
        due_date=due or clock.shop_today() + timedelta(days=30),
    )


def test_an_overdue_credit_sale_is_counted_until_it_is_paid(cashier, stocked, customer):
    printer = stocked("Epson L3210", 9_000_00, on_hand=2)
    buyer = customer(credit_limit=20_000_00)
    with clock.frozen_at(datetime(2026, 11, 2, tzinfo=UTC)):
        sale = checkout(
            on_account(printer.id, 1, buyer.id, 1_000_00, date(2026, 11, 30)),
            cashier,
            SETTINGS,
        )

    assert customer_account(buyer.id, date(2026, 12, 1)) == CustomerAccount(
        9_000_00, 1_000_00, 0, 8_000_00, 8_000_00, 1
    )
    assert customer_account(buyer.id, date(2026, 11, 30)).overdue_count == 0

    collect_payment(sale, PaymentInput(PaymentMethod.CASH, 8_000_00), cashier)

    assert customer_account(buyer.id, date(2026, 12, 1)) == CustomerAccount(
        9_000_00, 9_000_00, 0, 0, 0, 0
    )


def test_a_void_credit_sale_is_owed_nothing(admin, cashier, stocked, customer):
    printer = stocked("Epson L3210", 9_000_00, on_hand=1)
    buyer = customer(credit_limit=20_000_00)
    sale = checkout(on_account(printer.id, 1, buyer.id, 2_000_00), cashier, SETTINGS)

    void_sale(sale, "Wrong model", admin)

    assert customer_account(buyer.id) == CustomerAccount()
    assert customer_open_balance(buyer.id) == 0


def test_the_credit_limit_counts_what_merged_customers_owe(
    admin, cashier, stocked, customer
):
    printer = stocked("Epson L3210", 9_000_00, on_hand=2)
    kept = customer("Ana Reyes", credit_limit=15_000_00)
    duplicate = customer("Ana Reyes", credit_limit=15_000_00)
    checkout(on_account(printer.id, 1, duplicate.id), cashier, SETTINGS)
    duplicate.merged_into_id = kept.id

    assert customer_open_balance(kept.id) == 9_000_00
    with pytest.raises(DomainError, match="credit limit"):
        checkout(on_account(printer.id, 1, kept.id), cashier, SETTINGS)
