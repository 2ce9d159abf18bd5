"""The product search other screens use: autocomplete and exact code look-up."""

from __future__ import annotations

import pytest

FIELDS = {
    "id",
    "sku",
    "barcode",
    "name",
    "brand",
    "model",
    "unit",
    "price",
    "price_centavos",
    "vat_class",
    "on_hand",
    "is_service",
    "is_serialized",
    "url",
}


@pytest.fixture
def laptop(seed) -> int:
    product = seed.product(
        "ThinkPad T14",
        brand="Lenovo",
        model="T14 Gen 4",
        barcode="4800000000017",
        price_centavos=52_000_00,
    )
    seed.receive(product, 3, cost=41_000_00)
    return product


def test_autocomplete_describes_each_product(client, login_as, laptop):
    login_as("SALES")

    found = client.get("/inventory/products/autocomplete?q=thinkpad").json["products"]

    assert [set(item) for item in found] == [FIELDS]
    assert found[0] | {"id": 0} == {
        "id": 0,
        "sku": "LAP-00001",
        "barcode": "4800000000017",
        "name": "ThinkPad T14",
        "brand": "Lenovo",
        "model": "T14 Gen 4",
        "unit": "pc",
        "price": "₱52,000.00",
        "price_centavos": 52_000_00,
        "vat_class": "VATABLE",
        "on_hand": 3,
        "is_service": False,
        "is_serialized": False,
        "url": f"/inventory/products/{laptop}",
    }


@pytest.mark.parametrize(
    ("role", "cost"), [("ADMIN", "₱41,000.00"), ("SALES", None), ("TECH", None)]
)
def test_only_admin_gets_the_cost(client, login_as, laptop, role, cost):
    login_as(role)

    item = client.get("/inventory/products/autocomplete?q=LAP").json["products"][0]
    looked_up = client.get("/inventory/products/lookup?code=LAP-00001").json["product"]

    assert item.get("cost") == looked_up.get("cost") == cost
    assert ("cost_centavos" in item) is (cost is not None)


def test_autocomplete_returns_at_most_ten_active_products(client, login_as, seed):
    ids = seed.many(12)
    login_as("ADMIN")
    client.post_form(f"/inventory/products/{ids[0]}/archive")

    found = client.get("/inventory/products/autocomplete?q=item").json["products"]

    assert [item["name"] for item in found] == [f"Item {n:03d}" for n in range(2, 12)]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("4800000000017", ["ThinkPad T14"]),
        ("lap-00002", ["IdeaPad 3"]),
        ("pad", ["IdeaPad 3", "ThinkPad T14"]),
        ("", []),
        ("100%_", []),
    ],
)
def test_autocomplete_matches_name_sku_and_barcode(
    client, login_as, seed, laptop, query, names
):
    seed.product("IdeaPad 3")
    login_as("TECH")

    found = client.get("/inventory/products/autocomplete", query_string={"q": query})

    assert [item["name"] for item in found.json["products"]] == names


@pytest.mark.parametrize(
    "code", ["4800000000017", "LAP-00001", "lap-00001", " LAP-00001 "]
)
def test_lookup_resolves_a_scanned_barcode_or_sku(client, login_as, laptop, code):
    login_as("SALES")

    response = client.get("/inventory/products/lookup", query_string={"code": code})

    assert response.status_code == 200
    assert response.json["product"]["id"] == laptop


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("0000", "No active product has the barcode or SKU '0000'."),
        ("", "Scan or type a code."),
    ],
)
def test_lookup_of_an_unknown_code_is_a_404_with_a_message(
    client, login_as, laptop, code, message
):
    login_as("SALES")

    response = client.get("/inventory/products/lookup", query_string={"code": code})

    assert response.status_code == 404
    assert response.json == {"error": message}


def test_an_archived_product_is_not_found_by_its_code(client, login_as, laptop):
    login_as("ADMIN")
    client.post_form(f"/inventory/products/{laptop}/archive")

    response = client.get("/inventory/products/lookup?code=4800000000017")

    assert response.status_code == 404
