"""Returns issue credit memos and refunds; voids restock and reverse; nothing goes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from jcicons import clock
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import SerialUnit
from jcicons.inventory.stock import ledger_mismatches
from jcicons.sales.cash import money_by_method, record_cash_count
from jcicons.sales.models import Payment, PaymentMethod, Sale
from jcicons.sales.services import (
    CartLine,
    CheckoutRequest,
    PaymentInput,
    ReturnInput,
    checkout,
    return_items,
    sale_balance,
    void_sale,
)

SETTINGS = {"VAT_REGISTERED": True, "SALES_DISCOUNT_CAP_PERCENT": 10}


def sell(actor, lines, payments, **kw):
    return checkout(
        CheckoutRequest(uuid.uuid4().hex, lines, payments, **kw), actor, SETTINGS
    )


def cash(amount):
    return PaymentInput(PaymentMethod.CASH, amount)


def test_a_return_restocks_issues_a_memo_and_refunds_the_paid_amount(cashier, stocked):
    mouse = stocked("Logitech M331", 899_00, on_hand=3)
    sale = sell(cashier, [CartLine(mouse.id, 2)], [cash(1_798_00)])
    memo = return_items(
        sale,
        [ReturnInput(sale.lines[0].id, 1)],
        "Wrong colour",
        PaymentMethod.CASH,
        cashier,
    )
    assert memo.number == "CM-000001"
    assert sale.number == "INV-000001"
    assert memo.amount_centavos == 899_00
    assert mouse.on_hand == 2
    refund = db.session.scalar(select(Payment).where(Payment.amount_centavos < 0))
    assert (refund.amount_centavos, refund.credit_memo_id) == (-899_00, memo.id)
    assert sale_balance(sale) == 0
    assert ledger_mismatches() == []


def test_a_defective_return_is_written_off_not_restocked(cashier, stocked):
    phone = stocked("Galaxy A15", 9_990_00, serials=["IMEI-9"], is_serialized=True)
    sale = sell(cashier, [CartLine(phone.id, 1, serials=["IMEI-9"])], [cash(9_990_00)])
    return_items(
        sale,
        [ReturnInput(sale.lines[0].id, 1, restock=False)],
        "Dead screen",
        PaymentMethod.CASH,
        cashier,
    )
    assert phone.on_hand == 0
    assert db.session.scalar(select(SerialUnit.status)) == "WRITTEN_OFF"


def test_a_return_on_an_unpaid_credit_sale_lowers_the_balance_without_refund(
    cashier, stocked, customer
):
    ink = stocked("Epson 003 ink", 349_00, on_hand=10)
    client = customer(credit_limit=10_000_00)
    sale = sell(
        cashier,
        [CartLine(ink.id, 4)],
        [],
        customer_id=client.id,
        charge_to_account=True,
        due_date=clock.shop_today() + timedelta(days=30),
    )
    return_items(
        sale,
        [ReturnInput(sale.lines[0].id, 1)],
        "Ordered too many",
        PaymentMethod.CASH,
        cashier,
    )
    assert sale_balance(sale) == 3 * 349_00
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0


def test_returning_more_than_was_sold_is_refused(cashier, stocked):
    cable = stocked("USB-C cable", 199_00, on_hand=5)
    sale = sell(cashier, [CartLine(cable.id, 2)], [cash(398_00)])
    return_items(
        sale, [ReturnInput(sale.lines[0].id, 1)], "Extra", PaymentMethod.CASH, cashier
    )
    with pytest.raises(DomainError, match="only 1 left to return"):
        return_items(
            sale,
            [ReturnInput(sale.lines[0].id, 2)],
            "Extra",
            PaymentMethod.CASH,
            cashier,
        )


def test_a_return_needs_a_reason(cashier, stocked):
    cable = stocked("USB-C cable", 199_00, on_hand=5)
    sale = sell(cashier, [CartLine(cable.id, 1)], [cash(199_00)])
    with pytest.raises(DomainError, match="reason"):
        return_items(
            sale, [ReturnInput(sale.lines[0].id, 1)], "  ", PaymentMethod.CASH, cashier
        )


def test_line_shares_of_partial_returns_add_up_to_the_line(cashier, stocked):
    pen = stocked("Stylus", 333, on_hand=3)
    sale = sell(cashier, [CartLine(pen.id, 3)], [cash(999)])
    amounts = [
        return_items(
            sale, [ReturnInput(sale.lines[0].id, 1)], "x", PaymentMethod.CASH, cashier
        ).amount_centavos
        for _ in range(3)
    ]
    assert sum(amounts) == 999


def test_void_restocks_what_was_not_returned_and_refunds_each_method(
    admin, cashier, stocked
):
    mouse = stocked("Logitech M331", 1_000_00, on_hand=3)
    sale = sell(
        cashier,
        [CartLine(mouse.id, 3)],
        [PaymentInput(PaymentMethod.GCASH, 1_000_00, reference="GC-1"), cash(2_000_00)],
    )
    return_items(
        sale,
        [ReturnInput(sale.lines[0].id, 1)],
        "Wrong model",
        PaymentMethod.CASH,
        cashier,
    )
    void_sale(sale, "Customer cancelled the order", admin)
    assert (sale.status, sale.number) == ("VOID", "INV-000001")
    assert mouse.on_hand == 3
    net = dict(
        db.session.execute(
            select(Payment.method, func.sum(Payment.amount_centavos)).group_by(
                Payment.method
            )
        ).all()
    )
    assert net == {"CASH": 0, "GCASH": 0}
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 1
    assert ledger_mismatches() == []


def test_only_an_admin_voids_and_only_once(admin, cashier, stocked):
    cable = stocked("USB-C cable", 199_00, on_hand=5)
    sale = sell(cashier, [CartLine(cable.id, 1)], [cash(199_00)])
    with pytest.raises(DomainError, match="Only an ADMIN"):
        void_sale(sale, "Mistake", cashier)
    void_sale(sale, "Mistake", admin)
    with pytest.raises(DomainError, match="already void"):
        void_sale(sale, "Again", admin)


def test_a_sale_at_half_past_midnight_manila_counts_on_that_manila_day(
    cashier, stocked
):
    cable = stocked("USB-C cable", 199_00, on_hand=5)
    clock.set_frozen(
        datetime(2026, 12, 2, 16, 30, tzinfo=UTC)
    )  # 00:30 on Dec 3 in Manila
    sell(cashier, [CartLine(cable.id, 1)], [cash(199_00)])
    assert money_by_method(date(2026, 12, 3)) == {"CASH": 199_00}
    assert money_by_method(date(2026, 12, 2)) == {}


def test_cash_count_records_the_variance_against_the_ledger(cashier, stocked):
    cable = stocked("USB-C cable", 199_00, on_hand=5)
    clock.set_frozen(datetime(2026, 12, 3, 4, 0, tzinfo=UTC))
    sell(cashier, [CartLine(cable.id, 2)], [cash(398_00)])
    count = record_cash_count(
        date(2026, 12, 3), 390_00, cashier, "Short by a coin roll"
    )
    assert (count.expected_centavos, count.variance_centavos) == (398_00, -8_00)
    recount = record_cash_count(date(2026, 12, 3), 398_00, cashier)
    assert (recount.id, recount.variance_centavos) == (count.id, 0)
