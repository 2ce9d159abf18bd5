"""In Chromium: the repair papers fit their paper when every text is as long as the
forms allow. The release receipt stays inside 80 mm and 58 mm rolls (and A4), and
the intake form with its claim stub prints on one sheet, A4 or half."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page

from helpers import Account
from jcicons import clock
from jcicons.auth.models import User
from jcicons.clock import shop_today
from jcicons.customers.checks import CustomerData
from jcicons.customers.services import create_customer
from jcicons.extensions import db
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    create_category,
    create_product,
    receive_stock,
)
from jcicons.repairs.models import DeviceType, RepairStatus, RepairTicket
from jcicons.repairs.services import (
    IntakeData,
    ServiceTypeData,
    add_part,
    change_status,
    create_service_type,
    create_ticket,
    release_ticket,
    take_payment,
)
from jcicons.sales.services import PaymentInput, PaymentMethod
from jcicons.settings.services import update_settings

pytestmark = pytest.mark.e2e

# 10:00 on Monday 15 June 2026 in Manila.
SHOP_MORNING = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
S = RepairStatus
MM = 96 / 25.4  # CSS pixels in a millimetre
PART_SERIAL = "SN" + "7" * 60
# What is left of each paper's width once the page's margins (receipt.css and
# repair-print.css) are taken off, in millimetres.
PRINTABLE_WIDTHS = {"80mm": 76, "58mm": 55, "A4": 180}
INTAKE_WIDTHS = {"A4": 190, "half": 136}
SHEETS = {"A4": (595, 842), "half": (420, 595)}  # points: A4 and A5


def words(text: str, length: int) -> str:
    """Return `text` repeated and cut to `length` characters."""
    return (text * (length // len(text) + 1))[:length]


# Every text at the longest its form accepts; the names and serials without a space.
LONGEST_TEXTS = {
    "SHOP_ADDRESS": words("Unit 12, Rizal Avenue corner Mabini Street, ", 300),
    "SHOP_PHONES": words("0917 555 0101 / ", 120),
    "WARRANTY_TERMS": words("Warranty covers the same fault only. ", 936)
    + "https://jcicons.example.ph/warranty/"
    + "W" * 28,
    "RECEIPT_FOOTER": "https://jcicons.example.ph/" + "F" * 273,
    "REPAIR_INTAKE_TERMS": words("Repairs are done at the customer's risk. ", 800),
}


def open_the_longest_ticket(owner: User) -> RepairTicket:
    """Take in a device with every intake text at its longest and a deposit."""
    update_settings(LONGEST_TEXTS, owner)
    customer = create_customer(
        CustomerData(name="Maximiliano" + "B" * 109, phones=["0917 555 0100"]),
        owner,
    )
    service = create_service_type(
        ServiceTypeData("Motherboard" + "R" * 69, 2_500_00, 90), owner
    )
    return create_ticket(
        IntakeData(
            customer_id=customer.id,
            device_type=DeviceType.OTHER,
            device_name="D" * 80,
            brand="B" * 60,
            model="M" * 80,
            serial_number="S" * 80,
            accessories=["Charger or adapter", "Bag or case", "Power cable"],
            accessories_note=words("blue sleeve and stylus, ", 300),
            condition={"powers_on": "no", "water_damage": "yes"},
            condition_notes=words("Hinge cracked on the left side.\n", 1000),
            problem=words("Screen flickers, then goes black. ", 2000),
            service_type_ids=[service.id],
            diagnostic_fee_centavos=300_00,
            deposit=PaymentInput(PaymentMethod.GCASH, 500_00, reference="G" * 64),
        ),
        owner,
    )


def release_it(ticket: RepairTicket, owner: User) -> None:
    """Repair the ticket with a serialized part of a long name, pay up, release."""
    category = create_category("Parts", owner)
    part = create_product(
        ProductData(
            name="Q" * 160,
            category_id=category.id,
            price_centavos=1_800_00,
            is_serialized=True,
        ),
        owner,
    )
    line = ReceivingLineData(part.id, 1, 1_000_00, [PART_SERIAL])
    receive_stock("Supplier", "DR-1", shop_today(), [line], owner)
    for step in (S.DIAGNOSING, S.IN_REPAIR):
        change_status(ticket, step, owner)
    add_part(ticket, part.id, 1, owner, serial=PART_SERIAL)
    change_status(ticket, S.READY, owner)
    payment = PaymentInput(PaymentMethod.GCASH, 4_100_00, reference="R" * 64)
    take_payment(ticket, payment, owner, note="N" * 200)
    release_ticket(ticket, "P" * 120, "I" * 120, owner)


@pytest.fixture
def desk(
    app: Flask, make_user: Callable[..., Account], sign_in: Callable[..., Page]
) -> Callable[[bool], int]:
    """Sign an ADMIN in and open the longest ticket (released if asked); its id."""
    clock.set_frozen(SHOP_MORNING)
    account = make_user("ADMIN", full_name="Maria Clara de los Santos-Villanueva")

    def open_ticket(released: bool) -> int:
        with app.app_context():
            owner = db.session.get(User, account.id)
            ticket = open_the_longest_ticket(owner)
            if released:
                release_it(ticket, owner)
            db.session.commit()
            ticket_id = ticket.id
        sign_in(account)
        return ticket_id

    return open_ticket


# Every element of the paper whose box or text reaches past the page's right edge.
TOO_WIDE = """
() => {
  const paper = document.querySelector("main");
  const edge = document.documentElement.clientWidth + 0.5;
  const wide = [];
  for (const element of [paper, ...paper.querySelectorAll("*")]) {
    const contents = document.createRange();
    contents.selectNodeContents(element);
    const right = Math.max(
      element.getBoundingClientRect().right, contents.getBoundingClientRect().right
    );
    if (right > edge) {
      const text = (element.textContent || "").trim().slice(0, 30);
      wide.push(element.tagName + " " + text);
    }
  }
  return wide;
}
"""


def as_printed(page: Page, url: str, width_mm: float) -> Page:
    """Open `url` as the printer lays it out: print media, the paper's own width."""
    page.set_viewport_size({"width": round(width_mm * MM), "height": 800})
    page.goto(url)
    page.emulate_media(media="print")
    return page


def too_wide(page: Page) -> list[str]:
    """Return what reaches past the paper, once the page is laid out for print."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - "
        "document.documentElement.clientWidth"
    )
    wide: list[str] = page.evaluate(TOO_WIDE)
    return [f"the page scrolls {overflow}px sideways"] * (overflow > 0) + wide


def printed_sheets(page: Page) -> list[tuple[int, int]]:
    """Return the size in points of each sheet the page prints on, as its CSS asks."""
    document = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", document)
    return [(round(float(width)), round(float(height))) for width, height in boxes]


@pytest.mark.parametrize("paper", ["80mm", "58mm", "A4"])
def test_the_longest_release_receipt_stays_inside_its_paper(
    desk: Any, page: Page, paper: str, browser_problems: list[str]
) -> None:
    ticket_id = desk(released=True)

    url = f"/repairs/{ticket_id}/release-receipt?paper={paper}"
    receipt = as_printed(page, url, PRINTABLE_WIDTHS[paper])

    assert receipt.get_by_test_id("release-receipt").get_attribute("data-paper") == (
        paper
    )
    assert PART_SERIAL in receipt.get_by_test_id("release-lines").inner_text()
    assert too_wide(receipt) == []
    assert browser_problems == []


@pytest.mark.parametrize("paper", ["A4", "half"])
def test_the_longest_intake_form_prints_on_one_sheet_inside_its_width(
    desk: Any, page: Page, paper: str, browser_problems: list[str]
) -> None:
    ticket_id = desk(released=False)

    url = f"/repairs/{ticket_id}/intake-form?paper={paper}"
    form = as_printed(page, url, INTAKE_WIDTHS[paper])

    assert form.get_by_test_id("intake-problem").inner_text().endswith("…")
    assert form.get_by_test_id("claim-stub").is_visible()
    assert too_wide(form) == []
    assert printed_sheets(form) == [SHEETS[paper]]
    assert browser_problems == []
