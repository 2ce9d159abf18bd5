"""Receiving stock through the form, the receiving page and the receivings list."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from jcicons import clock
from jcicons.extensions import db
from jcicons.inventory.models import Receiving, SerialUnit


def receiving_form(*lines: dict[str, str], **fields: str) -> dict[str, str]:
    """Return the fields of a receiving: a header and numbered lines."""
    data = {
        "supplier_name": "Octagon Computer",
        "supplier_document": "DR-5521",
        "received_date": "2026-01-05",
        "idempotency_key": secrets.token_urlsafe(16),
    } | fields
    for index, line in enumerate(lines):
        data |= {f"lines-{index}-{name}": value for name, value in line.items()}
    return data


def line(product: str, quantity: str = "", cost: str = "", serials: str = ""):
    return {
        "product": product,
        "quantity": quantity,
        "unit_cost": cost,
        "serials": serials,
    }


def count_receivings(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Receiving))


def serial_statuses(app) -> dict[str, str]:
    with app.app_context():
        return dict(
            db.session.execute(select(SerialUnit.serial, SerialUnit.status)).all()
        )


@pytest.fixture
def goods(seed) -> dict[str, int]:
    clock.set_frozen(datetime(2026, 2, 1, 2, 0, tzinfo=UTC))
    return {
        "laptop": seed.product("ThinkPad T14", barcode="4800000000017"),
        "ram": seed.product("DDR4 8GB", "RAM"),
        "phone": seed.product("Galaxy A15", "Phones", is_serialized=True),
    }


def test_receiving_two_products_adds_stock_and_shows_the_receiving(
    client, login_as, seed, goods
):
    login_as("ADMIN")

    response = client.post_form(
        "/inventory/receivings/new",
        receiving_form(
            line("4800000000017", "2", "42,000"),  # scanned barcode
            line("ram-00001", "5", "1,150.50"),
        ),
        follow_redirects=True,
    )

    assert "Receiving RCV-000001 is saved." in response.text
    assert 'data-testid="total-units">7<' in response.text
    # 2 x 42,000.00 + 5 x 1,150.50 = 89,752.50
    assert 'data-testid="total-cost">₱89,752.50<' in response.text
    assert "Octagon Computer" in response.text and "DR-5521" in response.text
    assert (seed.load(goods["laptop"]).on_hand, seed.load(goods["ram"]).on_hand) == (
        2,
        5,
    )


def test_receiving_page_shows_no_cost_to_sales(client, login_as, seed, goods):
    receiving = seed.receive(goods["laptop"], 3, cost=41_000_00)
    login_as("SALES")

    page = client.get(f"/inventory/receivings/{receiving}").text

    assert 'data-testid="total-units">3<' in page
    assert "41,000" not in page and "123,000" not in page
    assert "total-cost" not in page


def test_a_serialized_line_takes_its_quantity_from_the_serials(
    app, client, login_as, goods
):
    login_as("ADMIN")

    response = client.post_form(
        "/inventory/receivings/new",
        receiving_form(line("PHO-00001", "", "9,500", "imei-0001\n\nIMEI-0002\n")),
    )

    assert response.status_code == 302
    assert serial_statuses(app) == {"IMEI-0001": "IN_STOCK", "IMEI-0002": "IN_STOCK"}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([line("NOPE-1", "1", "10")], "No active product has this SKU or barcode."),
        ([line("", "1", "10")], "Choose a product."),
        ([line("LAP-00001", "", "10")], "Enter the quantity."),
        ([line("LAP-00001", "0", "10")], "1 to 100,000."),
        ([line("LAP-00001", "2", "")], "Enter the unit cost."),
        ([line("LAP-00001", "2", "forty")], "at most two decimals"),
        ([line("LAP-00001", "1", "10", "SN-1")], "is not serialized: leave this empty"),
        (
            [line("PHO-00001", "2", "10", "IMEI-1")],
            "enter one serial number per unit (2 needed, 1 given)",
        ),
        (
            [
                line("PHO-00001", "", "10", "IMEI-9"),
                line("PHO-00001", "", "10", "IMEI-9"),
            ],
            "Serial number IMEI-9 appears on two lines.",
        ),
        ([], "Add at least one product to the receiving."),
    ],
)
def test_a_bad_line_is_explained_and_nothing_is_received(
    app, client, login_as, goods, lines, message
):
    login_as("ADMIN")

    response = client.post_form("/inventory/receivings/new", receiving_form(*lines))

    assert response.status_code == 422
    assert message in response.text
    assert count_receivings(app) == 0
    assert 'value="Octagon Computer"' in response.text
    for index, typed in enumerate(lines):
        assert f'name="lines-{index}-product" ' in response.text
        assert f'value="{typed["product"]}"' in response.text


def test_a_serial_already_in_stock_cannot_be_received_again(
    app, client, login_as, seed, goods
):
    seed.receive(goods["phone"], 1, serials=["IMEI-7777"])
    login_as("ADMIN")

    response = client.post_form(
        "/inventory/receivings/new",
        receiving_form(line("PHO-00001", "1", "9000", "imei-7777")),
    )

    assert response.status_code == 422
    assert "Serial number IMEI-7777 is already in the system." in response.text
    assert count_receivings(app) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"supplier_name": ""}, "Enter the supplier&#39;s name."),
        ({"received_date": ""}, "Enter the date the goods arrived."),
        ({"received_date": "2999-01-01"}, "The received date cannot be in the future."),
    ],
)
def test_the_supplier_and_a_past_date_are_required(
    app, client, login_as, goods, fields, message
):
    login_as("ADMIN")

    response = client.post_form(
        "/inventory/receivings/new",
        receiving_form(line("LAP-00001", "1", "100"), **fields),
    )

    assert response.status_code == 422
    assert message in response.text
    assert count_receivings(app) == 0


def test_lines_added_in_the_browser_are_received_too(client, login_as, seed, goods):
    login_as("ADMIN")
    data = receiving_form(line("LAP-00001", "1", "100"))
    data |= {"lines-7-product": "RAM-00001", "lines-7-quantity": "4"}
    data |= {"lines-7-unit_cost": "900"}

    response = client.post_form("/inventory/receivings/new", data)

    assert response.status_code == 302
    assert seed.load(goods["ram"]).on_hand == 4


def test_the_form_offers_five_empty_lines_and_can_start_with_a_product(
    client, login_as, goods
):
    login_as("ADMIN")

    page = client.get("/inventory/receivings/new?product=LAP-00001").text

    assert len(re.findall(r'name="lines-\d+-product"', page)) == 5
    assert re.search(r'name="lines-0-product"[^>]*value="LAP-00001"', page)
    assert 'src="/static/js/receiving.js"' in page and "<script>" not in page


def test_receivings_list_pages_and_searches(client, login_as, seed, goods):
    for _ in range(52):
        seed.receive(goods["ram"], 1)
    login_as("TECH")

    first = client.get("/inventory/receivings").text
    found = client.get("/inventory/receivings?q=rcv-000007").text

    assert len(re.findall(r">RCV-\d+</a>", first)) == 50
    assert "52 in all · page 1 of 2" in first
    assert re.findall(r">(RCV-\d+)</a>", found) == ["RCV-000007"]
    assert "Total cost" not in first
