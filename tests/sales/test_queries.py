"""The sales list select and the daily summary, against sales made by the services."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from jcicons import clock
from jcicons.clock import shop_today
from jcicons.extensions import db
from jcicons.sales.models import PaymentMethod, SaleStatus
from jcicons.sales.queries import (
    SaleFilter,
    balance_of,
    daily_summary,
    list_sale_figures,
    sale_list_query,
)
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


def sell(actor, lines, payments, **kw):
    request = CheckoutRequest(uuid.uuid4().hex, lines, payments, **kw)
    return checkout(request, actor, SETTINGS)


def cash(amount):
    return PaymentInput(PaymentMethod.CASH, amount)


def gcash(amount, reference="GC-1"):
    return PaymentInput(PaymentMethod.GCASH, amount, reference)


def numbers(**criteria):
    return [
        s.number for s in db.session.scalars(sale_list_query(SaleFilter(**criteria)))
    ]


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_search_finds_a_sale_by_invoice_customer_product_sku_and_serial(
    cashier, stocked
):
    mouse = stocked("Logitech M331", 899_00, on_hand=5, sku="LOG-M331")
    phone = stocked("Galaxy A15", 9_990_00, serials=["IMEI-777"], is_serialized=True)
    first = sell(
        cashier, [CartLine(mouse.id, 1)], [cash(899_00)], customer_name="Maria Santos"
    )
    second = sell(
        cashier, [CartLine(phone.id, 1, serials=["IMEI-777"])], [cash(9_990_00)]
    )

    assert numbers(search=second.number) == [second.number]
    assert numbers(search="maria") == [first.number]
    assert numbers(search="galaxy") == [second.number]
    assert numbers(search="log-m331") == [first.number]
    assert numbers(search="imei-777") == [second.number]
    assert numbers(search="nothing like it") == []


def test_a_search_treats_percent_and_underscore_as_plain_text(cashier, stocked):
    cable = stocked("USB cable", 199_00, on_hand=5)
    sell(cashier, [CartLine(cable.id, 1)], [cash(199_00)])
    assert numbers(search="%") == []
    assert numbers(search="_") == []


def test_the_date_range_uses_manila_days_and_includes_the_whole_last_day(
    cashier, stocked
):
    cable = stocked("USB cable", 199_00, on_hand=5)
    clock.set_frozen(utc(2026, 12, 3, 15, 59))  # 23:59 on 3 December in Manila
    late = sell(cashier, [CartLine(cable.id, 1)], [cash(199_00)])
    clock.set_frozen(utc(2026, 12, 3, 16, 30))  # 00:30 on 4 December in Manila
    early = sell(cashier, [CartLine(cable.id, 1)], [cash(199_00)])

    assert numbers(date_to=date(2026, 12, 3)) == [late.number]
    assert numbers(date_from=date(2026, 12, 4)) == [early.number]
    assert numbers(date_from=date(2026, 12, 3), date_to=date(2026, 12, 3)) == [
        late.number
    ]
    assert numbers(date_from=date(2026, 12, 5)) == []


def test_filters_by_cashier_method_status_and_open_balance(
    admin, cashier, stocked, customer
):
    clock.set_frozen(utc(2026, 12, 3, 2, 0))
    ink = stocked("Epson 003 ink", 349_00, on_hand=20)
    buyer = customer(credit_limit=10_000_00)
    by_cash = sell(cashier, [CartLine(ink.id, 1)], [cash(349_00)])
    by_gcash = sell(admin, [CartLine(ink.id, 1)], [gcash(349_00)])
    on_credit = sell(
        cashier,
        [CartLine(ink.id, 2)],
        [cash(100_00)],
        customer_id=buyer.id,
        charge_to_account=True,
        due_date=date(2026, 12, 31),
    )
    voided = sell(admin, [CartLine(ink.id, 1)], [cash(349_00)])
    void_sale(voided, "Rang up twice", admin)

    assert set(numbers(cashier_id=admin.id)) == {by_gcash.number, voided.number}
    assert numbers(method="GCASH") == [by_gcash.number]
    assert numbers(status=SaleStatus.VOID) == [voided.number]
    assert numbers(open_balance=True) == [on_credit.number]
    assert by_cash.number in numbers(status=SaleStatus.COMPLETED)


def test_figures_give_paid_returned_and_balance_for_each_sale(
    cashier, stocked, customer
):
    ink = stocked("Epson 003 ink", 349_00, on_hand=20)
    buyer = customer(credit_limit=10_000_00)
    sale = sell(
        cashier,
        [CartLine(ink.id, 3)],
        [gcash(300_00)],
        customer_id=buyer.id,
        charge_to_account=True,
        due_date=shop_today() + timedelta(days=30),
    )
    return_items(
        sale,
        [ReturnInput(sale.lines[0].id, 1)],
        "Too many",
        PaymentMethod.CASH,
        cashier,
    )

    figures = list_sale_figures([sale])[sale.id]
    assert (figures.paid_centavos, figures.returned_centavos) == (300_00, 349_00)
    assert figures.methods == ["GCASH"]
    assert balance_of(sale, figures) == 3 * 349_00 - 300_00 - 349_00


def test_daily_summary_nets_refunds_counts_voids_and_expects_the_cash(
    admin, cashier, stocked
):
    mouse = stocked("Logitech M331", 899_00, on_hand=10)
    clock.set_frozen(utc(2026, 12, 2, 16, 30))  # 00:30 on 3 December in Manila
    first = sell(cashier, [CartLine(mouse.id, 2)], [cash(1_798_00)])
    clock.set_frozen(utc(2026, 12, 3, 3, 0))
    sell(cashier, [CartLine(mouse.id, 1)], [gcash(899_00)])
    return_items(
        first,
        [ReturnInput(first.lines[0].id, 1)],
        "Wrong colour",
        PaymentMethod.CASH,
        cashier,
    )
    voided = sell(admin, [CartLine(mouse.id, 1)], [cash(899_00)])
    void_sale(voided, "Customer changed mind", admin)
    clock.set_frozen(utc(2026, 12, 3, 16, 0))  # 00:00 on 4 December: next day
    sell(cashier, [CartLine(mouse.id, 1)], [cash(899_00)])

    summary = daily_summary(date(2026, 12, 3))
    assert summary.received_by_method == {"CASH": 1_798_00 + 899_00, "GCASH": 899_00}
    assert summary.refunds_by_method == {"CASH": 899_00 + 899_00}
    assert summary.expected_cash_centavos == 899_00
    assert summary.net_received_centavos == 899_00 + 899_00
    assert (summary.sales_count, summary.sales_total_centavos) == (2, 2_697_00)
    assert (summary.returns_count, summary.returns_centavos) == (1, 899_00)
    assert summary.voids_count == 1
    assert daily_summary(date(2026, 12, 4)).sales_count == 1
