"""Adjusting stock by hand: a signed quantity, a reason, serials when serialized."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from jcicons.audit.models import AuditEvent
from jcicons.extensions import db
from jcicons.inventory.models import SerialUnit


def adjust(client, product: int, quantity: str, reason: str, **fields: str):
    key = secrets.token_urlsafe(16)
    data = {"quantity": quantity, "reason": reason, "idempotency_key": key} | fields
    return client.post_form(f"/inventory/products/{product}/adjust", data)


@pytest.fixture
def ram(seed) -> int:
    product = seed.product("DDR4 8GB", "RAM")
    seed.receive(product, 5)
    return product


@pytest.mark.parametrize(
    ("quantity", "reason", "on_hand", "label"),
    [
        ("-2", "DAMAGED", 3, "Damaged"),
        ("-1", "LOST_OR_STOLEN", 4, "Lost or stolen"),
        ("-5", "RETURNED_TO_SUPPLIER", 0, "Returned to supplier"),
        ("3", "FOUND", 8, "Found"),
        ("1", "COUNT_CORRECTION", 6, "Count correction"),
    ],
)
def test_an_adjustment_moves_stock_and_appears_in_the_history(
    client, login_as, seed, ram, quantity, reason, on_hand, label
):
    login_as("ADMIN")

    response = adjust(client, ram, quantity, reason)
    page = client.get(response.headers["Location"]).text

    assert seed.load(ram).on_hand == on_hand
    assert f"Stock of DDR4 8GB is now {on_hand} pc." in page
    assert f"<td>{label}</td>" in page


def test_every_adjustment_is_in_the_audit_trail(app, client, login_as, ram):
    sales = login_as("ADMIN")

    adjust(client, ram, "-1", "OTHER", note="Used as a display unit")

    with app.app_context():
        row = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "stock.adjust")
        ).one()
        assert (row.actor_username, row.entity_id) == (sales.username, str(ram))
        assert row.after["quantity"] == -1
        assert row.after["note"] == "Used as a display unit"


@pytest.mark.parametrize(
    ("quantity", "reason", "note", "message"),
    [
        ("-1", "OTHER", "", "a note is required for &#34;Other&#34;"),
        ("-6", "DAMAGED", "", "Only 5 pc of DDR4 8GB on hand; 6 needed."),
        ("0", "FOUND", "", "Enter a quantity from -100,000 to 100,000, not zero."),
        ("", "FOUND", "", "Enter how many units to add (5) or remove (-2)."),
        ("1", "SOLD", "", "Not a valid choice."),
    ],
)
def test_a_bad_adjustment_is_refused_with_the_reason(
    client, login_as, seed, ram, quantity, reason, note, message
):
    login_as("ADMIN")

    response = adjust(client, ram, quantity, reason, note=note)

    assert response.status_code == 422
    assert message in response.text
    assert seed.load(ram).on_hand == 5


def test_serialized_units_leave_stock_by_serial_number(app, client, login_as, seed):
    phone = seed.product("Galaxy A15", "Phones", is_serialized=True)
    seed.receive(phone, 2, serials=["IMEI-1001", "IMEI-1002"])
    login_as("ADMIN")
    form = client.get(f"/inventory/products/{phone}/adjust").text

    response = adjust(client, phone, "-1", "DAMAGED", serials="imei-1002")

    assert '<code class="me-1">IMEI-1001</code>' in form
    assert response.status_code == 302
    with app.app_context():
        statuses = dict(
            db.session.execute(select(SerialUnit.serial, SerialUnit.status)).all()
        )
    assert statuses == {"IMEI-1001": "IN_STOCK", "IMEI-1002": "WRITTEN_OFF"}
    assert seed.load(phone).on_hand == 1


def test_a_serialized_adjustment_without_the_serials_is_refused(client, login_as, seed):
    phone = seed.product("Galaxy A15", "Phones", is_serialized=True)
    seed.receive(phone, 1, serials=["IMEI-1001"])
    login_as("ADMIN")

    response = adjust(client, phone, "-1", "DAMAGED")

    assert response.status_code == 422
    assert "enter one serial number per unit (1 needed, 0 given)" in response.text
