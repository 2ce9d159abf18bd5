"""In Chromium: a laptop from intake to release, with the printed claim stub, the
release receipt, and the customer's status page opened from the stub's QR link."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from jcicons import clock
from jcicons.auth.models import User
from jcicons.customers.models import Customer
from jcicons.extensions import db
from jcicons.repairs.models import RepairTicket
from jcicons.repairs.services import ServiceTypeData, create_service_type
from jcicons.security.crypto import decrypt_text

pytestmark = pytest.mark.e2e

# 10:00 on Monday 15 June 2026 in Manila.
SHOP_MORNING = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
PASSCODE = "1470-PIN"
A4_SHEET = (595, 842)  # points: 210 x 297 mm
A5_SHEET = (420, 595)  # points: 148 x 210 mm


@pytest.fixture
def workshop(app, make_user, sign_in) -> Page:
    """The service catalogue, and the shop's ADMIN signed in (may work any ticket)."""
    clock.set_frozen(SHOP_MORNING)
    owner = make_user("ADMIN", full_name="Jun Cruz")
    with app.app_context():
        create_service_type(
            ServiceTypeData("Reformat and OS install", 800_00, 30),
            db.session.get(User, owner.id),
        )
        db.session.commit()
    return sign_in(owner)


def printed_sheets(page: Page) -> list[tuple[int, int]]:
    """Return the size in points of each sheet the page prints on, as its CSS asks."""
    page.emulate_media(media="print")
    document = page.pdf(prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    boxes = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", document)
    return [(round(float(width)), round(float(height))) for width, height in boxes]


def take_in_a_laptop(page: Page) -> None:
    """Fill the intake form for a new customer known only by their mobile number."""
    page.goto("/repairs/new")
    page.fill("#mobile", "0917 555 0199")
    page.fill("#name", "Liza Manalo")
    page.select_option("#device_type", "LAPTOP")
    page.fill("#brand", "Lenovo")
    page.fill("#model", "IdeaPad 3")
    page.fill("#serial_number", "PF2XK9AB")
    page.fill("#passcode", PASSCODE)
    page.get_by_label("Charger or adapter").check()
    page.select_option("#cond_powers_on", "no")
    page.fill("#condition_notes", "Scratches on the lid.")
    page.fill("#problem", "Stuck on the logo after a Windows update.")
    page.get_by_label(re.compile("^Reformat and OS install")).check()
    page.fill("#promised_date", "2026-06-18")
    page.fill("#diagnostic_fee", "300")
    page.fill("#deposit", "500")
    with page.expect_navigation():
        page.get_by_test_id("open-ticket").click()


def change_status(page: Page, status: str) -> None:
    form = page.get_by_test_id("status-form")
    form.locator("select").select_option(status)
    with page.expect_navigation():
        form.get_by_role("button", name="Change status").click()


def test_a_laptop_from_intake_to_release_with_stub_receipt_and_status_page(
    app, workshop, browser_problems
):
    page = workshop
    take_in_a_laptop(page)

    number = page.get_by_test_id("ticket-number").inner_text()
    assert re.fullmatch(r"RT-2026-\d{5}", number)
    expect(page.get_by_test_id("ticket-status")).to_have_text("Received")
    ticket_page = page.url
    with app.app_context():
        ticket = db.session.scalars(select(RepairTicket)).one()
        customer = db.session.get(Customer, ticket.customer_id)
        assert customer.name == "Liza Manalo"
        assert decrypt_text(ticket.passcode_encrypted) == PASSCODE
        token, ticket_id = ticket.status_token, ticket.id

    # The intake form and its claim stub, with the QR code of the status link.
    with page.expect_navigation():
        page.get_by_test_id("print-intake").click()
    stub = page.get_by_test_id("claim-stub")
    expect(stub.get_by_test_id("claim-number")).to_have_text(number)
    expect(stub.get_by_test_id("claim-customer")).to_have_text("Liza Manalo")
    qr = stub.get_by_test_id("claim-qr")
    expect(qr.locator("svg")).to_be_visible()
    box = qr.locator("svg").bounding_box()
    assert box is not None and box["width"] > 80 and box["height"] > 80
    status_link = qr.get_attribute("data-status-url")
    assert status_link is not None and status_link.endswith(f"/status/t/{token}")
    expect(page.get_by_test_id("intake-device")).to_have_text("Laptop Lenovo IdeaPad 3")
    expect(page.get_by_test_id("intake-paid")).to_have_text("₱500.00")
    assert PASSCODE not in page.content()
    page.emulate_media(media="print")
    expect(page.get_by_test_id("print-receipt")).to_be_hidden()
    expect(stub).to_be_visible()
    assert printed_sheets(page) == [A4_SHEET]
    page.goto(f"/repairs/{ticket_id}/intake-form?paper=half")
    expect(page.get_by_test_id("claim-number")).to_have_text(number)
    assert printed_sheets(page) == [A5_SHEET]

    # The work, then the money and the release.
    page.goto(ticket_page)
    for status in ("DIAGNOSING", "IN_REPAIR", "READY"):
        change_status(page, status)
    expect(page.get_by_test_id("ticket-status")).to_have_text("Ready for pickup")
    expect(page.get_by_test_id("balance")).to_have_text("₱600.00")
    form = page.get_by_test_id("payment-form")
    form.locator("#pay-amount").fill("600")
    form.locator("#pay-method").select_option("CASH")
    form.locator("#pay-tendered").fill("1000")
    with page.expect_navigation():
        form.get_by_role("button", name="Record payment").click()
    expect(page.get_by_test_id("balance")).to_have_text("₱0.00")
    release = page.get_by_test_id("release-form")
    expect(release.locator("#release-released_to_name")).to_have_value("Liza Manalo")
    release.locator("#release-id_shown").fill("UMID 0111-2222")
    # Releasing goes straight to the release receipt, on the shop's receipt paper.
    with page.expect_navigation():
        release.get_by_role("button", name="Release").click()
    receipt = page.get_by_test_id("release-receipt")
    expect(receipt.get_by_test_id("release-number")).to_have_text(number)
    expect(receipt.get_by_test_id("release-to")).to_have_text(
        "Liza Manalo (ID: UMID 0111-2222)"
    )
    expect(receipt.get_by_test_id("release-by")).to_have_text("Jun Cruz")
    expect(receipt.locator('[data-figure="charges"]')).to_have_text("₱1,100.00")
    expect(receipt.locator('[data-figure="paid"]')).to_have_text("₱1,100.00")
    expect(receipt.locator('[data-figure="balance"]')).to_have_text("₱0.00")
    expect(receipt.get_by_test_id("release-warranty")).to_have_text(
        "Warranty until 2026-07-15"
    )
    expect(receipt).to_contain_text("Change ₱400.00")

    # The customer scans the stub: no sign-in, only the status.
    page.context.clear_cookies()
    page.goto(status_link)
    expect(page.get_by_test_id("status-number")).to_have_text(number)
    expect(page.get_by_test_id("status-label")).to_have_text("Released")
    expect(page.get_by_test_id("status-balance")).to_have_text("₱0.00")
    expect(page.get_by_text("Liza Manalo")).to_have_count(0)
    assert "PF2XK9AB" not in page.content()
    assert browser_problems == []
