"""Which serialized units a positive adjustment may bring back into stock."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import MovementReason, SerialStatus, SerialUnit
from jcicons.inventory.services import ReceivingLineData, adjust_stock, receive_stock
from jcicons.inventory.stock import ledger_mismatches, move_stock


@pytest.fixture
def phone(admin, make_product):
    """A serialized phone with two units in stock."""
    product = make_product("Galaxy A15", category="Phones", is_serialized=True)
    line = ReceivingLineData(product.id, 2, 9_000_00, ["IMEI-1", "IMEI-2"])
    receive_stock("Octagon", "DR-1", date(2026, 1, 5), [line], admin)
    return product


def unit(serial: str) -> SerialUnit:
    return db.session.scalars(select(SerialUnit).filter_by(serial=serial)).one()


def take_out(admin, phone, how: str) -> None:
    """Send IMEI-1 out of stock the way a sale, a repair or an adjustment does."""
    item = unit("IMEI-1")
    if how == "sold":
        move_stock(phone, -1, MovementReason.SOLD, admin, "sale", 1, serial_unit=item)
        item.status = SerialStatus.SOLD
    elif how == "repair":
        reason = MovementReason.REPAIR_PART
        move_stock(phone, -1, reason, admin, "repair", 1, serial_unit=item)
        item.status = SerialStatus.IN_REPAIR
    else:
        adjust_stock(phone, -1, MovementReason(how), admin, serials=["IMEI-1"])


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("sold", "IMEI-1 cannot come back into stock of Galaxy A15: it was sold"),
        ("repair", "it is used in a repair"),
    ],
)
def test_a_sold_or_repair_unit_cannot_be_found_back_into_stock(
    admin, phone, how, message
):
    take_out(admin, phone, how)
    status = unit("IMEI-1").status

    with pytest.raises(DomainError, match=message):
        adjust_stock(phone, 1, MovementReason.FOUND, admin, serials=["imei-1"])

    assert phone.on_hand == 1
    assert unit("IMEI-1").status == status


def test_a_unit_in_stock_cannot_be_found_again(admin, phone):
    with pytest.raises(DomainError, match="it is already in stock"):
        adjust_stock(phone, 1, MovementReason.FOUND, admin, serials=["IMEI-2"])

    assert phone.on_hand == 2


@pytest.mark.parametrize(
    "how", ["DAMAGED", "LOST_OR_STOLEN", "COUNT_CORRECTION", "RETURNED_TO_SUPPLIER"]
)
def test_a_written_off_or_returned_unit_may_come_back(admin, phone, how):
    take_out(admin, phone, how)

    adjust_stock(phone, 1, MovementReason.FOUND, admin, serials=["IMEI-1"])

    assert phone.on_hand == 2
    assert unit("IMEI-1").status == SerialStatus.IN_STOCK
    assert ledger_mismatches() == []


def test_a_new_serial_number_comes_into_stock_as_a_new_unit(admin, phone):
    adjust_stock(phone, 1, MovementReason.FOUND, admin, serials=["IMEI-3"])

    assert phone.on_hand == 3
    assert (unit("IMEI-3").product_id, unit("IMEI-3").status) == (phone.id, "IN_STOCK")


def test_a_unit_of_another_product_cannot_come_back_as_this_one(
    admin, phone, make_product
):
    other = make_product("Redmi 13", category="Phones", is_serialized=True)
    take_out(admin, phone, "DAMAGED")

    with pytest.raises(DomainError, match="IMEI-1 is a unit of another product"):
        adjust_stock(other, 1, MovementReason.FOUND, admin, serials=["IMEI-1"])

    assert (other.on_hand, unit("IMEI-1").product_id) == (0, phone.id)


def test_a_unit_taken_out_with_the_reason_found_is_written_off(admin, phone):
    adjust_stock(phone, -1, MovementReason.FOUND, admin, serials=["IMEI-2"])

    assert phone.on_hand == 1
    assert unit("IMEI-2").status == SerialStatus.WRITTEN_OFF
