"""Checkout: one transaction of number, lines, stock and payments, priced by us."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jcicons.audit.models import AuditEvent
from jcicons.clock import shop_today
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import Product, SerialUnit, StockMovement
from jcicons.inventory.stock import InsufficientStock, ledger_mismatches
from jcicons.sales.models import Payment, PaymentMethod, Sale
from jcicons.sales.pricing import Discount, DiscountKind
from jcicons.sales.services import (
    CartLine,
    CheckoutRequest,
    DiscountNeedsApproval,
    PaymentInput,
    checkout,
    collect_payment,
    customer_open_balance,
    sale_balance,
)

SETTINGS = {"VAT_REGISTERED": True, "SALES_DISCOUNT_CAP_PERCENT": 10}


def cash(amount, tendered=None):
    return PaymentInput(PaymentMethod.CASH, amount, tendered_centavos=tendered)


def request(lines, payments, **kw):
    return CheckoutRequest(
        idempotency_key=uuid.uuid4().hex, lines=lines, payments=payments, **kw
    )


def test_a_cash_sale_takes_stock_snapshots_cost_and_stores_change_apart(
    cashier, stocked
):
    mouse = stocked("Logitech M331", 899_00, on_hand=5, cost=500_00)
    sale = checkout(
        request([CartLine(mouse.id, 2)], [cash(1_798_00, 2_000_00)]), cashier, SETTINGS
    )
    assert sale.number == "INV-000001"
    assert sale.total_centavos == 1_798_00
    assert (sale.lines[0].unit_price_centavos, sale.lines[0].unit_cost_centavos) == (
        899_00,
        500_00,
    )
    payment = db.session.scalars(select(Payment)).one()
    assert (
        payment.amount_centavos,
        payment.tendered_centavos,
        payment.change_centavos,
    ) == (1_798_00, 2_000_00, 202_00)
    assert mouse.on_hand == 3
    assert ledger_mismatches() == []


def test_prices_come_from_the_catalogue_with_the_vat_breakdown(cashier, stocked):
    laptop = stocked("Acer Aspire 5", 28_995_00, on_hand=1)
    labour = stocked(
        "OS install", 500_00, category="Services", is_service=True, vat_class="EXEMPT"
    )
    sale = checkout(
        request([CartLine(laptop.id, 1), CartLine(labour.id, 1)], [cash(29_495_00)]),
        cashier,
        SETTINGS,
    )
    assert (sale.vatable_sales_centavos, sale.vat_centavos) == (25_888_39, 3_106_61)
    assert sale.exempt_sales_centavos == 500_00
    parts = sale.vatable_sales_centavos + sale.vat_centavos + sale.exempt_sales_centavos
    assert parts == sale.total_centavos


def test_invoice_numbers_are_consecutive_and_a_failed_checkout_uses_none(
    cashier, stocked
):
    cable = stocked("HDMI cable", 250_00, on_hand=2)
    first = checkout(
        request([CartLine(cable.id, 1)], [cash(250_00)]), cashier, SETTINGS
    )
    db.session.commit()
    with pytest.raises(InsufficientStock):
        checkout(request([CartLine(cable.id, 5)], [cash(1_250_00)]), cashier, SETTINGS)
    db.session.rollback()
    second = checkout(
        request([CartLine(cable.id, 1)], [cash(250_00)]), cashier, SETTINGS
    )
    assert (first.number, second.number) == ("INV-000001", "INV-000002")


def test_the_same_form_sent_twice_makes_one_sale(cashier, stocked):
    cable = stocked("HDMI cable", 250_00, on_hand=5)
    form = request([CartLine(cable.id, 1)], [cash(250_00)])
    first = checkout(form, cashier, SETTINGS)
    again = checkout(form, cashier, SETTINGS)
    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 1
    assert cable.on_hand == 4


@pytest.mark.parametrize(
    ("payments", "message"),
    [
        ([], "leave ₱250.00 unpaid"),
        ([PaymentInput(PaymentMethod.GCASH, 250_00)], "reference number of the GCash"),
        ([cash(300_00)], "more than the total"),
        ([cash(250_00, 200_00)], "tendered is less"),
    ],
)
def test_payments_that_do_not_settle_the_sale_are_refused(
    cashier, stocked, payments, message
):
    cable = stocked("HDMI cable", 250_00, on_hand=5)
    with pytest.raises(DomainError, match=message):
        checkout(request([CartLine(cable.id, 1)], payments), cashier, SETTINGS)


def test_split_payment_across_methods(cashier, stocked):
    phone_case = stocked("Phone case", 1_000_00, on_hand=1)
    sale = checkout(
        request(
            [CartLine(phone_case.id, 1)],
            [
                PaymentInput(PaymentMethod.GCASH, 600_00, reference="GC-123"),
                cash(400_00, 500_00),
            ],
        ),
        cashier,
        SETTINGS,
    )
    assert sale_balance(sale) == 0
    assert sorted(p.method for p in sale.payments) == ["CASH", "GCASH"]


def test_a_sales_discount_above_the_cap_needs_an_admin(cashier, admin, stocked):
    monitor = stocked("Monitor 24in", 7_000_00, on_hand=2)
    cart = [CartLine(monitor.id, 1, Discount(DiscountKind.PERCENT, 0, Decimal(15)))]
    with pytest.raises(DiscountNeedsApproval, match=r"15\.00% is above the 10\.00%"):
        checkout(request(cart, [cash(5_950_00)]), cashier, SETTINGS)
    sale = checkout(request(cart, [cash(5_950_00)]), cashier, SETTINGS, approver=admin)
    assert sale.discount_approved_by_id == admin.id
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "sale.create")
    ).one()
    assert audit.after["discount_approved_by"] == admin.username


def test_credit_sale_stays_within_the_customer_limit(cashier, stocked, customer):
    printer = stocked("Epson L3210", 9_000_00, on_hand=3)
    client = customer(credit_limit=15_000_00)
    due = shop_today() + timedelta(days=30)
    first = checkout(
        request(
            [CartLine(printer.id, 1)],
            [cash(1_000_00)],
            customer_id=client.id,
            charge_to_account=True,
            due_date=due,
        ),
        cashier,
        SETTINGS,
    )
    assert (first.is_credit, sale_balance(first)) == (True, 8_000_00)
    with pytest.raises(DomainError, match=r"over their credit limit of ₱15,000\.00"):
        checkout(
            request(
                [CartLine(printer.id, 1)],
                [],
                customer_id=client.id,
                charge_to_account=True,
                due_date=due,
            ),
            cashier,
            SETTINGS,
        )
    collect_payment(first, cash(8_000_00), cashier)
    assert customer_open_balance(client.id) == 0


def test_collecting_more_than_the_balance_is_refused(cashier, stocked, customer):
    printer = stocked("Epson L3210", 9_000_00, on_hand=1)
    client = customer(credit_limit=20_000_00)
    sale = checkout(
        request(
            [CartLine(printer.id, 1)],
            [],
            customer_id=client.id,
            charge_to_account=True,
            due_date=shop_today() + timedelta(days=30),
        ),
        cashier,
        SETTINGS,
    )
    with pytest.raises(DomainError, match="more than the total"):
        collect_payment(sale, cash(9_000_01), cashier)


def test_two_cashiers_collecting_one_balance_at_once_take_it_once(
    app, cashier, stocked, customer
):
    printer = stocked("Epson L3210", 9_000_00, on_hand=1)
    client = customer(credit_limit=20_000_00)
    sale = checkout(
        request(
            [CartLine(printer.id, 1)],
            [],
            customer_id=client.id,
            charge_to_account=True,
            due_date=shop_today() + timedelta(days=30),
        ),
        cashier,
        SETTINGS,
    )
    db.session.commit()
    sale_id, cashier_id = sale.id, cashier.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def collect() -> None:
        with app.app_context():
            from jcicons.auth.models import User

            owed, seller = (
                db.session.get(Sale, sale_id),
                db.session.get(User, cashier_id),
            )
            barrier.wait()
            try:
                collect_payment(owed, cash(9_000_00), seller)
                db.session.commit()
                outcomes.append("collected")
            except DomainError as exc:
                db.session.rollback()
                outcomes.append(exc.message)

    threads = [threading.Thread(target=collect) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["Nothing is owed on this sale.", "collected"]
    db.session.expire_all()
    paid = db.session.scalar(
        select(func.sum(Payment.amount_centavos)).where(Payment.sale_id == sale_id)
    )
    assert paid == 9_000_00


def test_serialized_units_are_sold_by_serial(cashier, stocked):
    phone = stocked(
        "Galaxy A15", 9_990_00, serials=["IMEI-1", "IMEI-2"], is_serialized=True
    )
    sale = checkout(
        request([CartLine(phone.id, 1, serials=["imei-2"])], [cash(9_990_00)]),
        cashier,
        SETTINGS,
    )
    unit = db.session.scalar(select(SerialUnit).where(SerialUnit.serial == "IMEI-2"))
    assert unit.status == "SOLD"
    assert sale.lines[0].serial_unit_id == unit.id
    with pytest.raises(DomainError, match="not an in-stock unit"):
        checkout(
            request([CartLine(phone.id, 1, serials=["IMEI-2"])], [cash(9_990_00)]),
            cashier,
            SETTINGS,
        )


def test_two_counters_selling_the_last_unit_one_succeeds(app, cashier, stocked):
    ssd = stocked("Kingston 500GB SSD", 2_500_00, on_hand=1)
    db.session.commit()
    product_id, cashier_id = ssd.id, cashier.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sell() -> None:
        with app.app_context():
            from jcicons.auth.models import User

            seller = db.session.get(User, cashier_id)
            barrier.wait()
            try:
                checkout(
                    request([CartLine(product_id, 1)], [cash(2_500_00)]),
                    seller,
                    SETTINGS,
                )
                db.session.commit()
                outcomes.append("sold")
            except InsufficientStock as exc:
                db.session.rollback()
                outcomes.append(exc.message)

    threads = [threading.Thread(target=sell) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes)[-1] == "sold"
    assert "Only 0 pc of Kingston 500GB SSD on hand" in sorted(outcomes)[0]
    db.session.expire_all()
    assert db.session.get(Product, product_id).on_hand == 0
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 1
    assert db.session.scalar(select(Sale.number)) == "INV-000001"
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 2
