"""A receiving or adjustment form sent twice (double click, resend) works once."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.inventory.models import (
    MovementReason,
    Product,
    Receiving,
    StockAdjustment,
    StockMovement,
)
from jcicons.inventory.services import (
    ReceivingLineData,
    adjust_stock,
    find_receiving_by_key,
    receive_stock,
)
from jcicons.inventory.stock import ledger_mismatches
from jcicons.keyed import commit_once

KEY = re.compile(r'name="idempotency_key" type="hidden" value="([A-Za-z0-9_-]+)"')


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def receive(admin, product, key, quantity=3):
    line = ReceivingLineData(product.id, quantity, 50_00)
    return receive_stock(
        "Octagon", "DR-1", date(2026, 1, 5), [line], admin, idempotency_key=key
    )


# Services ---------------------------------------------------------------------


def test_a_receiving_sent_twice_with_one_key_receives_once(admin, make_product):
    ram = make_product("DDR4 8GB", category="RAM")

    first = receive(admin, ram, "form-1")
    again = receive(admin, ram, "form-1")

    assert again is first
    assert (ram.on_hand, rows(Receiving), rows(StockMovement)) == (3, 1, 1)


def test_receivings_with_different_keys_are_both_received(admin, make_product):
    ram = make_product("DDR4 8GB", category="RAM")

    receive(admin, ram, "form-1")
    receive(admin, ram, "form-2")

    assert (ram.on_hand, rows(Receiving)) == (6, 2)


def test_an_adjustment_sent_twice_with_one_key_adjusts_once(admin, make_product):
    ram = make_product("DDR4 8GB", category="RAM")
    receive(admin, ram, None, quantity=5)

    first = adjust_stock(ram, -2, MovementReason.DAMAGED, admin, idempotency_key="a")
    again = adjust_stock(ram, -2, MovementReason.DAMAGED, admin, idempotency_key="a")

    assert again is first
    assert (ram.on_hand, rows(StockAdjustment)) == (3, 1)
    movement = db.session.scalars(
        select(StockMovement).where(StockMovement.reference_type == "adjustment")
    ).one()
    assert movement.reference_id == first.id


def test_the_database_refuses_a_second_receiving_with_the_same_key(admin, make_product):
    receive(admin, make_product(), "form-1")
    db.session.add(
        Receiving(
            number="RCV-999999",
            idempotency_key="form-1",
            supplier_name="Octagon",
            received_date=date(2026, 1, 5),
        )
    )

    with pytest.raises(IntegrityError):
        db.session.flush()


def test_a_send_the_unique_key_refuses_gets_what_the_first_send_made(
    admin, make_product
):
    first = receive(admin, make_product(), "form-1")
    db.session.commit()
    first_id = first.id

    def second_copy() -> Receiving:
        copy = Receiving(
            number="RCV-999999",
            idempotency_key="form-1",
            supplier_name="Octagon",
            received_date=date(2026, 1, 5),
        )
        db.session.add(copy)
        return copy

    result = commit_once(second_copy, find_receiving_by_key, "form-1")

    assert result.id == first_id
    assert rows(Receiving) == 1


def test_one_form_sent_twice_at_once_makes_one_receiving(app, admin, make_product):
    ram = make_product("DDR4 8GB", category="RAM")
    db.session.commit()
    ram_id, admin_id = ram.id, admin.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def send() -> None:
        with app.app_context():
            clerk = db.session.get(User, admin_id)
            product = db.session.get(Product, ram_id)
            barrier.wait()
            try:
                receive(clerk, product, "double-click")
                db.session.commit()
                outcomes.append("received")
            except IntegrityError:
                db.session.rollback()
                found = find_receiving_by_key("double-click")
                outcomes.append("found" if found is not None else "lost")

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    db.session.expire_all()
    assert sorted(outcomes) in (["found", "received"], ["received", "received"])
    assert db.session.get(Product, ram_id).on_hand == 3
    assert rows(Receiving) == 1
    assert ledger_mismatches() == []


# Screens ----------------------------------------------------------------------


@pytest.fixture
def ram(seed) -> int:
    return seed.product("DDR4 8GB", "RAM")


def form_key(client, url: str) -> str:
    return KEY.search(client.get(url).text).group(1)


def receiving_of(key: str) -> dict[str, str]:
    return {
        "idempotency_key": key,
        "supplier_name": "Octagon Computer",
        "received_date": "2026-01-05",
        "lines-0-product": "RAM-00001",
        "lines-0-quantity": "4",
        "lines-0-unit_cost": "1,150.00",
    }


def test_each_receiving_form_carries_its_own_key(client, login_as, ram):
    login_as("ADMIN")

    first = form_key(client, "/inventory/receivings/new")
    second = form_key(client, "/inventory/receivings/new")

    assert first != second and len(first) >= 32


def test_a_receiving_form_sent_twice_receives_once_and_shows_the_receiving(
    app, client, login_as, seed, ram
):
    login_as("ADMIN")
    data = receiving_of(form_key(client, "/inventory/receivings/new"))

    first = client.post_form("/inventory/receivings/new", data)
    second = client.post_form("/inventory/receivings/new", data, follow_redirects=True)

    assert first.status_code == 302
    assert second.request.path == first.headers["Location"]
    assert "Receiving RCV-000001 is saved." in second.text
    assert seed.load(ram).on_hand == 4
    with app.app_context():
        assert rows(Receiving) == 1


def test_an_adjustment_form_sent_twice_adjusts_once(app, client, login_as, seed, ram):
    seed.receive(ram, 5)
    login_as("ADMIN")
    url = f"/inventory/products/{ram}/adjust"
    data = {"idempotency_key": form_key(client, url), "quantity": "-2"}
    data |= {"reason": "DAMAGED"}

    first = client.post_form(url, data)
    second = client.post_form(url, data, follow_redirects=True)

    assert first.status_code == 302
    assert "Stock of DDR4 8GB is now 3 pc." in second.text
    assert seed.load(ram).on_hand == 3
    with app.app_context():
        assert rows(StockAdjustment) == 1


@pytest.mark.parametrize("key", ["", "not a key!"])
def test_a_form_without_a_good_key_changes_nothing_and_gets_a_fresh_one(
    app, client, login_as, seed, ram, key
):
    login_as("ADMIN")

    response = client.post_form("/inventory/receivings/new", receiving_of(key))

    assert response.status_code == 422
    assert "This form is out of date: check it and send it again." in response.text
    assert KEY.search(response.text) is not None
    assert seed.load(ram).on_hand == 0
