"""The movement ledger page: every row, its filters, paging and its exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jcicons import clock
from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.inventory.exports import PESO_FORMAT
from jcicons.inventory.models import MovementReason, Product
from jcicons.inventory.services import adjust_stock

# 23:59 and 00:00 in Manila (UTC+8) either side of midnight after 1 December.
LAST_MINUTE = datetime(2026, 12, 1, 15, 59, tzinfo=UTC)
NEXT_MIDNIGHT = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
# Spreadsheets hold shop-local wall time without a zone.
MANILA_LAST_MINUTE = datetime(2026, 12, 1, 23, 59, tzinfo=UTC).replace(tzinfo=None)


def adjust(app, product_id, quantity, note, user_id=None, at=None, reason="FOUND"):
    """Adjust stock as a user (the seed's owner by default) at a frozen time."""
    clock.set_frozen(at)
    with app.app_context():
        actor = db.session.get(User, user_id) if user_id else None
        if actor is None:
            actor = db.session.scalars(select(User).filter_by(username="owner")).one()
        product = db.session.get(Product, product_id)
        adjust_stock(product, quantity, MovementReason(reason), actor, note=note)
        db.session.commit()
    clock.set_frozen(None)


@pytest.fixture
def ram(seed) -> int:
    product = seed.product("DDR4 8GB", "RAM", sku="RAM-DDR4-8", cost_centavos=1234_50)
    seed.receive(product, 5, cost=1234_50)
    return product


def rows_of(page: str) -> list[str]:
    table = page.split('data-testid="movements"')[1].split("</table>")[0]
    return table.split("<tr>")[2:]


def test_the_ledger_shows_each_movement_with_its_reference(client, login_as, seed, ram):
    login_as("ADMIN")
    adjust(client.application, ram, -2, "Dropped", reason="DAMAGED")

    page = client.get("/inventory/movements").text
    damaged, received = rows_of(page)

    assert "DDR4 8GB" in damaged and "&minus;2" in damaged and ">3<" in damaged
    assert "Damaged" in damaged and "Dropped" in damaged and "owner" in damaged
    assert "+5" in received and "Received" in received
    assert 'href="/inventory/receivings/' in received and "RCV-" in received


def test_times_show_in_manila_time(client, app, login_as, seed, ram):
    login_as("ADMIN")
    adjust(app, ram, 1, "late", at=LAST_MINUTE)

    page = client.get("/inventory/movements").text

    assert "2026-12-01 23:59" in page


@pytest.mark.parametrize(
    ("date_from", "date_to", "notes"),
    [
        ("2026-12-01", "2026-12-01", ["last minute"]),
        ("2026-12-02", "2026-12-02", ["midnight"]),
        ("2026-12-01", "2026-12-02", ["midnight", "last minute"]),
        ("", "2026-11-30", []),
    ],
)
def test_a_date_range_includes_its_whole_last_day_in_manila(
    client, app, login_as, seed, ram, date_from, date_to, notes
):
    login_as("ADMIN")
    adjust(app, ram, 1, "last minute", at=LAST_MINUTE)
    adjust(app, ram, 1, "midnight", at=NEXT_MIDNIGHT)

    page = client.get(
        "/inventory/movements",
        query_string={"date_from": date_from, "date_to": date_to},
    ).text

    shown = [n for n in ("midnight", "last minute") if f">{n}<" in page]
    assert shown == notes


def test_filters_narrow_by_product_reason_and_person(
    client, app, login_as, make_user, seed, ram
):
    login_as("ADMIN")
    clerk = make_user("SALES", username="clerk")
    other = seed.product("SSD 1TB", "Storage", sku="SSD-1TB")
    adjust(app, ram, 1, "by clerk", user_id=clerk.id)
    adjust(app, other, 4, "ssd found")

    def notes(**args: str) -> list[str]:
        page = client.get("/inventory/movements", query_string=args).text
        return [n for n in ("by clerk", "ssd found") if f">{n}<" in page]

    assert notes(product="ram-ddr4-8") == ["by clerk"]
    assert notes(reason="FOUND", product="SSD-1TB") == ["ssd found"]
    assert notes(actor=str(clerk.id)) == ["by clerk"]
    assert notes(reason="RECEIVED") == []


def test_an_unknown_product_code_shows_nothing_and_says_so(client, login_as, ram):
    login_as("TECH")

    page = client.get("/inventory/movements?product=NOPE").text

    assert "No product has that SKU or barcode." in page
    assert "No stock movements match." in page


def test_the_ledger_pages_fifty_rows_at_a_time(client, app, login_as, seed, ram):
    login_as("ADMIN")
    with app.app_context():
        owner = db.session.scalars(select(User).filter_by(username="owner")).one()
        product = db.session.get(Product, ram)
        for n in range(50):
            adjust_stock(product, 1, MovementReason.FOUND, owner, note=f"n{n}")
        db.session.commit()

    first = client.get("/inventory/movements").text
    second = client.get("/inventory/movements?page=2").text

    assert len(rows_of(first)) == 50 and len(rows_of(second)) == 1
    assert "51 in all" in first and "Received" in rows_of(second)[0]


@pytest.mark.parametrize(
    ("role", "sees_cost"), [("ADMIN", True), ("SALES", False), ("TECH", False)]
)
def test_unit_costs_show_only_to_admin(client, login_as, ram, role, sees_cost):
    login_as(role)

    page = client.get("/inventory/movements").text

    assert ("Unit cost" in page) is sees_cost
    assert ("₱1,234.50" in page) is sees_cost


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_csv_export_holds_the_filtered_rows(client, app, login_as, seed, ram):
    login_as("ADMIN")
    adjust(app, ram, -1, "=cmd|' /C calc'!A0", at=LAST_MINUTE, reason="DAMAGED")
    adjust(app, ram, 2, "later", at=NEXT_MIDNIGHT)

    response = client.get(
        "/inventory/movements/export.csv?reason=DAMAGED&date_to=2026-12-01"
    )
    (row,) = read_csv(response)

    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert row["time (Asia/Manila)"] == "2026-12-01 23:59"
    assert (row["sku"], row["quantity"], row["on_hand_after"]) == (
        "RAM-DDR4-8",
        "-1",
        "4",
    )
    assert (row["reason"], row["by"], row["unit_cost"]) == (
        "Damaged",
        "owner",
        "1234.50",
    )
    assert row["note"] == "'=cmd|' /C calc'!A0"


def test_the_xlsx_export_keeps_numbers_and_times_as_such(
    client, app, login_as, seed, ram
):
    login_as("ADMIN")
    adjust(app, ram, -3, "broken", at=LAST_MINUTE, reason="DAMAGED")

    response = client.get("/inventory/movements/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    newest = dict(zip(header, sheet[2], strict=True))

    assert newest["quantity"].value == -3 and newest["on_hand_after"].value == 2
    assert newest["time (Asia/Manila)"].value == MANILA_LAST_MINUTE
    assert newest["unit_cost"].value == 1234.5
    assert newest["unit_cost"].number_format == PESO_FORMAT
    assert newest["reference"].value == "Adjustment"
    assert sheet[3][header.index("reference")].value.startswith("Receiving RCV-")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ["SALES", "TECH"])
def test_exports_are_the_owners_and_hidden_from_others(
    client, login_as, ram, fmt, role
):
    login_as(role)

    response = client.get(f"/inventory/movements/export.{fmt}")
    page = client.get("/inventory/movements").text

    assert response.status_code == 403
    assert "/inventory/movements/export." not in page
    assert 'data-testid="movements"' in page


def test_an_unknown_export_format_is_not_found(client, login_as):
    login_as("ADMIN")

    assert client.get("/inventory/movements/export.pdf").status_code == 404
