"""In Chromium: a sale at the counter, from scanning to the printed receipt."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    create_category,
    create_product,
    receive_stock,
)

pytestmark = pytest.mark.e2e

MOUSE_BARCODE = "4800000000101"
CABLE_BARCODE = "4800000000202"


@pytest.fixture
def counter(app, make_user, sign_in) -> Page:
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


def test_scan_two_products_take_cash_and_print_the_receipt(counter, browser_problems):
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
    assert browser_problems == []
