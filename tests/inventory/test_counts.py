"""Stock counts: a blind sheet, counted figures, reviewed differences, one posting."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from sqlalchemy import select

from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import (
    MovementReason,
    Product,
    SerialUnit,
    StockCount,
    StockMovement,
)
from jcicons.inventory.services import (
    ReceivingLineData,
    cancel_count,
    count_differences,
    post_count,
    receive_stock,
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

    posting = post_count(count, admin)

    assert [d.line.product_id for d in posting.adjusted] == [mouse.id]
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
    assert post_count(count, admin).adjusted == []
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


def received_phone(admin, make_product, serials):
    phone = make_product("Galaxy A15", category="Phones", is_serialized=True)
    line = ReceivingLineData(phone.id, len(serials), 9_000_00, list(serials))
    receive_stock("Octagon", "DR-1", date(2026, 1, 5), [line], admin)
    return phone


def test_a_serialized_difference_without_serials_does_not_block_the_count(
    admin, make_product
):
    mouse = stocked(make_product, admin, "Mouse", 5)
    phone = received_phone(admin, make_product, ["IMEI-1", "IMEI-2"])
    count = start_count(None, admin)
    counted(count, Mouse=4, **{"Galaxy A15": 1})

    posting = post_count(count, admin)

    assert [d.line.product_id for d in posting.adjusted] == [mouse.id]
    assert [(d.line.product_id, d.difference) for d in posting.unsettled] == [
        (phone.id, -1)
    ]
    assert (mouse.on_hand, phone.on_hand, count.status) == (4, 2, "POSTED")
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "count.post")
    ).one()
    assert audit.after["unsettled"] == [[phone.id, -1]]


def test_serials_given_in_the_count_post_a_serialized_difference_unit_by_unit(
    admin, make_product
):
    phone = received_phone(admin, make_product, ["IMEI-1", "IMEI-2", "IMEI-3"])
    count = start_count(None, admin)
    counted(count, **{"Galaxy A15": 1})
    line_id = count.lines[0].id

    posting = post_count(count, admin, {line_id: ["imei-1", "IMEI-3"]})

    rows = db.session.scalars(
        select(StockMovement).where(StockMovement.reference_type == "count")
    ).all()
    statuses = dict(
        db.session.execute(select(SerialUnit.serial, SerialUnit.status)).all()
    )
    assert posting.unsettled == [] and phone.on_hand == 1
    assert [(r.quantity, r.reference_id, r.reason) for r in rows] == [
        (-1, count.id, "COUNT_CORRECTION"),
        (-1, count.id, "COUNT_CORRECTION"),
    ]
    assert statuses == {
        "IMEI-1": "WRITTEN_OFF",
        "IMEI-2": "IN_STOCK",
        "IMEI-3": "WRITTEN_OFF",
    }
    assert ledger_mismatches() == []


def test_a_surplus_of_a_serialized_product_is_posted_with_the_found_serials(
    admin, make_product
):
    phone = received_phone(admin, make_product, ["IMEI-1"])
    count = start_count(None, admin)
    counted(count, **{"Galaxy A15": 2})

    post_count(count, admin, {count.lines[0].id: ["IMEI-9"]})

    found = db.session.scalars(select(SerialUnit).filter_by(serial="IMEI-9")).one()
    assert (phone.on_hand, found.status, found.product_id) == (2, "IN_STOCK", phone.id)


@pytest.mark.parametrize(
    ("serials", "message"),
    [
        (["IMEI-1"], r"2 needed, 1 given"),
        (["IMEI-1", "IMEI-404"], "IMEI-404 is not an in-stock unit of Galaxy A15"),
    ],
)
def test_serials_that_do_not_fit_the_difference_are_refused(
    admin, make_product, serials, message
):
    received_phone(admin, make_product, ["IMEI-1", "IMEI-2", "IMEI-3"])
    count = start_count(None, admin)
    counted(count, **{"Galaxy A15": 1})

    with pytest.raises(DomainError, match=message):
        post_count(count, admin, {count.lines[0].id: serials})


def test_two_people_posting_one_count_at_once_apply_it_once(app, admin, make_product):
    mouse = stocked(make_product, admin, "Mouse", 4)
    count = start_count(None, admin)
    counted(count, Mouse=14)
    db.session.commit()
    count_id, mouse_id, admin_id = count.id, mouse.id, admin.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def post() -> None:
        with app.app_context():
            poster = db.session.get(User, admin_id)
            mine = db.session.get(StockCount, count_id)
            count_differences(mine)  # both have read the count as open, as views do
            barrier.wait()
            try:
                post_count(mine, poster)
                db.session.commit()
                outcomes.append("posted")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    db.session.expire_all()
    rows = db.session.scalars(
        select(StockMovement.quantity).where(StockMovement.reference_type == "count")
    ).all()
    assert sorted(outcomes) == ["posted", "refused"]
    assert db.session.get(Product, mouse_id).on_hand == 14
    assert rows == [10]
    assert ledger_mismatches() == []


def test_a_count_cannot_be_cancelled_once_posted_by_someone_else(admin, make_product):
    stocked(make_product, admin, "Mouse", 5)
    count = start_count(None, admin)
    counted(count, Mouse=3)
    db.session.execute(
        StockCount.__table__.update()
        .where(StockCount.id == count.id)
        .values(status="POSTED")
    )  # another request posted it after this one loaded the count as open

    with pytest.raises(DomainError, match="already closed"):
        cancel_count(count, admin)

    db.session.expire_all()
    assert db.session.get(StockCount, count.id).status == "POSTED"


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
    assert posted.after == {
        "adjustments": [[first.lines[0].product_id, 2]],
        "serials": {},
        "unsettled": [],
    }


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


@pytest.fixture
def phones(seed) -> int:
    """A serialized phone with two units on the shelf."""
    phone = seed.product("Galaxy A15", "Phones", is_serialized=True)
    seed.receive(phone, 2, serials=["IMEI-1", "IMEI-2"])
    return phone


def shown_on_review(client, count_id: int) -> str:
    review = client.get(f"/inventory/counts/{count_id}/review").text
    return re.search(r'name="shown" type="hidden" value="(\w+)"', review).group(1)


def test_the_review_offers_the_units_in_stock_of_a_short_serialized_product(
    client, app, login_as, seed, shelf, phones
):
    login_as("ADMIN")
    count_id = start(client, seed, None)
    enter(client, app, count_id, Mouse="4", **{"Galaxy A15": "1"})
    line = line_ids(app, count_id)["Galaxy A15"]

    page = client.get(f"/inventory/counts/{count_id}/review").text

    assert f'name="serials-{line}" value="IMEI-1"' in page
    assert f'name="serials-{line}" value="IMEI-2"' in page
    assert "Post 1 adjustment(s) and the serialized units given" in page


def test_posting_with_a_ticked_unit_writes_it_off_with_the_count(
    client, app, login_as, seed, shelf, phones
):
    login_as("ADMIN")
    count_id = start(client, seed, None)
    enter(client, app, count_id, Mouse="4", **{"Galaxy A15": "1"})
    line = line_ids(app, count_id)["Galaxy A15"]
    form = {"shown": shown_on_review(client, count_id), "confirm": "y"}

    response = client.post_form(
        f"/inventory/counts/{count_id}/post", form | {f"serials-{line}": "IMEI-2"}
    )
    page = client.get(response.headers["Location"]).text

    assert (seed.load(phones).on_hand, seed.load(shelf["Mouse"]).on_hand) == (1, 4)
    assert "posted: 2 stock adjustment(s)." in page
    assert "Still to settle" not in page


def test_posting_without_serials_posts_the_rest_and_lists_what_to_settle(
    client, app, login_as, seed, shelf, phones
):
    login_as("ADMIN")
    count_id = start(client, seed, None)
    enter(client, app, count_id, Mouse="4", **{"Galaxy A15": "1"})
    form = {"shown": shown_on_review(client, count_id), "confirm": "y"}

    response = client.post_form(f"/inventory/counts/{count_id}/post", form)
    page = client.get(response.headers["Location"]).text
    settle = re.search(r'href="([^"]+)" data-testid="settle-\d+"', page).group(1)
    adjust = client.get(settle.replace("&amp;", "&")).text

    assert (seed.load(phones).on_hand, seed.load(shelf["Mouse"]).on_hand) == (2, 4)
    assert "posted: 1 stock adjustment(s). Still to settle unit by unit" in page
    assert "Galaxy A15 (-1)" in page
    assert settle.startswith(f"/inventory/products/{phones}/adjust?")
    assert 'name="quantity" required type="number" value="-1"' in adjust
    assert '<option selected value="COUNT_CORRECTION">' in adjust
    assert f'value="Count #{count_id}"' in adjust
