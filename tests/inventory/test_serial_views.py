"""Serial look-up: a unit's product, status, where it came from and went."""

from __future__ import annotations

import re

import pytest

MINUS = "\u2212"  # the minus sign the pages print


@pytest.fixture
def phone(seed) -> int:
    product = seed.product("Galaxy A15", "Phones", is_serialized=True)
    seed.receive(product, 2, serials=["IMEI-1001", "IMEI-1002"])
    return product


def history(page: str) -> list[list[str]]:
    """Return (what happened, quantity, reference) of each row, oldest first."""
    table = page.split('data-testid="serial-history"', 1)[1].split("</table>")[0]
    rows = re.findall(r"<tr>\s*(<td.*?)</tr>", table, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in row[1:4]] for row in cells]


def test_a_unit_in_stock_shows_its_product_and_receiving(client, login_as, phone):
    login_as("TECH")

    page = client.get("/inventory/serials?serial=imei-1001").text

    assert f'href="/inventory/products/{phone}">Galaxy A15</a>' in page
    assert 'data-testid="serial-status">In stock<' in page
    assert re.search(r">RCV-000001</a> from Octagon Computer", page)
    assert history(page) == [["Received", "+1", "Receiving RCV-000001"]]


@pytest.mark.parametrize(
    ("reason", "status", "label"),
    [
        ("RETURNED_TO_SUPPLIER", "Returned to supplier", "Returned to supplier"),
        ("LOST_OR_STOLEN", "Written off", "Lost or stolen"),
    ],
)
def test_a_unit_that_left_stock_shows_where_it_went(
    client, login_as, phone, reason, status, label
):
    login_as("ADMIN")
    client.post_form(
        f"/inventory/products/{phone}/adjust",
        {
            "quantity": "-1",
            "reason": reason,
            "serials": "IMEI-1002",
            "idempotency_key": "lose-one",
        },
    )

    page = client.get("/inventory/serials?serial=IMEI-1002").text

    assert f'data-testid="serial-status">{status}<' in page
    assert history(page) == [
        ["Received", "+1", "Receiving RCV-000001"],
        [label, MINUS + "1", "Adjustment"],
    ]


def test_an_unknown_serial_says_so(client, login_as, phone):
    login_as("SALES")

    page = client.get("/inventory/serials?serial=NOPE-1").text

    assert "No unit has the serial number “NOPE-1”." in page
    assert "serial-unit" not in page
