"""Who may reach the inventory screens, and who may see costs (DESIGN.md 1a)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from jcicons.extensions import db
from jcicons.inventory.models import Category, Product, Receiving, StockMovement

EDIT_REQUESTS = [
    ("get", "/inventory/products/new"),
    ("post", "/inventory/products/new"),
    ("get", "/inventory/products/{product}/edit"),
    ("post", "/inventory/products/{product}/edit"),
    ("get", "/inventory/products/{product}/adjust"),
    ("post", "/inventory/products/{product}/adjust"),
    ("get", "/inventory/receivings/new"),
    ("post", "/inventory/receivings/new"),
    ("post", "/inventory/categories/new"),
    ("get", "/inventory/categories/{category}/edit"),
    ("post", "/inventory/categories/{category}/edit"),
]
ARCHIVE_REQUESTS = [
    "/inventory/products/{product}/archive",
    "/inventory/products/{product}/restore",
    "/inventory/categories/{category}/archive",
    "/inventory/categories/{category}/restore",
]
# A form that would change something if it were let through.
CHANGES = {
    "name": "Changed",
    "price": "1.00",
    "category_id": "",
    "quantity": "5",
    "reason": "FOUND",
    "supplier_name": "Octagon",
    "lines-0-product": "LAP-00001",
    "lines-0-quantity": "5",
    "lines-0-unit_cost": "10.00",
}
COST = 12_345_67  # a figure that appears nowhere else on the pages
COST_TEXTS = ("12,345.67", "12345.67", "24,691.34", "24691.34")


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def send(client, method: str, url: str):
    if method == "get":
        return client.get(url)
    return client.post_form(url, CHANGES)


def fill(url: str, product: int, category: int) -> str:
    return url.format(product=product, category=category)


def without_tokens(page: str) -> str:
    """Return the page without its CSRF tokens (random text that could hold 'cost')."""
    return re.sub(r'(content|value)="[\w.-]{40,}"', "", page)


@pytest.fixture
def laptop(seed) -> int:
    product = seed.product(sku="LAP-00001", cost_centavos=COST)
    seed.receive(product, 2, cost=COST)
    return product


@pytest.mark.parametrize("toggle", [False, True], ids=["toggle-off", "toggle-on"])
@pytest.mark.parametrize(("method", "url"), EDIT_REQUESTS)
def test_tech_may_never_edit_inventory(
    app, client, login_as, seed, laptop, method, url, toggle
):
    seed.toggle("SALES_CAN_EDIT_INVENTORY", toggle)
    login_as("TECH")

    response = send(client, method, fill(url, laptop, seed.category()))

    assert response.status_code == 403
    assert seed.load(laptop).name == "ThinkPad T14"
    assert count(app, StockMovement) == 1


@pytest.mark.parametrize(("method", "url"), EDIT_REQUESTS)
def test_sales_may_not_edit_inventory_while_the_toggle_is_off(
    app, client, login_as, seed, laptop, method, url
):
    login_as("SALES")

    response = send(client, method, fill(url, laptop, seed.category()))

    assert response.status_code == 403
    assert (count(app, Product), count(app, Receiving), count(app, Category)) == (
        1,
        1,
        1,
    )


def test_sales_creates_receives_and_adjusts_when_the_toggle_is_on(
    client, login_as, seed
):
    seed.toggle("SALES_CAN_EDIT_INVENTORY", True)
    category = seed.category("Accessories")
    login_as("SALES")

    created = client.post_form(
        "/inventory/products/new",
        {"name": "USB mouse", "category_id": category, "price": "350"},
    )
    product = int(created.headers["Location"].rsplit("/", 1)[1])
    received = client.post_form(
        "/inventory/receivings/new",
        {
            "supplier_name": "Octagon",
            "received_date": "2026-01-05",
            "idempotency_key": "first-receiving",
            "lines-0-product": "ACC-00001",
            "lines-0-quantity": "10",
            "lines-0-unit_cost": "180.00",
        },
    )
    adjusted = client.post_form(
        f"/inventory/products/{product}/adjust",
        {"quantity": "-1", "reason": "DAMAGED", "idempotency_key": "first-adjustment"},
    )

    assert [r.status_code for r in (created, received, adjusted)] == [302, 302, 302]
    assert seed.load(product).on_hand == 9
    assert seed.load(product).cost_centavos == 180_00


@pytest.mark.parametrize("role", ["SALES", "TECH"])
@pytest.mark.parametrize("url", ARCHIVE_REQUESTS)
def test_only_admin_archives_and_restores(client, login_as, seed, laptop, role, url):
    seed.toggle("SALES_CAN_EDIT_INVENTORY", True)
    login_as(role)

    response = client.post_form(fill(url, laptop, seed.category()))

    assert response.status_code == 403
    assert seed.load(laptop).is_archived is False


@pytest.mark.parametrize(
    "url",
    [
        "/inventory/products",
        "/inventory/products/{product}",
        "/inventory/categories",
        "/inventory/receivings",
        "/inventory/receivings/{receiving}",
        "/inventory/serials?serial=IMEI-1",
        "/inventory/products/autocomplete?q=thinkpad",
        "/inventory/products/lookup?code=LAP-00001",
    ],
)
@pytest.mark.parametrize("role", ["SALES", "TECH"])
def test_sales_and_tech_see_stock_but_never_a_cost(
    app, client, login_as, seed, laptop, role, url
):
    phone = seed.product("Galaxy A15", "Phones", is_serialized=True)
    receiving = seed.receive(phone, 1, cost=COST, serials=["IMEI-1"])
    login_as(role)

    response = client.get(url.format(product=laptop, receiving=receiving))

    assert response.status_code == 200
    assert not [text for text in COST_TEXTS if text in response.text]
    assert "cost" not in without_tokens(response.text).lower()


@pytest.mark.parametrize(
    "url",
    [
        "/inventory/products",
        "/inventory/products/{product}",
        "/inventory/receivings/{receiving}",
        "/inventory/products/autocomplete?q=thinkpad",
    ],
)
def test_admin_sees_the_cost(client, login_as, seed, laptop, url):
    receiving = seed.receive(laptop, 1, cost=COST)
    login_as("ADMIN")

    response = client.get(url.format(product=laptop, receiving=receiving))

    if response.is_json:
        assert json.loads(response.text)["products"][0]["cost"] == "₱12,345.67"
    else:
        assert "₱12,345.67" in response.text


def test_sales_editing_a_product_neither_sees_nor_changes_its_cost(
    client, login_as, seed, laptop
):
    seed.toggle("SALES_CAN_EDIT_INVENTORY", True)
    login_as("SALES")
    form = client.get(f"/inventory/products/{laptop}/edit").text

    response = client.post_form(
        f"/inventory/products/{laptop}/edit",
        {
            "name": "ThinkPad T14 Gen 4",
            "category_id": seed.category(),
            "price": "65,000",
            "cost": "1.00",
        },
    )

    assert response.status_code == 302
    assert "Unit cost" not in form and "12,345.67" not in form
    product = seed.load(laptop)
    assert (product.name, product.price_centavos) == ("ThinkPad T14 Gen 4", 65_000_00)
    assert product.cost_centavos == COST
