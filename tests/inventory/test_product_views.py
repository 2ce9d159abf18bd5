"""The product screens: list, search and filters, create and edit, the product page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from helpers import count_statements
from jcicons import clock
from jcicons.audit.models import AuditEvent
from jcicons.extensions import db
from jcicons.inventory.models import Product

MINUS = "\u2212"  # the minus sign the pages print


def skus(page: str) -> list[str]:
    """Return the SKUs listed in the products table, in order."""
    return re.findall(r'<td><a href="/inventory/products/\d+">([^<]+)</a></td>', page)


def audit_actions(app, product_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "product")
            .where(AuditEvent.entity_id == str(product_id))
            .order_by(AuditEvent.id)
        )
        return [(row.actor_username, row.action) for row in rows]


def product_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Product))


def new_product(category_id: int, **fields: str) -> dict[str, object]:
    return {
        "name": "Logitech M331",
        "category_id": category_id,
        "price": "650",
    } | fields


# The list -----------------------------------------------------------------------


@pytest.fixture
def shelf(seed) -> dict[str, int]:
    """Three products: one in stock, one low, one out; one serialized phone."""
    ids = {
        "laptop": seed.product(
            "ThinkPad T14",
            brand="Lenovo",
            model="T14 Gen 4",
            barcode="4800000000017",
            price_centavos=52_000_00,
        ),
        "ram": seed.product("DDR4 8GB", "RAM", brand="Kingston", reorder_level=5),
        "ink": seed.product("Epson 003 Black", "Ink", price_centavos=380_00),
        "phone": seed.product("Galaxy A15", "Phones", is_serialized=True),
    }
    seed.receive(ids["laptop"], 10)
    seed.receive(ids["ram"], 3)
    seed.receive(ids["phone"], 1, serials=["IMEI-3579"])
    return ids


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("thinkpad", ["LAP-00001"]),
        ("ram-00001", ["RAM-00001"]),
        ("4800000000017", ["LAP-00001"]),
        ("kingston", ["RAM-00001"]),
        ("T14 Gen", ["LAP-00001"]),
        ("imei-3579", ["PHO-00001"]),
        ("nothing like it", []),
    ],
)
def test_one_search_box_finds_name_sku_barcode_brand_model_and_serial(
    client, login_as, shelf, search, expected
):
    login_as("TECH")

    page = client.get("/inventory/products", query_string={"q": search}).text

    assert skus(page) == expected


@pytest.mark.parametrize(
    ("stock", "expected"),
    [
        ("in", ["PHO-00001", "LAP-00001", "RAM-00001"]),
        ("low", ["RAM-00001", "INK-00001"]),
        ("out", ["INK-00001"]),
    ],
)
def test_stock_filter_shows_in_low_and_out_of_stock(
    client, login_as, shelf, stock, expected
):
    login_as("SALES")

    page = client.get("/inventory/products", query_string={"stock": stock}).text

    assert sorted(skus(page)) == sorted(expected)


def test_category_and_status_filters_and_price_sort(client, login_as, seed, shelf):
    login_as("ADMIN")
    client.post_form(f"/inventory/products/{shelf['ink']}/archive")

    by_category = client.get(f"/inventory/products?category={seed.category('RAM')}")
    archived = client.get("/inventory/products?status=archived")
    by_price = client.get("/inventory/products?sort=price")

    assert skus(by_category.text) == ["RAM-00001"]
    assert skus(archived.text) == ["INK-00001"]
    assert skus(by_price.text)[0] == "LAP-00001"
    assert "INK-00001" not in skus(by_price.text)


def test_list_pages_by_fifty(client, login_as, seed):
    seed.many(60)
    login_as("SALES")

    first = client.get("/inventory/products").text
    second = client.get("/inventory/products?page=2").text

    assert len(skus(first)) == 50 and len(skus(second)) == 10
    assert "60 in all · page 1 of 2" in first
    assert skus(second)[-1] == "LAP-00060"


def test_list_runs_the_same_number_of_queries_for_3_or_60_products(
    app, client, login_as, seed
):
    seed.many(3)
    login_as("ADMIN")
    few = count_statements(client, "/inventory/products?sort=stock")
    seed.many(57, category="RAM")

    many = count_statements(client, "/inventory/products?sort=stock")

    assert many == few


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "No products yet."), ("?q=zzz", "No products match “zzz”.")],
)
def test_empty_list_says_why(client, login_as, query, message):
    login_as("ADMIN")

    page = client.get(f"/inventory/products{query}").text

    assert message in page


def test_admin_sees_the_value_of_all_stock_on_the_list(client, login_as, seed):
    product = seed.product()
    seed.receive(product, 3, cost=1_000_50)
    login_as("ADMIN")

    page = client.get("/inventory/products").text

    assert "Stock value at average cost: <strong>₱3,001.50</strong>" in page


# Create and edit ----------------------------------------------------------------


def test_creating_a_product_numbers_it_from_its_category_and_audits_it(
    app, client, login_as, seed
):
    category = seed.category("Accessories")
    admin = login_as("ADMIN")

    response = client.post_form(
        "/inventory/products/new",
        new_product(category, price="₱1,250.50", cost="700", reorder_level="3"),
    )

    assert response.status_code == 302
    product_id = int(response.headers["Location"].rsplit("/", 1)[1])
    product = seed.load(product_id)
    assert (product.sku, product.price_centavos, product.cost_centavos) == (
        "ACC-00001",
        1_250_50,
        700_00,
    )
    assert product.reorder_level == 3
    assert audit_actions(app, product_id) == [(admin.username, "product.create")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"price": "12.345"}, "at most two decimals"),
        ({"price": "twelve"}, "at most two decimals"),
        ({"price": "1,25"}, "Use commas only between thousands"),
        ({"price": ""}, "Enter the selling price"),
        ({"price": "-5"}, "cannot be negative"),
        ({"cost": "abc"}, "at most two decimals"),
        ({"name": ""}, "Enter the product&#39;s name."),
        ({"category_id": ""}, "Choose a category."),
        ({"reorder_level": "-1"}, "Use a whole number from 0 to 100,000."),
        ({"sku": "BAD SKU!"}, "A SKU is up to 40 letters"),
        ({"barcode": "12"}, "A barcode is 4 to 64 letters"),
        ({"is_service": "y", "is_serialized": "y"}, "cannot be serialized"),
    ],
)
def test_a_bad_field_is_named_and_everything_typed_is_kept(
    app, client, login_as, seed, fields, message
):
    category = seed.category("Accessories")
    login_as("ADMIN")
    typed = new_product(category, brand="Logitech", model="M331 Silent") | fields

    response = client.post_form("/inventory/products/new", typed)

    assert response.status_code == 422
    assert message in response.text
    assert 'value="Logitech"' in response.text
    assert 'value="M331 Silent"' in response.text
    for name in ("price", "sku", "barcode"):
        if fields.get(name):
            assert f'value="{fields[name]}"' in response.text
    assert product_count(app) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sku": "acc-00001"}, "SKU ACC-00001 is already used by another product."),
        ({"barcode": "4800000000017"}, "That barcode is already on another product."),
    ],
)
def test_sku_and_barcode_must_be_unique(client, login_as, seed, fields, message):
    seed.product("Old mouse", "Accessories", barcode="4800000000017")
    login_as("ADMIN")

    response = client.post_form(
        "/inventory/products/new", new_product(seed.category("Accessories"), **fields)
    )

    assert response.status_code == 422
    assert message in response.text


def test_an_archived_category_is_not_offered_for_new_products(client, login_as, seed):
    seed.category("Mice")
    login_as("ADMIN")
    client.post_form(f"/inventory/categories/{seed.category('Floppy disks')}/archive")

    form = client.get("/inventory/products/new").text

    assert ">Mice</option>" in form
    assert ">Floppy disks</option>" not in form


def test_editing_changes_the_fields_and_audits_before_and_after(
    app, client, login_as, seed
):
    product_id = seed.product(price_centavos=50_000_00, cost_centavos=40_000_00)
    admin = login_as("ADMIN")
    form = client.get(f"/inventory/products/{product_id}/edit").text

    client.post_form(
        f"/inventory/products/{product_id}/edit",
        new_product(
            seed.category(), name="ThinkPad T14", price="52,500", cost="41,000"
        ),
    )

    assert 'value="50,000.00"' in form and 'value="40,000.00"' in form
    product = seed.load(product_id)
    assert (product.price_centavos, product.cost_centavos) == (52_500_00, 41_000_00)
    assert audit_actions(app, product_id)[-1] == (admin.username, "product.update")
    with app.app_context():
        change = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "product.update")
        ).one()
        assert change.before["price_centavos"] == 50_000_00
        assert change.after["price_centavos"] == 52_500_00


# The product page ---------------------------------------------------------------


def test_product_page_shows_on_hand_average_cost_and_value_to_admin(
    client, login_as, seed
):
    product = seed.product()
    seed.receive(product, 3, cost=100_00)
    seed.receive(product, 2, cost=130_00)
    login_as("ADMIN")

    page = client.get(f"/inventory/products/{product}").text

    assert re.search(r'data-testid="on-hand">5 <span class="fs-5">pc', page)
    # (3 x 100.00 + 2 x 130.00) / 5 = 112.00; 5 x 112.00 = 560.00
    assert 'data-testid="unit-cost">₱112.00<' in page
    assert 'data-testid="stock-value">₱560.00<' in page


def test_product_page_lists_movements_with_reference_actor_and_shop_time(
    client, login_as, seed
):
    clock.set_frozen(datetime(2026, 3, 1, 16, 30, tzinfo=UTC))  # 00:30 in Manila
    product = seed.product()
    receiving = seed.receive(product, 4)
    login_as("ADMIN")
    client.post_form(
        f"/inventory/products/{product}/adjust",
        {
            "quantity": "-1",
            "reason": "DAMAGED",
            "note": "Dropped",
            "idempotency_key": "dropped-one",
        },
    )

    page = client.get(f"/inventory/products/{product}").text
    rows = re.findall(r"<tr>\s*<td class=\"text-nowrap\">(.*?)</tr>", page, re.S)
    text = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in rows]

    damaged = ["2026-03-02", "00:30", "Damaged", MINUS + "1", "3", "Adjustment"]
    received = ["2026-03-02", "00:30", "Received", "+4", "4", "Receiving"]
    assert text[0][:6] == damaged
    assert text[1][:7] == [*received, "RCV-000001"]
    assert f'href="/inventory/receivings/{receiving}">Receiving RCV-000001</a>' in page
    assert "owner" in rows[1] and "Dropped" in rows[0]


def test_movements_are_paged(client, login_as, seed):
    product = seed.product()
    for _ in range(27):
        seed.receive(product, 1)
    login_as("SALES")

    first = client.get(f"/inventory/products/{product}").text
    second = client.get(f"/inventory/products/{product}?page=2").text

    assert first.count("RCV-0000") == 25
    assert re.findall(r">Receiving (RCV-\d+)<", second) == ["RCV-000002", "RCV-000001"]


def test_archiving_keeps_the_product_and_its_history_and_restore_undoes_it(
    app, client, login_as, seed
):
    product = seed.product()
    seed.receive(product, 2)
    admin = login_as("ADMIN")

    archived = client.post_form(
        f"/inventory/products/{product}/archive", follow_redirects=True
    )
    client.post_form(f"/inventory/products/{product}/restore")

    assert "ThinkPad T14 is archived: it keeps its history." in archived.text
    assert "RCV-000001" in archived.text
    assert seed.load(product).is_archived is False
    assert audit_actions(app, product)[-2:] == [
        (admin.username, "product.archive"),
        (admin.username, "product.restore"),
    ]


def test_a_missing_product_is_a_404(client, login_as):
    login_as("SALES")

    assert client.get("/inventory/products/999999").status_code == 404
