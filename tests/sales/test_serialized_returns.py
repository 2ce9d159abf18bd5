"""Returns and voids of serialized units: a unit goes back on the shelf only while
the stock record still has it sold on the sale being undone."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import (
    MovementReason,
    Product,
    SerialStatus,
    SerialUnit,
)
from jcicons.inventory.stock import ledger_mismatches, move_stock
from jcicons.sales.models import CreditMemo, PaymentMethod
from jcicons.sales.services import (
    CartLine,
    CheckoutRequest,
    PaymentInput,
    ReturnInput,
    checkout,
    return_items,
    void_sale,
)
from sales.pos_helpers import Counter, checkout_form, line, pay

SETTINGS = {"VAT_REGISTERED": True, "SALES_DISCOUNT_CAP_PERCENT": 10}
PRICE = 9_990_00


def sell_unit(actor, phone, serial):
    request = CheckoutRequest(
        uuid.uuid4().hex,
        [CartLine(phone.id, 1, serials=[serial])],
        [PaymentInput(PaymentMethod.CASH, PRICE)],
    )
    return checkout(request, actor, SETTINGS)


def unit(serial: str) -> SerialUnit:
    return db.session.scalars(
        select(SerialUnit).where(SerialUnit.serial == serial)
    ).one()


def found_again(admin, phone, serial: str) -> None:
    """Put a sold unit back in stock the way a stock adjustment would."""
    row = unit(serial)
    move_stock(phone, 1, MovementReason.FOUND, admin, "adjustment", serial_unit=row)
    row.status = SerialStatus.IN_STOCK


@pytest.fixture
def phone(stocked):
    return stocked(
        "Galaxy A15", PRICE, serials=["IMEI-1", "IMEI-2"], is_serialized=True
    )


def test_a_void_does_not_take_a_unit_back_from_a_later_sale(admin, cashier, phone):
    first = sell_unit(cashier, phone, "IMEI-1")
    found_again(admin, phone, "IMEI-1")
    second = sell_unit(cashier, phone, "IMEI-1")

    left_alone = void_sale(first, "Rang up on the wrong invoice", admin)

    assert left_alone == ["IMEI-1"]
    assert first.status == "VOID"
    assert unit("IMEI-1").status == SerialStatus.SOLD  # still the second buyer's
    assert second.lines[0].serial_unit_id == unit("IMEI-1").id
    assert phone.on_hand == 1  # only IMEI-2, once
    assert ledger_mismatches() == []
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "sale.void")
    ).one()
    assert audit.after["units_not_restocked"] == ["IMEI-1"]


def test_a_void_leaves_a_unit_the_stock_record_has_back_in_stock(admin, cashier, phone):
    sale = sell_unit(cashier, phone, "IMEI-2")
    found_again(admin, phone, "IMEI-2")
    on_hand = phone.on_hand

    assert void_sale(sale, "Customer cancelled", admin) == ["IMEI-2"]
    assert phone.on_hand == on_hand == 2  # not counted twice
    assert unit("IMEI-2").status == SerialStatus.IN_STOCK
    assert ledger_mismatches() == []


def test_a_void_leaves_a_written_off_unit_written_off(admin, cashier, phone):
    sale = sell_unit(cashier, phone, "IMEI-2")
    unit("IMEI-2").status = SerialStatus.WRITTEN_OFF

    assert void_sale(sale, "Customer cancelled", admin) == ["IMEI-2"]
    assert unit("IMEI-2").status == SerialStatus.WRITTEN_OFF
    assert phone.on_hand == 1


def test_a_void_still_restocks_a_unit_sold_on_it(admin, cashier, phone):
    sale = sell_unit(cashier, phone, "IMEI-1")

    assert void_sale(sale, "Customer cancelled", admin) == []
    assert unit("IMEI-1").status == SerialStatus.IN_STOCK
    assert phone.on_hand == 2


@pytest.mark.parametrize("restock", [True, False])
def test_a_return_of_a_unit_no_longer_sold_on_the_sale_is_refused(
    admin, cashier, phone, restock
):
    sale = sell_unit(cashier, phone, "IMEI-1")
    found_again(admin, phone, "IMEI-1")

    with (
        pytest.raises(DomainError, match=r"IMEI-1 is in stock in the stock record"),
        db.session.begin_nested(),  # the view rolls back what the refusal left
    ):
        return_items(
            sale,
            [ReturnInput(sale.lines[0].id, 1, restock=restock)],
            "Changed their mind",
            PaymentMethod.CASH,
            cashier,
        )

    assert unit("IMEI-1").status == SerialStatus.IN_STOCK
    assert phone.on_hand == 2
    assert db.session.scalar(select(func.count()).select_from(CreditMemo)) == 0


def test_a_return_cannot_take_back_a_unit_sold_again_to_someone_else(
    admin, cashier, phone
):
    first = sell_unit(cashier, phone, "IMEI-1")
    found_again(admin, phone, "IMEI-1")
    sell_unit(cashier, phone, "IMEI-1")

    with pytest.raises(DomainError, match="not sold on INV-000001"):
        return_items(
            first,
            [ReturnInput(first.lines[0].id, 1)],
            "Changed their mind",
            PaymentMethod.CASH,
            cashier,
        )


def test_a_return_of_a_unit_still_sold_on_the_sale_restocks_it(cashier, phone):
    sale = sell_unit(cashier, phone, "IMEI-1")

    return_items(
        sale,
        [ReturnInput(sale.lines[0].id, 1)],
        "Changed their mind",
        PaymentMethod.CASH,
        cashier,
    )

    assert unit("IMEI-1").status == SerialStatus.IN_STOCK
    assert phone.on_hand == 2
    assert ledger_mismatches() == []


@pytest.fixture
def sold_then_found(app, client, make_user, login_as):
    """A phone sold at the counter, then put back in stock by an adjustment.

    Returns the sale's id and its line's id; an ADMIN is signed in.
    """
    counter = Counter(app, make_user("ADMIN", username="owner").id)
    phone_id = counter.product(
        "Galaxy A15", PRICE, serials=["IMEI-1"], is_serialized=True
    )
    login_as("ADMIN")
    form = checkout_form([line(phone_id, serials=["IMEI-1"])], [pay("CASH", "9,990")])
    assert client.post_form("/pos/checkout", form).status_code == 302
    [sale] = counter.sales()
    with app.app_context():
        admin = db.session.get(User, counter.admin_id)
        found_again(admin, db.session.get(Product, phone_id), "IMEI-1")
        db.session.commit()
    return sale.id, sale.lines[0].id


def test_the_void_page_says_which_units_stayed_where_they_are(client, sold_then_found):
    sale_id, _ = sold_then_found

    page = client.post_form(
        f"/sales/{sale_id}/void", {"reason": "Wrong invoice"}, follow_redirects=True
    ).text

    assert "INV-000001 is void." in page
    assert "Not put back in stock: IMEI-1." in page


def test_the_return_page_shows_why_a_unit_cannot_come_back(
    app, client, sold_then_found
):
    sale_id, line_id = sold_then_found

    response = client.post_form(
        f"/sales/{sale_id}/return",
        {f"qty-{line_id}": "1", "refund_method": "CASH", "reason": "Changed mind"},
    )

    assert response.status_code == 422
    assert "Galaxy A15 S/N IMEI-1 is in stock in the stock record" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CreditMemo)) == 0
