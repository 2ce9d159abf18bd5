"""In Chromium: the inventory screens, their product search, scanning and lines."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.inventory.services import ProductData, create_category, create_product

pytestmark = pytest.mark.e2e


@pytest.fixture
def shop(app, make_user, sign_in) -> dict[str, int]:
    """Two products (one serialized), and an ADMIN signed in."""
    account = make_user("ADMIN", full_name="Maria Santos")
    with app.app_context():
        owner = db.session.get(User, account.id)
        laptops = create_category("Laptops", owner)
        phones = create_category("Phones", owner)
        laptop = create_product(
            ProductData("ThinkPad T14", laptops.id, 52_000_00, barcode="4800000000017"),
            owner,
        )
        phone = create_product(
            ProductData("Galaxy A15", phones.id, 9_990_00, is_serialized=True), owner
        )
        db.session.commit()
        ids = {"laptop": laptop.id, "phone": phone.id}
    sign_in(account)
    return ids


def product_input(page: Page, index: int):
    return page.locator(f'input[name="lines-{index}-product"]')


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/inventory/products", "Products"),
        ("/inventory/products/new", "New product"),
        ("/inventory/categories", "Categories"),
        ("/inventory/receivings", "Receivings"),
        ("/inventory/receivings/new", "Receive stock"),
        ("/inventory/serials?serial=X-1", "Serial look-up"),
    ],
)
def test_inventory_page_loads_without_console_errors_or_csp_violations(
    page, shop, browser_problems, path, heading
):
    page.goto(path)

    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert browser_problems == []


def test_receiving_with_search_scan_and_added_lines(page, shop, browser_problems):
    page.goto("/inventory/receivings/new")
    page.fill("#supplier_name", "Octagon Computer")

    product_input(page, 0).press_sequentially("thinkp")
    page.get_by_role("option", name="LAP-00001 — ThinkPad T14 (0 on hand)").click()
    page.fill('input[name="lines-0-quantity"]', "2")
    page.fill('input[name="lines-0-unit_cost"]', "42,000")
    product_input(page, 1).fill("PHO-00001")
    product_input(page, 1).press("Enter")  # a scanner ends with Enter
    page.fill('textarea[name="lines-1-serials"]', "IMEI-1\nIMEI-2\nIMEI-3")
    page.fill('input[name="lines-1-unit_cost"]', "8,000")
    page.get_by_role("button", name="Add a line").click()
    page.get_by_role("button", name="Remove line 3").click()

    expect(product_input(page, 0)).to_have_value("LAP-00001")
    expect(page.locator('input[name="lines-1-quantity"]')).to_have_value("3")
    expect(page.locator("[data-receiving-line]")).to_have_count(5)
    expect(page.locator("[data-product-name]").nth(1)).to_contain_text("Galaxy A15")
    with page.expect_navigation():
        page.get_by_role("button", name="Receive stock", exact=True).click()
    expect(page.get_by_test_id("total-units")).to_have_text("5")
    expect(page.get_by_test_id("total-cost")).to_have_text("₱108,000.00")

    page.goto(f"/inventory/products/{shop['laptop']}")
    expect(page.get_by_test_id("on-hand")).to_contain_text("2")
    expect(page.get_by_test_id("unit-cost")).to_have_text("₱42,000.00")
    expect(page.get_by_test_id("movements")).to_contain_text("Received")
    page.goto(f"/inventory/products/{shop['phone']}")
    expect(page.get_by_test_id("on-hand")).to_contain_text("3")
    expect(page.get_by_test_id("serials")).to_contain_text("IMEI-2")
    assert browser_problems == []


def test_an_added_line_is_numbered_after_the_others(page, shop, browser_problems):
    page.goto("/inventory/receivings/new")

    page.get_by_role("button", name="Add a line").click()

    expect(page.locator("[data-receiving-line]")).to_have_count(6)
    expect(product_input(page, 5)).to_be_focused()
    expect(product_input(page, 5)).to_have_value("")
    assert browser_problems == []


def test_scanning_a_barcode_into_the_product_form_does_not_send_it(
    page, shop, browser_problems
):
    page.goto("/inventory/products/new")
    page.fill("#name", "USB mouse")

    page.fill("#barcode", "4806500000012")
    page.press("#barcode", "Enter")

    expect(page.get_by_text("Enter the selling price")).to_have_count(0)
    expect(page.locator("#barcode")).to_have_value("4806500000012")
    expect(page.locator("#barcode")).not_to_be_focused()
    assert browser_problems == []
