"""Exporting the product list: real numbers in XLSX, no runnable formulas anywhere."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from jcicons.inventory.exports import PESO_FORMAT, neutralise


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+63 917 000 0000", "'+63 917 000 0000"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tTAB", "'\tTAB"),
        ("ThinkPad = good", "ThinkPad = good"),
        ("", ""),
    ],
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text, safe):
    assert neutralise(text) == safe


@pytest.fixture
def catalogue(seed) -> dict[str, int]:
    lenovo = seed.product(
        "Lenovo IdeaPad",
        "Laptops",
        sku="LAP-1",
        barcode="4901234567894",
        price_centavos=32_995_50,
        cost_centavos=28_000_00,
        reorder_level=2,
    )
    seed.receive(lenovo, 3, cost=28_000_00)
    hostile = seed.product(
        '=HYPERLINK("http://evil.example","Click")', "Accessories", sku="ACC-1"
    )
    service = seed.product(
        "Reformat", "Services", sku="SRV-1", is_service=True, price_centavos=500_00
    )
    return {"lenovo": lenovo, "hostile": hostile, "service": service}


def xlsx_rows(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_xlsx_prices_are_numbers_with_a_peso_format(client, login_as, catalogue):
    login_as("ADMIN")

    response = client.get("/inventory/export/products.xlsx?sort=sku")
    rows = {row["sku"].value: row for row in xlsx_rows(response)}
    lenovo = rows["LAP-1"]

    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert lenovo["price"].value == 32995.5 and lenovo["price"].data_type == "n"
    assert lenovo["price"].number_format == PESO_FORMAT
    assert lenovo["cost"].value == 28000 and lenovo["on_hand"].value == 3
    assert lenovo["barcode"].value == "4901234567894"
    assert lenovo["barcode"].data_type == "s"
    assert (rows["SRV-1"]["service"].value, lenovo["serialized"].value) == ("yes", "no")


def test_xlsx_keeps_formula_like_names_as_plain_text(client, login_as, catalogue):
    login_as("ADMIN")

    rows = xlsx_rows(client.get("/inventory/export/products.xlsx"))
    hostile = next(row for row in rows if row["sku"].value == "ACC-1")

    assert hostile["name"].data_type == "s"
    assert hostile["name"].value == '=HYPERLINK("http://evil.example","Click")'


def test_csv_neutralises_formula_like_names(client, login_as, catalogue):
    login_as("ADMIN")

    rows = {
        row["sku"]: row
        for row in csv_rows(client.get("/inventory/export/products.csv"))
    }

    assert rows["ACC-1"]["name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert (rows["LAP-1"]["price"], rows["LAP-1"]["cost"]) == ("32995.50", "28000.00")
    assert rows["LAP-1"]["category"] == "Laptops"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("role", "toggle"), [("SALES", False), ("SALES", True), ("TECH", True)]
)
def test_only_the_owner_may_export_the_product_list(
    client, login_as, seed, catalogue, fmt, role, toggle
):
    seed.toggle("SALES_CAN_EDIT_INVENTORY", toggle)
    login_as(role)

    response = client.get(f"/inventory/export/products.{fmt}")

    assert response.status_code == 403
    assert "LAP-1" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "skus"),
    [
        ({"category": "Laptops"}, ["LAP-1"]),
        ({"stock": "service"}, ["SRV-1"]),
        ({"stock": "out"}, ["ACC-1"]),
        ({"q": "ideapad"}, ["LAP-1"]),
        ({"sort": "sku"}, ["ACC-1", "LAP-1", "SRV-1"]),
    ],
)
def test_the_export_takes_the_product_list_filters(
    client, login_as, seed, catalogue, query, skus
):
    login_as("ADMIN")
    if "category" in query:
        query = {"category": seed.categories[query["category"]]}

    rows = csv_rows(client.get("/inventory/export/products.csv", query_string=query))

    assert [row["sku"] for row in rows] == skus


def test_archived_products_are_exported_only_when_asked(
    client, app, login_as, catalogue
):
    from jcicons.extensions import db
    from jcicons.inventory.models import Product

    with app.app_context():
        db.session.get(Product, catalogue["service"]).is_archived = True
        db.session.commit()
    login_as("ADMIN")

    active = csv_rows(client.get("/inventory/export/products.csv"))
    archived = csv_rows(client.get("/inventory/export/products.csv?status=archived"))

    assert "SRV-1" not in [row["sku"] for row in active]
    assert [(row["sku"], row["archived"]) for row in archived] == [("SRV-1", "yes")]


def test_the_export_page_offers_both_formats_to_the_owner(client, login_as):
    login_as("ADMIN")

    page = client.get("/inventory/export").text

    assert 'action="/inventory/export/products.xlsx"' in page
    assert 'formaction="/inventory/export/products.csv"' in page
    assert "Unit costs are included." in page


@pytest.mark.parametrize("role", ["SALES", "TECH"])
def test_the_export_page_tells_others_that_exports_are_for_the_owner(
    client, login_as, role
):
    login_as(role)

    page = client.get("/inventory/export").text

    assert "/inventory/export/products." not in page
    assert 'data-testid="exports-for-owner"' in page
    assert 'href="/inventory/low-stock?all=1"' in page
