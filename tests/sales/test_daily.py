"""The daily sales page and the end-of-day cash count."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from helpers import STRONG_PASSWORD, count_statements, login
from jcicons import clock
from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User
from jcicons.customers.models import Customer
from jcicons.extensions import db
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    create_category,
    create_product,
    receive_stock,
)
from jcicons.sales.cash import record_cash_count
from jcicons.sales.models import CashCount, PaymentMethod, Sale
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


def at(*parts):
    clock.set_frozen(datetime(*parts, tzinfo=UTC))


def cell(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', page)
    assert match, testid
    return match.group(1)


def method_row(page: str, method: str) -> list[str]:
    match = re.search(rf'<tr data-method="{method}">(.*?)</tr>', page, re.S)
    assert match, method
    return re.findall(r"<td[^>]*>([^<]*)</td>", match.group(1))[1:]


@pytest.fixture
def busy_day(app, make_user) -> int:
    """A Manila business day, 3 December 2026, with cash, GCash, a refund and a void.

    Returns the id of the ADMIN who rang it up.
    """
    admin_id = make_user("ADMIN", username="owner").id
    with app.app_context():
        admin = db.session.get(User, admin_id)
        category = create_category("Goods", admin)
        mouse = create_product(
            ProductData(
                name="Logitech M331", category_id=category.id, price_centavos=899_00
            ),
            admin,
        )
        receive_stock(
            "Supplier",
            "DR",
            date(2026, 12, 1),
            [ReceivingLineData(mouse.id, 10, 500_00, [])],
            admin,
        )

        def sell(quantity, payment):
            request = CheckoutRequest(
                uuid.uuid4().hex, [CartLine(mouse.id, quantity)], [payment]
            )
            return checkout(request, admin, SETTINGS)

        at(2026, 12, 2, 15, 59)  # 23:59 on 2 December in Manila: the day before
        sell(1, PaymentInput(PaymentMethod.CASH, 899_00))
        at(2026, 12, 2, 16, 30)  # 00:30 on 3 December in Manila
        first = sell(
            2, PaymentInput(PaymentMethod.CASH, 1_798_00, tendered_centavos=2_000_00)
        )
        at(2026, 12, 3, 4, 0)
        sell(1, PaymentInput(PaymentMethod.GCASH, 899_00, "GC-77"))
        return_items(
            first,
            [ReturnInput(first.lines[0].id, 1)],
            "Wrong colour",
            PaymentMethod.CASH,
            admin,
        )
        voided = sell(1, PaymentInput(PaymentMethod.CASH, 899_00))
        void_sale(voided, "Rang up twice", admin)
        db.session.commit()
    at(2026, 12, 3, 9, 0)  # 17:00 in Manila
    return admin_id


def test_the_day_shows_money_by_method_with_refunds_netted(busy_day, client, login_as):
    login_as("SALES")
    page = client.get("/sales/daily", query_string={"day": "2026-12-03"}).text
    assert method_row(page, "CASH") == ["₱2,697.00", "₱1,798.00", "₱899.00"]
    assert method_row(page, "GCASH") == ["₱899.00", "₱0.00", "₱899.00"]
    assert cell(page, "net-total") == "₱1,798.00"
    assert cell(page, "expected-cash") == "₱899.00"
    assert (cell(page, "sales-count"), cell(page, "sales-total")) == ("2", "₱2,697.00")
    assert (cell(page, "returns-count"), cell(page, "returns-total")) == (
        "1",
        "₱899.00",
    )
    assert cell(page, "voids-count") == "1"
    assert "data-print" in page


def test_a_sale_at_half_past_midnight_counts_on_that_manila_day(
    busy_day, client, login_as
):
    login_as("SALES")
    before = client.get("/sales/daily", query_string={"day": "2026-12-02"}).text
    assert method_row(before, "CASH") == ["₱899.00", "₱0.00", "₱899.00"]
    assert cell(before, "sales-count") == "1"


def test_the_page_defaults_to_today_in_manila(busy_day, client, login_as):
    login_as("SALES")
    at(2026, 12, 2, 16, 5)  # 00:05 on 3 December in Manila, still 2 December in UTC
    page = client.get("/sales/daily").text
    assert cell(page, "day") == "2026-12-03"


def sign_in_owner(client) -> None:
    """Sign in as the ADMIN who rang up the day's sales (and so holds its cash)."""
    response = login(client, "owner", STRONG_PASSWORD)
    assert response.status_code == 302


def test_a_cash_count_records_the_variance_of_the_cashier_who_took_the_cash(
    busy_day, client
):
    sign_in_owner(client)
    response = client.post_form(
        "/sales/daily/cash-count",
        {"day": "2026-12-03", "counted": "850.00", "note": "Short a little"},
        follow_redirects=True,
    )
    assert "Cash count recorded: variance -₱49.00." in response.text
    assert cell(response.text, "variance") == "-₱49.00"
    assert 'data-testid="recount-note"' in response.text  # a recount is offered

    with client.application.app_context():
        count = db.session.scalar(select(CashCount))
        assert (count.business_date, count.expected_centavos, count.counted_by_id) == (
            date(2026, 12, 3),
            899_00,
            busy_day,
        )
        audit = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "cash.count")
        )
        assert audit.after["variance_centavos"] == -49_00


def test_a_recount_the_same_day_replaces_the_count_and_audits_both(busy_day, client):
    sign_in_owner(client)
    client.post_form("/sales/daily/cash-count", {"day": "2026-12-03", "counted": "850"})
    at(2026, 12, 3, 9, 30)

    again = client.post_form(
        "/sales/daily/cash-count",
        {"day": "2026-12-03", "counted": "899", "note": "Found the coins"},
        follow_redirects=True,
    )

    assert "Cash recount recorded: variance ₱0.00." in again.text
    assert "recounted 2026-12-03 17:30" in again.text
    with client.application.app_context():
        [count] = db.session.scalars(select(CashCount)).all()
        assert (count.counted_centavos, count.variance_centavos) == (899_00, 0)
        recount = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "cash.recount")
        )
        assert (
            recount.before["counted_centavos"],
            recount.after["counted_centavos"],
        ) == (
            850_00,
            899_00,
        )
        assert recount.after["note"] == "Found the coins"


def test_a_clerk_who_took_no_cash_is_expected_to_hold_none(busy_day, client, login_as):
    login_as("SALES")
    response = client.post_form(
        "/sales/daily/cash-count",
        {"day": "2026-12-03", "counted": "0"},
        follow_redirects=True,
    )
    assert "Cash count recorded: variance ₱0.00." in response.text
    with client.application.app_context():
        assert db.session.scalar(select(CashCount.expected_centavos)) == 0


def test_the_daily_page_shows_each_cashiers_expected_cash(busy_day, client):
    sign_in_owner(client)
    page = client.get("/sales/daily", query_string={"day": "2026-12-03"}).text
    row = re.search(r'<tr data-cashier="owner">(.*?)</tr>', page, re.S)
    assert row, "no row for the owner"
    cells = re.findall(r"<td[^>]*>([^<]*)", row.group(1))
    assert cells[:4] == ["owner", "₱2,697.00", "₱1,798.00", "₱899.00"]


def test_a_cash_count_needs_an_amount(busy_day, client, login_as):
    login_as("SALES")
    response = client.post_form(
        "/sales/daily/cash-count", {"day": "2026-12-03", "counted": "abc"}
    )
    assert response.status_code == 422
    with client.application.app_context():
        assert db.session.scalar(select(CashCount)) is None
        assert db.session.scalar(select(Sale).where(Sale.status == "VOID")) is not None


@pytest.fixture
def credit_day(app, make_user) -> None:
    """3 December 2026 in Manila: ₱899 of store credit issued on a return, spent in
    part on two sales, one of them voided (its credit comes back)."""
    admin_id = make_user("ADMIN", username="owner").id
    with app.app_context():
        admin = db.session.get(User, admin_id)
        category = create_category("Goods", admin)
        mouse = create_product(
            ProductData(
                name="Logitech M331", category_id=category.id, price_centavos=899_00
            ),
            admin,
        )
        receive_stock(
            "Supplier",
            "DR",
            date(2026, 12, 1),
            [ReceivingLineData(mouse.id, 10, 500_00, [])],
            admin,
        )
        buyer = Customer(code="C-D0001", kind="INDIVIDUAL", name="Ana Reyes")
        db.session.add(buyer)
        db.session.flush()

        def sell(quantity, *payments):
            request = CheckoutRequest(
                uuid.uuid4().hex,
                [CartLine(mouse.id, quantity)],
                list(payments),
                customer_id=buyer.id,
            )
            return checkout(request, admin, SETTINGS)

        at(2026, 12, 3, 4, 0)
        first = sell(2, PaymentInput(PaymentMethod.CASH, 1_798_00))
        return_items(
            first,
            [ReturnInput(first.lines[0].id, 1)],
            "Changed their mind",
            PaymentMethod.STORE_CREDIT,
            admin,
        )
        sell(
            1,
            PaymentInput(PaymentMethod.STORE_CREDIT, 500_00),
            PaymentInput(PaymentMethod.CASH, 399_00),
        )
        voided = sell(
            1,
            PaymentInput(PaymentMethod.STORE_CREDIT, 399_00),
            PaymentInput(PaymentMethod.CASH, 500_00),
        )
        void_sale(voided, "Rang up twice", admin)
        db.session.commit()
    at(2026, 12, 3, 9, 0)


def test_store_credit_is_shown_apart_and_left_out_of_money_and_cash(
    credit_day, client, login_as
):
    login_as("SALES")
    page = client.get("/sales/daily", query_string={"day": "2026-12-03"}).text

    assert method_row(page, "CASH") == ["₱2,697.00", "₱500.00", "₱2,197.00"]
    assert 'data-method="STORE_CREDIT"' not in page
    assert cell(page, "net-total") == "₱2,197.00"
    assert cell(page, "expected-cash") == "₱2,197.00"
    assert cell(page, "credit-issued") == "₱1,298.00"  # the return, and the void
    assert cell(page, "credit-used") == "₱899.00"
    assert (cell(page, "sales-count"), cell(page, "sales-total")) == ("2", "₱2,697.00")


def test_the_cash_count_expects_cash_only_not_store_credit(credit_day, client):
    sign_in_owner(client)
    response = client.post_form(
        "/sales/daily/cash-count",
        {"day": "2026-12-03", "counted": "2,197.00"},
        follow_redirects=True,
    )

    assert "Cash count recorded: variance ₱0.00." in response.text
    with client.application.app_context():
        count = db.session.scalar(select(CashCount))
        assert count.expected_centavos == 2_197_00


def ring_up_day(app, admin_id: int, cashier_ids: list[int], sales_each: int) -> None:
    """Sell, return and count cash on 3 December for each cashier given."""
    with app.app_context():
        admin = db.session.get(User, admin_id)
        category = create_category(f"Goods {uuid.uuid4().hex[:6]}", admin)
        cable = create_product(
            ProductData(
                name="HDMI cable", category_id=category.id, price_centavos=250_00
            ),
            admin,
        )
        stock = [ReceivingLineData(cable.id, 100, 100_00, [])]
        receive_stock("Supplier", "DR", date(2026, 12, 1), stock, admin)
        at(2026, 12, 3, 2, 0)
        for cashier_id in cashier_ids:
            seller = db.session.get(User, cashier_id)
            for _ in range(sales_each):
                payment = PaymentInput(PaymentMethod.CASH, 250_00)
                request = CheckoutRequest(
                    uuid.uuid4().hex, [CartLine(cable.id, 1)], [payment]
                )
                sale = checkout(request, seller, SETTINGS)
            back = [ReturnInput(sale.lines[0].id, 1)]
            return_items(sale, back, "Spare", PaymentMethod.CASH, seller)
            record_cash_count(date(2026, 12, 3), 0, seller)
        db.session.commit()
    at(2026, 12, 3, 9, 0)


def test_the_daily_page_costs_the_same_queries_for_few_and_many_sales(
    app, client, make_user, login_as
):
    owner = make_user("ADMIN", username="owner").id
    clerks = [make_user("SALES").id for _ in range(4)]
    ring_up_day(app, owner, clerks[:1], sales_each=1)
    login_as("SALES")
    url = "/sales/daily?day=2026-12-03"

    few = count_statements(client, url)
    ring_up_day(app, owner, clerks, sales_each=6)
    many_page = client.get(url).text
    many = count_statements(client, url)

    assert many == few
    assert many_page.count("<tr data-cashier=") == 4
    assert cell(many_page, "sales-count") == str(1 + 4 * 6)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-12-04", "2026-12-04 has not come yet"),
        ("2026-11-01", "A cash count goes back at most 31 days, to 2026-11-02."),
        ("2026-13-45", "Not a valid date value."),
    ],
)
def test_a_count_of_a_day_ahead_or_long_past_is_refused(busy_day, client, day, message):
    sign_in_owner(client)

    response = client.post_form(
        "/sales/daily/cash-count", {"day": day, "counted": "899"}
    )

    assert response.status_code == 422
    assert message in response.text
    with client.application.app_context():
        assert db.session.scalar(select(CashCount)) is None


def test_the_count_form_is_offered_only_for_days_that_may_be_counted(
    busy_day, client, login_as
):
    login_as("SALES")

    def offered(day: str) -> bool:
        page = client.get("/sales/daily", query_string={"day": day}).text
        return 'data-testid="cash-count-form"' in page

    assert offered("2026-12-03") and offered("2026-11-02")
    assert not offered("2026-12-04")
    assert not offered("2026-11-01")
