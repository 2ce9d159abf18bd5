"""In Chromium: a sale at the counter, from scanning to the printed receipt."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from jcicons import clock
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
from jcicons.sales.models import Sale

pytestmark = pytest.mark.e2e

MOUSE_BARCODE = "4800000000101"
CABLE_BARCODE = "4800000000202"


# 01:30 on 4 December in Manila is still 3 December in UTC: the daily page must
# count the sale on the shop's day, not on the server's.
SHOP_NIGHT = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)


@pytest.fixture
def shop_night() -> None:
    """Freeze the clock after midnight in the shop, before anyone signs in."""
    clock.set_frozen(SHOP_NIGHT)


@pytest.fixture
def counter(shop_night, app, make_user, sign_in) -> Page:
    """Two stocked products with barcodes, and a SALES clerk signed in."""
    owner_id = make_user("ADMIN").id
    clerk = make_user("SALES", full_name="Ana Reyes")
    with app.app_context():
        owner = db.session.get(User, owner_id)
        goods = create_category("Accessories", owner)
        mouse = create_product(
            ProductData("Logitech M331", goods.id, 899_00, barcode=MOUSE_BARCODE), owner
        )
        cable = create_product(
            ProductData("HDMI cable 2m", goods.id, 250_00, barcode=CABLE_BARCODE), owner
        )
        lines = [
            ReceivingLineData(mouse.id, 5, 500_00, []),
            ReceivingLineData(cable.id, 5, 100_00, []),
        ]
        receive_stock("Octagon", "DR-7", date(2026, 12, 1), lines, owner)
        db.session.commit()
    return sign_in(clerk)


def scan(page: Page, code: str) -> None:
    page.fill("#pos-scan", code)
    page.press("#pos-scan", "Enter")  # a scanner types the code and presses Enter


def test_scan_two_products_take_cash_print_the_receipt_and_see_it_in_daily_sales(
    counter, browser_problems
):
    page = counter
    page.goto("/pos/")
    scan(page, MOUSE_BARCODE)
    expect(page.locator("#pos-lines tr")).to_have_count(1)
    scan(page, CABLE_BARCODE)

    expect(page.locator("#pos-lines tr")).to_have_count(2)
    expect(page.get_by_test_id("pos-total")).to_have_text("₱1,149.00")
    page.reload()  # the cart lives in the browser and survives a reload
    expect(page.locator("#pos-lines tr")).to_have_count(2)
    expect(page.get_by_test_id("pos-total")).to_have_text("₱1,149.00")

    # A GCash payment without its reference is refused; the cart is still there.
    page.select_option('[data-pay="method"]', "GCASH")
    with page.expect_navigation():
        page.get_by_test_id("pos-checkout").click()
    expect(page.get_by_test_id("pos-error")).to_contain_text("reference number")
    expect(page.locator("#pos-lines tr")).to_have_count(2)

    page.select_option('[data-pay="method"]', "CASH")
    page.fill('[data-pay="tendered"]', "1,200")
    expect(page.locator("[data-pay-change]")).to_have_text("₱51.00")
    with page.expect_navigation():
        page.get_by_test_id("pos-checkout").click()

    expect(page.get_by_test_id("receipt")).to_contain_text("SALES INVOICE INV-000001")
    expect(page.get_by_test_id("receipt-total")).to_have_text("₱1,149.00")
    expect(page.get_by_test_id("receipt-change")).to_have_text("₱51.00")
    page.emulate_media(media="print")
    expect(page.get_by_test_id("print-receipt")).to_be_hidden()
    expect(page.get_by_test_id("receipt-change")).to_be_visible()
    assert page.evaluate("window.sessionStorage.getItem('jcicons.pos.cart')") is None

    page.emulate_media(media="screen")
    page.goto("/sales/daily")
    expect(page.get_by_test_id("day")).to_have_text("2026-12-04")
    expect(page.get_by_test_id("sales-count")).to_have_text("1")
    expect(page.get_by_test_id("sales-total")).to_have_text("₱1,149.00")
    cash = page.locator('[data-testid="by-method"] tr[data-method="CASH"] td')
    expect(cash.nth(0)).to_have_text("Cash")
    expect(cash.nth(1)).to_have_text("₱1,149.00")
    expect(page.get_by_test_id("expected-cash")).to_have_text("₱1,149.00")
    page.goto("/sales/daily?day=2026-12-03")  # the UTC date holds nothing
    expect(page.get_by_test_id("sales-count")).to_have_text("0")
    assert browser_problems == []


def add_customer(page: Page, name: str, mobile: str) -> None:
    page.get_by_text("New customer", exact=True).click()
    page.fill("#pos-quick-name", name)
    page.fill("#pos-quick-mobile", mobile)
    page.get_by_role("button", name="Add and choose").click()


def test_add_a_customer_at_the_counter_and_sell_to_them_for_cash(
    app, counter, browser_problems
):
    page = counter
    page.goto("/pos/")
    scan(page, MOUSE_BARCODE)
    expect(page.get_by_test_id("pos-total")).to_have_text("₱899.00")

    add_customer(page, "Maria Santos", "(02) 8123 4567")
    expect(page.locator("#pos-quick-mobile")).to_have_class(re.compile("is-invalid"))
    expect(page.locator('[data-quick-error="mobile"]')).to_contain_text("landline")
    expect(page.get_by_test_id("pos-customer")).to_be_empty()

    page.fill("#pos-quick-mobile", "0917 555 0101")
    page.get_by_role("button", name="Add and choose").click()
    expect(page.get_by_test_id("pos-customer")).to_contain_text("Maria Santos")
    expect(page.get_by_test_id("pos-quick-message")).to_contain_text("Added Maria")
    expect(page.locator("#pos-quick-mobile")).not_to_have_class(
        re.compile("is-invalid")
    )

    # The same number again chooses the customer on file instead of a duplicate.
    add_customer(page, "M. Santos", "+63 917 555 0101")
    expect(page.get_by_test_id("pos-quick-message")).to_contain_text(
        "already on file as Maria Santos"
    )
    expect(page.get_by_test_id("pos-customer")).to_contain_text("Maria Santos")

    with page.expect_navigation():
        page.get_by_test_id("pos-checkout").click()

    expect(page.get_by_test_id("receipt")).to_contain_text("Maria Santos")
    with app.app_context():
        customers = db.session.scalars(select(Customer)).all()
        sale = db.session.scalars(select(Sale)).one()
        assert [c.name for c in customers] == ["Maria Santos"]
        assert (sale.customer_id, sale.is_credit) == (customers[0].id, False)
    assert browser_problems == []


def test_adding_a_customer_onto_a_hidden_number_shows_the_server_message(
    counter, browser_problems
):
    page = counter
    refusal = "That mobile number already belongs to another customer."
    # SALES sees every customer, so the server's 409 is played back here.
    page.route(
        "**/customers/quick",
        lambda route: route.fulfill(
            status=409, content_type="application/json", json={"error": refusal}
        ),
    )
    page.goto("/pos/")

    add_customer(page, "Ana Reyes", "0917 123 4567")

    expect(page.get_by_test_id("pos-quick-message")).to_have_text(refusal)
    expect(page.get_by_test_id("pos-quick-message")).to_have_class(
        re.compile("alert-danger")
    )
    expect(page.get_by_test_id("pos-customer")).to_be_empty()
    assert [p for p in browser_problems if "status of 409" not in p] == []
