"""Stock counts: a blind sheet, counted figures, reviewed differences, one posting."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jcicons.audit.models import AuditEvent
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import MovementReason, StockCount, StockMovement
from jcicons.inventory.services import (
    cancel_count,
    count_differences,
    post_count,
    record_counted,
    start_count,
)
from jcicons.inventory.stock import ledger_mismatches, move_stock


def stocked(make_product, admin, name, quantity, **fields):
    product = make_product(name, **fields)
    if quantity:
        move_stock(product, quantity, MovementReason.FOUND, admin, "adjustment")
    return product


def counted(count, **by_name):
    lines = {line.product.name: line.id for line in count.lines}
    record_counted(count, {lines[name]: value for name, value in by_name.items()})


# Services ---------------------------------------------------------------------


def test_posting_a_count_adjusts_each_difference_and_leaves_uncounted_stock(
    admin, make_product
):
    mouse = stocked(make_product, admin, "Mouse", 5)
    cable = stocked(make_product, admin, "HDMI cable", 3)
    toner = stocked(make_product, admin, "Toner", 2)
    count = start_count(None, admin)
    counted(count, Mouse=4, **{"HDMI cable": 3})

    assert post_count(count, admin) == 1

    assert (mouse.on_hand, cable.on_hand, toner.on_hand) == (4, 3, 2)
    row = db.session.scalars(
        select(StockMovement).where(StockMovement.reference_type == "count")
    ).one()
    assert (row.product_id, row.quantity, row.on_hand_after) == (mouse.id, -1, 4)
    assert (row.reason, row.reference_id) == ("COUNT_CORRECTION", count.id)
    assert count.status == "POSTED"
    assert ledger_mismatches() == []


def test_a_sale_during_the_count_is_not_undone(admin, make_product):
    mouse = stocked(make_product, admin, "Mouse", 5)
    count = start_count(None, admin)
    counted(count, Mouse=3)
    move_stock(mouse, -2, MovementReason.SOLD, admin, "sale", 1)

    assert count_differences(count) == []
    assert post_count(count, admin) == 0
    assert mouse.on_hand == 3


def test_a_count_of_a_category_snapshots_only_its_goods(admin, make_product):
    stocked(make_product, admin, "Mouse", 5, category="Accessories")
    stocked(make_product, admin, "ThinkPad", 1, category="Laptops")
    make_product("Cleaning", category="Accessories", is_service=True)
    accessories = make_product("Pad", category="Accessories").category_id

    count = start_count(accessories, admin)

    assert sorted((ln.product.name, ln.expected) for ln in count.lines) == [
        ("Mouse", 5),
        ("Pad", 0),
    ]


def test_a_serialized_difference_must_be_adjusted_unit_by_unit(admin, make_product):
    make_product("Galaxy A15", is_serialized=True)
    count = start_count(None, admin)
    counted(count, **{"Galaxy A15": 1})

    with pytest.raises(DomainError, match="unit by unit"):
        post_count(count, admin)


def test_a_cancelled_count_changes_no_stock_and_cannot_be_posted(admin, make_product):
    mouse = stocked(make_product, admin, "Mouse", 5)
    count = start_count(None, admin)
    counted(count, Mouse=1)

    cancel_count(count, admin)

    assert mouse.on_hand == 5
    with pytest.raises(DomainError, match="closed"):
        post_count(count, admin)


def test_starting_posting_and_cancelling_are_audited(admin, make_product):
    stocked(make_product, admin, "Mouse", 5)
    first = start_count(None, admin)
    counted(first, Mouse=7)
    post_count(first, admin)
    second = start_count(None, admin)
    cancel_count(second, admin)

    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "stock_count")
    ).all()
    posted = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "count.post")
    ).one()
    assert sorted(actions) == [
        "count.cancel",
        "count.post",
        "count.start",
        "count.start",
    ]
    assert posted.after == {"adjustments": [[first.lines[0].product_id, 2]]}


# Screens ----------------------------------------------------------------------


@pytest.fixture
def shelf(seed) -> dict[str, int]:
    """Two accessories in stock and a laptop in another category."""
    ids = {
        "Mouse": seed.product("Mouse", "Accessories", sku="ACC-MOUSE"),
        "Keyboard": seed.product("Keyboard", "Accessories", sku="ACC-KEYB"),
        "ThinkPad": seed.product("ThinkPad", "Laptops"),
    }
    seed.receive(ids["Mouse"], 5)
    seed.receive(ids["Keyboard"], 2)
    seed.receive(ids["ThinkPad"], 1)
    return ids


def start(client, seed, category: str | None) -> int:
    category_id = seed.categories[category] if category else 0
    response = client.post_form("/inventory/counts/new", {"category_id": category_id})
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def line_ids(app, count_id: int) -> dict[str, int]:
    with app.app_context():
        count = db.session.get(StockCount, count_id)
        return {line.product.name: line.id for line in count.lines}


def enter(client, app, count_id: int, action: str = "save", **figures: str):
    lines = line_ids(app, count_id)
    data = {f"line-{lines[name]}": value for name, value in figures.items()}
    return client.post_form(f"/inventory/counts/{count_id}", data | {"action": action})


def test_a_count_of_a_category_lists_its_products_for_entry(
    client, login_as, seed, shelf
):
    login_as("ADMIN")
    count_id = start(client, seed, "Accessories")

    page = client.get(f"/inventory/counts/{count_id}").text

    assert "Keyboard" in page and "ACC-MOUSE" in page
    assert "ThinkPad" not in page
    assert "0 of 2 products counted" in page


def test_the_count_sheet_is_blind_and_printable(client, login_as, seed, shelf):
    login_as("ADMIN")
    count_id = start(client, seed, "Accessories")

    page = client.get(f"/inventory/counts/{count_id}/sheet").text

    assert "ACC-MOUSE" in page and "ACC-KEYB" in page
    assert "css/stock-sheets.css" in page
    rows = re.findall(r"<tr>.*?</tr>", page, flags=re.S)
    mouse_row = next(row for row in rows if "ACC-MOUSE" in row)
    assert ">5<" not in mouse_row  # the expected quantity is not printed


def test_review_shows_on_hand_counted_and_difference(
    client, app, login_as, seed, shelf
):
    login_as("ADMIN")
    count_id = start(client, seed, "Accessories")

    response = enter(client, app, count_id, "review", Mouse="3", Keyboard="2")
    page = client.get(response.headers["Location"]).text

    assert response.headers["Location"].endswith(f"/counts/{count_id}/review")
    assert "2 of 2 products counted; 1 differ" in page
    table = page.split('data-testid="differences"')[1].split("</table>")[0]
    assert re.search(r"Mouse.*?>5<.*?>3<.*?&minus;2", table, flags=re.S)
    assert "Keyboard" not in table


def test_posting_needs_the_confirmation_box(client, app, login_as, seed, shelf):
    login_as("ADMIN")
    count_id = start(client, seed, "Accessories")
    enter(client, app, count_id, Mouse="3")
    shown = re.search(
        r'name="shown" type="hidden" value="(\w+)"',
        client.get(f"/inventory/counts/{count_id}/review").text,
    ).group(1)

    refused = client.post_form(f"/inventory/counts/{count_id}/post", {"shown": shown})
    posted = client.post_form(
        f"/inventory/counts/{count_id}/post", {"shown": shown, "confirm": "y"}
    )

    assert refused.headers["Location"].endswith("/review")
    assert posted.headers["Location"].endswith(f"/counts/{count_id}")
    assert seed.load(shelf["Mouse"]).on_hand == 3
    assert (
        "posted: 1 stock adjustment(s)" in client.get(posted.headers["Location"]).text
    )


def test_posting_is_refused_when_stock_moved_after_the_review(
    client, app, login_as, seed, shelf
):
    login_as("ADMIN")
    count_id = start(client, seed, "Accessories")
    enter(client, app, count_id, Mouse="3")
    review = client.get(f"/inventory/counts/{count_id}/review").text
    shown = re.search(r'name="shown" type="hidden" value="(\w+)"', review).group(1)
    seed.receive(shelf["Mouse"], 1)

    response = client.post_form(
        f"/inventory/counts/{count_id}/post", {"shown": shown, "confirm": "y"}
    )

    assert response.headers["Location"].endswith("/review")
    assert seed.load(shelf["Mouse"]).on_hand == 6
    assert "Stock changed since" in client.get(response.headers["Location"]).text


@pytest.mark.parametrize("bad", ["-1", "abc", "2.5", "100001"])
def test_a_bad_figure_saves_nothing_on_the_page(
    client, app, login_as, seed, shelf, bad
):
    login_as("ADMIN")
    count_id = start(client, seed, "Accessories")

    response = enter(client, app, count_id, Mouse="4", Keyboard=bad)

    assert response.status_code == 422
    assert "Use a whole number" in response.text
    with app.app_context():
        figures = [ln.counted for ln in db.session.get(StockCount, count_id).lines]
    assert figures == [None, None]


def test_a_posted_count_shows_expected_counted_and_adjustment(
    client, app, login_as, seed, shelf
):
    login_as("ADMIN")
    count_id = start(client, seed, None)
    enter(client, app, count_id, Mouse="7", ThinkPad="1")
    shown = re.search(
        r'name="shown" type="hidden" value="(\w+)"',
        client.get(f"/inventory/counts/{count_id}/review").text,
    ).group(1)
    client.post_form(
        f"/inventory/counts/{count_id}/post", {"shown": shown, "confirm": "y"}
    )

    page = client.get(f"/inventory/counts/{count_id}").text

    assert re.search(r"Mouse.*?>5<.*?>7<.*?\+2", page, flags=re.S)
    assert "posted" in page and 'name="line-' not in page


def test_cancelling_a_count_closes_it_without_stock_changes(
    client, app, login_as, seed, shelf
):
    login_as("ADMIN")
    count_id = start(client, seed, "Accessories")
    enter(client, app, count_id, Mouse="0")

    response = client.post_form(f"/inventory/counts/{count_id}/cancel")

    assert response.headers["Location"].endswith("/inventory/counts")
    assert seed.load(shelf["Mouse"]).on_hand == 5
    with app.app_context():
        assert db.session.get(StockCount, count_id).status == "CANCELLED"


@pytest.mark.parametrize(
    ("role", "toggle", "status"),
    [
        ("ADMIN", False, 200),
        ("SALES", False, 403),
        ("SALES", True, 200),
        ("TECH", False, 403),
        ("TECH", True, 403),
    ],
)
def test_counting_needs_the_right_to_edit_inventory(
    client, login_as, seed, shelf, role, toggle, status
):
    seed.toggle("SALES_CAN_EDIT_INVENTORY", toggle)
    login_as(role)

    assert client.get("/inventory/counts").status_code == status
    started = client.post_form("/inventory/counts/new", {"category_id": 0})
    assert started.status_code == (302 if status == 200 else 403)
