"""Store credit: refunded on a return, spent at checkout or on a balance, never
below zero, and kept in the one payment ledger."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jcicons.clock import shop_today
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.sales.cash import money_by_method
from jcicons.sales.models import CreditMemo, Payment, PaymentMethod, Sale
from jcicons.sales.queries import customer_account
from jcicons.sales.services import (
    CartLine,
    CheckoutRequest,
    PaymentInput,
    ReturnInput,
    checkout,
    collect_payment,
    return_items,
    sale_balance,
    store_credit_balance,
    void_sale,
)

SETTINGS = {"VAT_REGISTERED": True, "SALES_DISCOUNT_CAP_PERCENT": 10}
CREDIT = PaymentMethod.STORE_CREDIT


def sell(actor, lines, payments, **kw):
    return checkout(
        CheckoutRequest(uuid.uuid4().hex, lines, payments, **kw), actor, SETTINGS
    )


def cash(amount):
    return PaymentInput(PaymentMethod.CASH, amount)


def credit(amount):
    return PaymentInput(CREDIT, amount)


def give_back(sale, quantity, actor, method=CREDIT):
    """Return `quantity` of the sale's first line, refunded by `method`."""
    item = ReturnInput(sale.lines[0].id, quantity)
    return return_items(sale, [item], "Changed their mind", method, actor)


def ledger(sale_id=None, method=None):
    """Return the sum of the ledger, narrowed to one sale and/or one method."""
    query = select(func.coalesce(func.sum(Payment.amount_centavos), 0))
    if sale_id is not None:
        query = query.where(Payment.sale_id == sale_id)
    if method is not None:
        query = query.where(Payment.method == method.value)
    return db.session.scalar(query)


@pytest.fixture
def credited(cashier, stocked, customer):
    """A customer who returned one of two ₱500 mice bought for cash, as store
    credit; returns (customer, mouse, the sale)."""
    mouse = stocked("Logitech M331", 500_00, on_hand=10)
    buyer = customer("Ana Reyes")
    sale = sell(
        cashier, [CartLine(mouse.id, 2)], [cash(1_000_00)], customer_id=buyer.id
    )
    give_back(sale, 1, cashier)
    return buyer, mouse, sale


def test_a_refund_as_store_credit_issues_a_memo_and_raises_the_balance(
    cashier, credited
):
    buyer, _, sale = credited

    memo = db.session.scalars(select(CreditMemo)).one()
    refund = db.session.scalars(
        select(Payment).where(Payment.amount_centavos < 0)
    ).one()
    assert (memo.number, memo.amount_centavos, memo.refund_method) == (
        "CM-000001",
        500_00,
        "STORE_CREDIT",
    )
    assert (refund.method, refund.amount_centavos, refund.credit_memo_id) == (
        "STORE_CREDIT",
        -500_00,
        memo.id,
    )
    assert sale_balance(sale) == 0
    assert store_credit_balance(buyer.id) == 500_00
    assert customer_account(buyer.id).store_credit_centavos == 500_00


def test_a_walk_in_sale_cannot_be_refunded_as_store_credit(cashier, stocked):
    mouse = stocked("Logitech M331", 500_00, on_hand=2)
    sale = sell(cashier, [CartLine(mouse.id, 1)], [cash(500_00)])

    with pytest.raises(DomainError, match="walk-in sale: store credit") as refused:
        give_back(sale, 1, cashier)

    assert refused.value.field == "refund_method"
    assert mouse.on_hand == 1


def test_store_credit_pays_at_checkout_within_the_balance(cashier, credited):
    buyer, mouse, _ = credited

    sale = sell(
        cashier,
        [CartLine(mouse.id, 2)],
        [credit(500_00), cash(500_00)],
        customer_id=buyer.id,
    )

    assert sale_balance(sale) == 0
    assert ledger(sale.id, CREDIT) == 500_00
    assert store_credit_balance(buyer.id) == 0


def test_spending_more_than_the_balance_is_refused_with_the_figures(cashier, credited):
    buyer, mouse, _ = credited

    with pytest.raises(DomainError) as refused:
        sell(cashier, [CartLine(mouse.id, 2)], [credit(1_000_00)], customer_id=buyer.id)

    assert refused.value.message == (
        "Ana Reyes has ₱500.00 of store credit: a store-credit payment of "
        "₱1,000.00 is more than that."
    )
    assert store_credit_balance(buyer.id) == 500_00


def test_store_credit_needs_a_customer_and_takes_no_cash_tendered(cashier, credited):
    buyer, mouse, _ = credited

    with pytest.raises(DomainError, match="Choose the customer whose store credit"):
        sell(cashier, [CartLine(mouse.id, 1)], [credit(500_00)])
    tendered = PaymentInput(CREDIT, 500_00, tendered_centavos=1_000_00)
    with pytest.raises(DomainError, match="nothing is tendered"):
        sell(cashier, [CartLine(mouse.id, 1)], [tendered], customer_id=buyer.id)


def test_store_credit_pays_an_open_balance_but_not_past_the_credit(cashier, credited):
    buyer, mouse, _ = credited
    buyer.credit_limit_centavos = 5_000_00
    db.session.flush()
    owed = sell(
        cashier,
        [CartLine(mouse.id, 2)],
        [],
        customer_id=buyer.id,
        charge_to_account=True,
        due_date=shop_today() + timedelta(days=30),
    )

    with pytest.raises(DomainError, match=r"has ₱500\.00 of store credit"):
        collect_payment(owed, credit(600_00), cashier)
    collect_payment(owed, credit(300_00), cashier)

    assert sale_balance(owed) == 700_00
    assert store_credit_balance(buyer.id) == 200_00


def test_a_merged_customers_credit_is_spent_by_the_customer_they_joined(
    cashier, credited, customer
):
    duplicate, mouse, _ = credited
    kept = customer("Ana Reyes")
    duplicate.merged_into_id = kept.id
    db.session.flush()

    assert store_credit_balance(kept.id) == 500_00
    assert store_credit_balance(duplicate.id) == 500_00  # follows the merge
    sell(cashier, [CartLine(mouse.id, 1)], [credit(500_00)], customer_id=kept.id)

    assert store_credit_balance(kept.id) == 0
    assert customer_account(kept.id).store_credit_centavos == 0


def test_voiding_a_sale_paid_with_store_credit_gives_the_credit_back(
    admin, cashier, credited
):
    buyer, mouse, _ = credited
    sale = sell(
        cashier,
        [CartLine(mouse.id, 1)],
        [credit(300_00), cash(200_00)],
        customer_id=buyer.id,
    )
    assert store_credit_balance(buyer.id) == 200_00

    void_sale(sale, "Rang up the wrong item", admin)

    assert store_credit_balance(buyer.id) == 500_00
    assert ledger(sale.id, CREDIT) == 0
    assert ledger(sale.id, PaymentMethod.CASH) == 0


def test_a_void_keeps_credit_already_given_and_refunds_only_the_rest(
    admin, cashier, credited
):
    """The return's ₱500 of credit was spent since: the void gives back the other
    ₱500 in cash and never charges the credit, which would go negative."""
    buyer, mouse, sale = credited
    sell(cashier, [CartLine(mouse.id, 1)], [credit(500_00)], customer_id=buyer.id)
    assert store_credit_balance(buyer.id) == 0

    void_sale(sale, "Customer cancelled the order", admin)

    void_rows = db.session.scalars(
        select(Payment).where(Payment.note == f"Void {sale.number}")
    ).all()
    assert [(p.method, p.amount_centavos) for p in void_rows] == [("CASH", -500_00)]
    assert store_credit_balance(buyer.id) == 0
    assert ledger(sale.id) == 0
    assert mouse.on_hand == 10 - 1  # the other sale's mouse is still sold


def test_a_void_leaves_unspent_return_credit_with_the_customer(
    admin, cashier, credited
):
    buyer, _, sale = credited

    void_sale(sale, "Customer cancelled the order", admin)

    assert store_credit_balance(buyer.id) == 500_00
    assert ledger(sale.id, PaymentMethod.CASH) == 500_00  # 1,000 in, 500 back
    assert ledger(sale.id) == 0


def test_a_void_after_a_refund_by_another_method_refunds_no_more_than_was_paid(
    admin, cashier, stocked
):
    mouse = stocked("Logitech M331", 500_00, on_hand=2)
    card = PaymentInput(PaymentMethod.CARD, 1_000_00, reference="AUTH-1")
    sale = sell(cashier, [CartLine(mouse.id, 2)], [card])
    give_back(sale, 1, cashier, PaymentMethod.CASH)

    void_sale(sale, "Customer cancelled the order", admin)

    assert ledger(sale.id, PaymentMethod.CARD) == 500_00
    assert ledger(sale.id, PaymentMethod.CASH) == -500_00
    assert ledger(sale.id) == 0


def test_store_credit_is_not_money_in_the_days_cash(cashier, credited):
    buyer, mouse, _ = credited
    sell(cashier, [CartLine(mouse.id, 1)], [credit(500_00)], customer_id=buyer.id)

    assert money_by_method(shop_today()) == {"CASH": 1_000_00}


def test_two_counters_spending_the_same_credit_at_once_one_succeeds(
    app, cashier, credited
):
    buyer, mouse, _ = credited
    db.session.commit()
    buyer_id, product_id, cashier_id = buyer.id, mouse.id, cashier.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def spend() -> None:
        with app.app_context():
            from jcicons.auth.models import User

            seller = db.session.get(User, cashier_id)
            barrier.wait()
            try:
                sell(
                    seller,
                    [CartLine(product_id, 1)],
                    [credit(500_00)],
                    customer_id=buyer_id,
                )
                db.session.commit()
                outcomes.append("sold")
            except DomainError as exc:
                db.session.rollback()
                outcomes.append(exc.message)

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == [
        "Ana Reyes has ₱0.00 of store credit: a store-credit payment of ₱500.00 is "
        "more than that.",
        "sold",
    ]
    db.session.expire_all()
    assert store_credit_balance(buyer_id) == 0
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 2
