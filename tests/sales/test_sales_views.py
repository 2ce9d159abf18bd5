"""The sales list, the sale page, payments on balances, returns and voids."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from helpers import count_statements
from jcicons import clock
from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User
from jcicons.clock import shop_today
from jcicons.extensions import db
from jcicons.inventory.models import Category, Product, SerialUnit
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    create_category,
    create_product,
    receive_stock,
)
from jcicons.inventory.stock import ledger_mismatches
from jcicons.sales.models import CreditMemo, Payment, PaymentMethod, Sale
from jcicons.sales.pricing import Discount, DiscountKind
from jcicons.sales.services import CartLine, CheckoutRequest, PaymentInput, checkout

SETTINGS = {"VAT_REGISTERED": True, "SALES_DISCOUNT_CAP_PERCENT": 10}


class Shop:
    """Makes products and sales through the services, each in its own transaction."""

    def __init__(self, app, admin_id: int) -> None:
        self.app = app
        self.admin_id = admin_id

    def product(self, name, price, on_hand=0, cost=0, serials=None, **fields) -> int:
        with self.app.app_context():
            admin = db.session.get(User, self.admin_id)
            category = db.session.scalar(
                select(Category).where(Category.name == "Goods")
            )
            category = category or create_category("Goods", admin)
            product = create_product(
                ProductData(
                    name=name, category_id=category.id, price_centavos=price, **fields
                ),
                admin,
            )
            on_hand = len(serials) if serials else on_hand
            if on_hand:
                line = ReceivingLineData(product.id, on_hand, cost, serials or [])
                receive_stock("Supplier", "DR", date(2026, 12, 1), [line], admin)
            db.session.commit()
            return product.id

    def sell(self, lines, payments, by: int | None = None, **kw) -> int:
        with self.app.app_context():
            actor = db.session.get(User, by or self.admin_id)
            request = CheckoutRequest(uuid.uuid4().hex, lines, payments, **kw)
            sale = checkout(request, actor, SETTINGS)
            db.session.commit()
            return sale.id

    def get(self, model, ident):
        with self.app.app_context():
            row = db.session.get(model, ident)
            db.session.expunge(row)
            return row


@pytest.fixture
def shop(app, make_user) -> Shop:
    return Shop(app, make_user("ADMIN", username="owner").id)


def cash(amount, tendered=None):
    return PaymentInput(PaymentMethod.CASH, amount, tendered_centavos=tendered)


def on_hand(app, product_id: int) -> int:
    with app.app_context():
        return db.session.get(Product, product_id).on_hand


def scalar(app, query):
    with app.app_context():
        return db.session.scalar(query)


# Permissions ----------------------------------------------------------------------

SALES_URLS = [
    ("GET", "/sales/"),
    ("GET", "/sales/export.csv"),
    ("GET", "/sales/{id}"),
    ("GET", "/sales/{id}/return"),
    ("GET", "/sales/{id}/receipt"),
    ("POST", "/sales/{id}/receipt/prints"),
    ("POST", "/sales/{id}/return"),
    ("POST", "/sales/{id}/payments"),
    ("POST", "/sales/{id}/void"),
    ("GET", "/sales/daily"),
    ("POST", "/sales/daily/cash-count"),
]


@pytest.mark.parametrize(("method", "url"), SALES_URLS)
def test_a_technician_is_refused_every_sales_page(shop, client, login_as, method, url):
    mouse = shop.product("Logitech M331", 899_00, on_hand=2)
    sale_id = shop.sell([CartLine(mouse, 1)], [cash(899_00)])
    login_as("TECH")
    target = url.format(id=sale_id)
    if method == "GET":
        response = client.get(target)
    else:
        response = client.post_form(target, {"reason": "x", "amount": "1"})
    assert response.status_code == 403
    assert on_hand(client.application, mouse) == 1


def test_the_sales_menu_is_offered_to_sales_and_not_to_technicians(client, login_as):
    login_as("SALES")
    page = client.get("/").text
    assert 'data-testid="sales-menu"' in page and "/sales/daily" in page
    client.post_form("/auth/logout")
    login_as("TECH")
    assert 'data-testid="sales-menu"' not in client.get("/").text


def test_a_sales_clerk_cannot_void_and_is_not_offered_the_button(
    shop, client, login_as
):
    mouse = shop.product("Logitech M331", 899_00, on_hand=2)
    sale_id = shop.sell([CartLine(mouse, 1)], [cash(899_00)])
    login_as("SALES")
    assert 'data-testid="void-form"' not in client.get(f"/sales/{sale_id}").text
    response = client.post_form(f"/sales/{sale_id}/void", {"reason": "Mistake"})
    assert response.status_code == 403
    assert shop.get(Sale, sale_id).status == "COMPLETED"


# Void ---------------------------------------------------------------------------


def test_an_admin_voids_a_sale_restocking_and_refunding_it(shop, client, login_as):
    mouse = shop.product("Logitech M331", 899_00, on_hand=3)
    sale_id = shop.sell([CartLine(mouse, 2)], [cash(1_798_00)])
    login_as("ADMIN")
    page = client.get(f"/sales/{sale_id}").text
    assert 'data-confirm="Void INV-000001? This cannot be undone."' in page

    response = client.post_form(f"/sales/{sale_id}/void", {"reason": "Rang up twice"})
    assert response.status_code == 302

    sale = shop.get(Sale, sale_id)
    assert (sale.status, sale.number, sale.void_reason) == (
        "VOID",
        "INV-000001",
        "Rang up twice",
    )
    assert on_hand(client.application, mouse) == 3
    refund = scalar(
        client.application,
        select(func.sum(Payment.amount_centavos)).where(Payment.note.like("Void%")),
    )
    assert refund == -1_798_00
    page = client.get(f"/sales/{sale_id}").text
    assert 'data-testid="void-banner"' in page and "Rang up twice" in page
    assert "sale.void" in page
    assert 'data-testid="balance">₱0.00' in page
    with client.application.app_context():
        assert ledger_mismatches() == []


def test_a_void_without_a_reason_changes_nothing(shop, client, login_as):
    mouse = shop.product("Logitech M331", 899_00, on_hand=3)
    sale_id = shop.sell([CartLine(mouse, 1)], [cash(899_00)])
    login_as("ADMIN")
    response = client.post_form(
        f"/sales/{sale_id}/void", {"reason": "  "}, follow_redirects=True
    )
    assert "Give the reason for voiding the sale." in response.text
    assert shop.get(Sale, sale_id).status == "COMPLETED"
    assert on_hand(client.application, mouse) == 2


# Returns ------------------------------------------------------------------------


def test_a_sales_clerk_returns_an_item_with_a_reason_and_it_is_audited(
    shop, client, login_as
):
    mouse = shop.product("Logitech M331", 899_00, on_hand=3)
    sale_id = shop.sell([CartLine(mouse, 2)], [cash(1_798_00)])
    with client.application.app_context():
        line_id = db.session.get(Sale, sale_id).lines[0].id
    clerk = login_as("SALES")
    form = client.get(f"/sales/{sale_id}/return").text
    assert f'name="qty-{line_id}"' in form and 'max="2"' in form

    response = client.post_form(
        f"/sales/{sale_id}/return",
        {f"qty-{line_id}": "1", "refund_method": "CASH", "reason": "Wrong colour"},
        follow_redirects=True,
    )
    assert "Return recorded as credit memo CM-000001." in response.text
    assert "Credit memo CM-000001" in response.text
    assert 'data-testid="sale-number">INV-000001' in response.text
    assert on_hand(client.application, mouse) == 2
    audit = scalar(
        client.application, select(AuditEvent).where(AuditEvent.action == "sale.return")
    )
    assert (audit.actor_id, audit.entity_id, audit.after["reason"]) == (
        clerk.id,
        str(sale_id),
        "Wrong colour",
    )
    refund = scalar(
        client.application,
        select(Payment.amount_centavos).where(Payment.amount_centavos < 0),
    )
    assert refund == -899_00

    form = client.get(f"/sales/{sale_id}/return").text
    assert 'max="1"' in form


def test_a_return_without_a_reason_is_refused(shop, client, login_as):
    mouse = shop.product("Logitech M331", 899_00, on_hand=3)
    sale_id = shop.sell([CartLine(mouse, 1)], [cash(899_00)])
    with client.application.app_context():
        line_id = db.session.get(Sale, sale_id).lines[0].id
    login_as("SALES")
    response = client.post_form(
        f"/sales/{sale_id}/return",
        {f"qty-{line_id}": "1", "refund_method": "CASH", "reason": ""},
    )
    assert response.status_code == 422
    assert "Give the reason for the return." in response.text
    assert scalar(client.application, select(func.count(CreditMemo.id))) == 0


def test_returning_more_than_is_left_is_refused(shop, client, login_as):
    mouse = shop.product("Logitech M331", 899_00, on_hand=3)
    sale_id = shop.sell([CartLine(mouse, 1)], [cash(899_00)])
    with client.application.app_context():
        line_id = db.session.get(Sale, sale_id).lines[0].id
    login_as("SALES")
    response = client.post_form(
        f"/sales/{sale_id}/return",
        {f"qty-{line_id}": "2", "refund_method": "CASH", "reason": "Too many"},
    )
    assert response.status_code == 422
    assert "Use a whole number from 0 to 1." in response.text
    assert on_hand(client.application, mouse) == 2


def test_a_defective_serialized_return_is_written_off_and_refunded_by_gcash(
    shop, client, login_as
):
    phone = shop.product("Galaxy A15", 9_990_00, serials=["IMEI-9"], is_serialized=True)
    sale_id = shop.sell([CartLine(phone, 1, serials=["IMEI-9"])], [cash(9_990_00)])
    with client.application.app_context():
        line_id = db.session.get(Sale, sale_id).lines[0].id
    login_as("SALES")
    data = {
        f"qty-{line_id}": "1",
        f"defective-{line_id}": "y",
        "refund_method": "GCASH",
        "reason": "Dead screen",
    }
    refused = client.post_form(f"/sales/{sale_id}/return", data)
    assert refused.status_code == 422
    assert "Enter the reference number of the refund." in refused.text

    data["reference"] = "GC-REF-55"
    page = client.post_form(f"/sales/{sale_id}/return", data, follow_redirects=True)
    assert "written off as defective" in page.text
    assert on_hand(client.application, phone) == 0
    assert scalar(client.application, select(SerialUnit.status)) == "WRITTEN_OFF"
    refund = scalar(
        client.application, select(Payment).where(Payment.amount_centavos < 0)
    )
    assert (refund.method, refund.reference) == ("GCASH", "GC-REF-55")


# The sale page and payments ---------------------------------------------------------


def test_the_sale_page_shows_lines_serials_discounts_vat_payments_and_history(
    shop, client, login_as
):
    phone = shop.product(
        "Galaxy A15", 10_000_00, cost=7_000_00, serials=["IMEI-42"], is_serialized=True
    )
    clock.set_frozen(datetime(2026, 12, 3, 16, 30, tzinfo=UTC))  # 00:30 in Manila
    sale_id = shop.sell(
        [CartLine(phone, 1, Discount(DiscountKind.AMOUNT, 500_00), ["IMEI-42"])],
        [PaymentInput(PaymentMethod.GCASH, 9_500_00, "GC-0042")],
        customer_name="Maria Santos",
    )
    login_as("SALES")
    page = client.get(f"/sales/{sale_id}").text
    assert "IMEI-42" in page and "Maria Santos" in page
    assert "₱500.00" in page  # the line discount
    assert 'data-testid="total">₱9,500.00' in page
    assert "₱8,482.14" in page and "₱1,017.86" in page  # VATable sales and VAT
    assert "GC-0042" in page and "GCash" in page
    assert "2026-12-04 00:30" in page
    assert 'data-testid="balance">₱0.00' in page
    assert "sale.create" in page
    assert "Margin" not in page and "₱7,000.00" not in page

    client.post_form("/auth/logout")
    login_as("ADMIN")
    page = client.get(f"/sales/{sale_id}").text
    assert 'data-testid="margin">₱2,500.00' in page


def test_an_unknown_sale_is_not_found(client, login_as):
    login_as("SALES")
    assert client.get("/sales/999").status_code == 404


def credit_sale(shop, client) -> int:
    from jcicons.customers.models import Customer

    ink = shop.product("Epson 003 ink", 500_00, on_hand=10)
    with client.application.app_context():
        buyer = Customer(
            code="C-V0001",
            kind="BUSINESS",
            name="Dela Cruz Trading",
            credit_limit_centavos=10_000_00,
        )
        db.session.add(buyer)
        db.session.commit()
        buyer_id = buyer.id
    return shop.sell(
        [CartLine(ink, 2)],
        [],
        customer_id=buyer_id,
        charge_to_account=True,
        due_date=shop_today() + timedelta(days=30),
    )


def test_a_payment_over_the_balance_is_refused(shop, client, login_as):
    sale_id = credit_sale(shop, client)
    login_as("SALES")
    response = client.post_form(
        f"/sales/{sale_id}/payments", {"method": "CASH", "amount": "1,000.01"}
    )
    assert response.status_code == 422
    assert "more than the total" in response.text
    assert scalar(client.application, select(func.count(Payment.id))) == 0


def test_a_non_cash_payment_needs_a_reference(shop, client, login_as):
    sale_id = credit_sale(shop, client)
    login_as("SALES")
    response = client.post_form(
        f"/sales/{sale_id}/payments", {"method": "GCASH", "amount": "100"}
    )
    assert response.status_code == 422
    assert "Enter the reference number of the GCash payment." in response.text


def test_partial_then_full_cash_payments_close_the_balance(shop, client, login_as):
    sale_id = credit_sale(shop, client)
    login_as("SALES")
    first = client.post_form(
        f"/sales/{sale_id}/payments",
        {"method": "CASH", "amount": "400", "tendered": "500"},
        follow_redirects=True,
    )
    assert 'data-testid="balance">₱600.00' in first.text
    assert "₱100.00" in first.text  # change on 500 tendered
    second = client.post_form(
        f"/sales/{sale_id}/payments",
        {"method": "CARD", "amount": "600", "reference": "AUTH-9"},
        follow_redirects=True,
    )
    assert 'data-testid="balance">₱0.00' in second.text
    assert 'data-testid="payment-form"' not in second.text
    assert "sale.payment" in second.text


# The list ---------------------------------------------------------------------------


def list_numbers(client, **args) -> list[str]:
    page = client.get("/sales/", query_string=args).text
    return re.findall(r'data-sale="([^"]+)"', page)


def test_the_list_searches_filters_and_shows_an_empty_state(shop, client, login_as):
    mouse = shop.product("Logitech M331", 899_00, on_hand=5, sku="LOG-M331")
    clock.set_frozen(datetime(2026, 12, 3, 15, 59, tzinfo=UTC))  # 23:59 Manila
    first = shop.sell(
        [CartLine(mouse, 1)], [cash(899_00)], customer_name="Maria Santos"
    )
    clock.set_frozen(datetime(2026, 12, 3, 16, 30, tzinfo=UTC))  # 00:30 next day
    second = shop.sell(
        [CartLine(mouse, 1)], [PaymentInput(PaymentMethod.GCASH, 899_00, "GC-1")]
    )
    one, two = shop.get(Sale, first).number, shop.get(Sale, second).number
    login_as("SALES")

    assert list_numbers(client) == [two, one]
    assert list_numbers(client, q="maria") == [one]
    assert list_numbers(client, q="log-m331") == [two, one]
    assert list_numbers(client, q=two) == [two]
    assert list_numbers(client, date_to="2026-12-03") == [one]
    assert list_numbers(client, date_from="2026-12-04", date_to="2026-12-04") == [two]
    assert list_numbers(client, method="GCASH") == [two]
    assert list_numbers(client, status="VOID") == []
    assert list_numbers(client, open_balance="y") == []
    empty = client.get("/sales/", query_string={"q": "no such sale"}).text
    assert 'data-testid="empty-state"' in empty


def test_the_list_costs_the_same_queries_for_3_or_40_sales(
    shop, client, login_as, make_user
):
    mouse = shop.product("Logitech M331", 100_00, on_hand=50)
    cashiers = [make_user("SALES").id for _ in range(6)]
    for index in range(3):
        shop.sell([CartLine(mouse, 1)], [cash(100_00)], by=cashiers[index % 2])
    login_as("SALES")
    client.get("/sales/")
    few = count_statements(client, "/sales/")
    for index in range(37):
        method = PaymentInput(PaymentMethod.GCASH, 100_00, f"GC-{index}")
        payment = method if index % 2 else cash(100_00)
        shop.sell([CartLine(mouse, 1)], [payment], by=cashiers[index % 6])
    assert len(list_numbers(client)) == 40
    assert count_statements(client, "/sales/") == few


def test_the_exports_hold_the_filtered_sales_with_formulas_neutralised(
    shop, client, login_as
):
    mouse = shop.product("Logitech M331", 899_00, on_hand=5)
    shop.sell([CartLine(mouse, 1)], [cash(899_00)], customer_name='=HYPERLINK("x")')
    shop.sell([CartLine(mouse, 2)], [cash(1_798_00)], customer_name="Maria Santos")
    login_as("ADMIN")

    response = client.get("/sales/export.csv", query_string={"q": "hyperlink"})
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="sales-'
    )
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "invoice" and rows[0][5:9] == [
        "total",
        "paid",
        "returned",
        "balance",
    ]
    assert len(rows) == 2
    assert rows[1][0] == "INV-000001"
    assert rows[1][3] == '\'=HYPERLINK("x")'
    assert rows[1][5:10] == ["899.00", "899.00", "0.00", "0.00", "Cash"]

    response = client.get("/sales/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3
    assert values[1][0] == "INV-000002" and values[1][3] == "Maria Santos"
    assert values[1][5] == 1798
    assert values[2][3] == '=HYPERLINK("x")'
    assert sheet.cell(row=3, column=4).data_type == "s"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_for_admins_only_and_the_counter_sees_no_button(
    shop, client, login_as, fmt
):
    mouse = shop.product("Logitech M331", 899_00, on_hand=5)
    shop.sell([CartLine(mouse, 1)], [cash(899_00)], customer_name="Maria Santos")
    login_as("SALES")

    refused = client.get(f"/sales/export.{fmt}")
    listing = client.get("/sales/").text

    assert refused.status_code == 403
    assert "Maria Santos" not in refused.text
    assert f'data-testid="export-{fmt}"' not in listing
    assert "Maria Santos" in listing
    client.post_form("/auth/logout")
    login_as("ADMIN")
    assert f'data-testid="export-{fmt}"' in client.get("/sales/").text
    assert client.get(f"/sales/export.{fmt}").status_code == 200


def test_a_void_sale_offers_no_return_and_takes_no_payment(shop, client, login_as):
    sale_id = credit_sale(shop, client)
    login_as("ADMIN")
    client.post_form(f"/sales/{sale_id}/void", {"reason": "Wrong customer"})
    page = client.get(f"/sales/{sale_id}/return", follow_redirects=True).text
    assert "This sale is void: nothing can be returned." in page
    assert 'data-testid="return-link"' not in page
    response = client.post_form(
        f"/sales/{sale_id}/payments", {"method": "CASH", "amount": "100"}
    )
    assert response.status_code == 422
    assert "This sale is void: nothing is owed on it." in response.text
