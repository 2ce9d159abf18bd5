"""Low stock: goods at or under their reorder level and how many to order."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from jcicons.inventory.exports import PESO_FORMAT, purchase_list
from jcicons.inventory.models import MovementReason
from jcicons.inventory.queries import suggested_order_quantity
from jcicons.inventory.stock import move_stock


@pytest.mark.parametrize(
    ("level", "on_hand", "reorder_quantity", "suggested"),
    [
        (5, 2, 10, 10),  # the usual order covers the shortfall
        (5, 0, 3, 6),  # the usual order would not lift stock past the level
        (5, 5, 0, 1),  # exactly at the level: one more passes it
        (0, 0, 0, 1),  # out of stock with no level set
    ],
)
def test_the_suggested_order_reaches_past_the_reorder_level(
    admin, make_product, level, on_hand, reorder_quantity, suggested
):
    product = make_product(reorder_level=level, reorder_quantity=reorder_quantity)
    if on_hand:
        move_stock(product, on_hand, MovementReason.FOUND, admin, "adjustment")

    (line,) = purchase_list()

    assert suggested_order_quantity(product) == line.suggested == suggested


def test_the_list_holds_only_active_goods_at_or_under_their_level(admin, make_product):
    def stocked(name, on_hand, level, **fields):
        product = make_product(name, reorder_level=level, **fields)
        if on_hand:
            move_stock(product, on_hand, MovementReason.FOUND, admin, "adjustment")
        return product

    stocked("At level", 3, 3)
    stocked("Under", 1, 3)
    stocked("Above", 4, 3)
    stocked("Old stock", 0, 3).is_archived = True
    make_product("Cleaning", category="Services", is_service=True)

    names = [line.product.name for line in purchase_list()]

    assert names == ["Under", "At level"]


def test_the_estimated_cost_is_suggested_quantity_times_unit_cost(admin, make_product):
    make_product(reorder_level=2, reorder_quantity=4, cost_centavos=1250_25)

    (line,) = purchase_list()

    assert line.estimated_cost_centavos == 4 * 1250_25


@pytest.fixture
def shortages(seed) -> dict[str, int]:
    ink = seed.product(
        "Epson 003 Black",
        "Ink",
        sku="INK-003K",
        reorder_level=4,
        reorder_quantity=12,
        cost_centavos=250_00,
    )
    mouse = seed.product(
        "Logitech M90",
        "Accessories",
        sku="ACC-M90",
        reorder_level=2,
        reorder_quantity=0,
        cost_centavos=199_50,
    )
    plenty = seed.product("USB hub", "Accessories", reorder_level=1)
    seed.receive(ink, 1, cost=250_00)
    seed.receive(plenty, 5)
    return {"ink": ink, "mouse": mouse, "plenty": plenty}


def test_the_page_lists_shortages_with_suggested_orders(client, login_as, shortages):
    login_as("TECH")

    page = client.get("/inventory/low-stock").text

    assert "Epson 003 Black" in page and "Logitech M90" in page
    assert "USB hub" not in page
    suggested = page.split('data-testid="suggested">')[1:]
    assert [s.split("<")[0] for s in suggested] == ["3", "12"]
    assert "css/stock-sheets.css" in page and 'data-testid="print-all"' in page
    whole = client.get("/inventory/low-stock?all=1").text
    assert "data-print" in whole and "Epson 003 Black" in whole


@pytest.mark.parametrize(("role", "sees_costs"), [("ADMIN", True), ("SALES", False)])
def test_costs_and_the_total_show_only_to_admin(
    client, login_as, shortages, role, sees_costs
):
    login_as(role)

    page = client.get("/inventory/low-stock").text

    # 3 x 199.50 + 12 x 250.00
    assert ("₱3,598.50" in page) is sees_costs
    assert ("Estimated cost" in page) is sees_costs


def test_a_category_narrows_the_list(client, login_as, seed, shortages):
    login_as("ADMIN")

    page = client.get(f"/inventory/low-stock?category={seed.categories['Ink']}").text

    assert "Epson 003 Black" in page and "Logitech M90" not in page


def test_the_purchase_list_exports_as_csv(client, login_as, shortages):
    login_as("ADMIN")

    response = client.get("/inventory/low-stock/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))

    assert [(r["sku"], r["on_hand"], r["suggested_order"]) for r in rows] == [
        ("ACC-M90", "0", "3"),
        ("INK-003K", "1", "12"),
    ]
    assert rows[1]["estimated_cost"] == "3000.00"


@pytest.mark.parametrize("role", ["SALES", "TECH"])
def test_others_may_print_the_purchase_list_but_not_export_it(
    client, login_as, shortages, role
):
    login_as(role)

    page = client.get("/inventory/low-stock").text
    printable = client.get("/inventory/low-stock?all=1")

    assert client.get("/inventory/low-stock/export.csv").status_code == 403
    assert client.get("/inventory/low-stock/export.xlsx").status_code == 403
    assert "/inventory/low-stock/export." not in page
    assert printable.status_code == 200 and "INK-003K" in printable.text


def test_the_purchase_list_exports_as_xlsx_with_peso_costs(client, login_as, shortages):
    login_as("ADMIN")

    response = client.get("/inventory/low-stock/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    ink = dict(zip(header, sheet[3], strict=True))

    assert ink["sku"].value == "INK-003K" and ink["suggested_order"].value == 12
    assert ink["estimated_cost"].value == 3000
    assert ink["estimated_cost"].number_format == PESO_FORMAT


def test_the_page_shows_a_hundred_at_a_time_with_the_whole_list_total(
    client, login_as, shortages, seed
):
    seed.many(120, category="Cables")  # reorder level 0, nothing on hand: all low
    login_as("ADMIN")

    first = client.get("/inventory/low-stock").text
    second = client.get("/inventory/low-stock?page=2").text

    assert first.count('data-testid="suggested"') == 100
    assert second.count('data-testid="suggested"') == 22
    # 3 x 199.50 + 12 x 250.00, whichever page is shown
    assert "₱3,598.50" in first and "₱3,598.50" in second
    assert "122 in all" in first
