"""The end-of-day cash count: per cashier, within a month back, never ahead, and
redone only on the day it was made."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from jcicons import clock
from jcicons.audit.models import AuditEvent
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.sales.cash import record_cash_count
from jcicons.sales.models import CashCount, PaymentMethod
from jcicons.sales.queries import cash_by_cashier, list_cashier_cash
from jcicons.sales.services import (
    CartLine,
    CheckoutRequest,
    PaymentInput,
    ReturnInput,
    checkout,
    return_items,
)

SETTINGS = {"VAT_REGISTERED": True, "SALES_DISCOUNT_CAP_PERCENT": 10}
DAY = date(2026, 12, 3)


def at(*parts: int) -> None:
    clock.set_frozen(datetime(*parts, tzinfo=UTC))


def sell(actor, product, quantity, payment):
    request = CheckoutRequest(
        uuid.uuid4().hex, [CartLine(product.id, quantity)], [payment]
    )
    return checkout(request, actor, SETTINGS)


@pytest.fixture
def two_drawers(admin, cashier, stocked):
    """3 December in Manila: the ADMIN and a clerk each sell for cash, the ADMIN
    takes GCash too, and the clerk refunds a return of the ADMIN's sale in cash."""
    mouse = stocked("Logitech M331", 899_00, on_hand=10)
    at(2026, 12, 3, 1, 0)  # 09:00 in Manila
    owners = sell(admin, mouse, 2, PaymentInput(PaymentMethod.CASH, 1_798_00))
    sell(cashier, mouse, 1, PaymentInput(PaymentMethod.CASH, 899_00))
    sell(admin, mouse, 1, PaymentInput(PaymentMethod.GCASH, 899_00, "GC-1"))
    back = [ReturnInput(owners.lines[0].id, 1)]
    return_items(owners, back, "Wrong colour", PaymentMethod.CASH, cashier)
    at(2026, 12, 3, 10, 0)  # 18:00 in Manila
    return mouse


def test_each_cashier_is_expected_to_hold_their_own_cash_less_their_refunds(
    two_drawers, admin, cashier
):
    expected = cash_by_cashier(DAY)
    rows = {row.cashier_id: row for row in list_cashier_cash(DAY)}

    assert expected == {admin.id: 1_798_00, cashier.id: 0}
    assert (rows[cashier.id].taken_centavos, rows[cashier.id].paid_out_centavos) == (
        899_00,
        899_00,
    )
    assert sum(expected.values()) == 1_798_00  # the drawer as a whole


def test_a_count_is_checked_against_the_counting_cashier_only(
    two_drawers, admin, cashier
):
    count = record_cash_count(DAY, 1_800_00, admin)

    assert (count.expected_centavos, count.variance_centavos) == (1_798_00, 2_00)


def test_a_day_still_to_come_cannot_be_counted(cashier):
    at(2026, 12, 3, 15, 59)  # 23:59 on 3 December in Manila

    with pytest.raises(DomainError, match="2026-12-04 has not come yet"):
        record_cash_count(date(2026, 12, 4), 0, cashier)
    assert db.session.scalar(select(func.count()).select_from(CashCount)) == 0


def test_a_count_goes_back_at_most_31_days(cashier):
    at(2026, 12, 3, 4, 0)

    oldest = record_cash_count(date(2026, 11, 2), 0, cashier)
    with pytest.raises(DomainError, match="at most 31 days, to 2026-11-02"):
        record_cash_count(date(2026, 11, 1), 0, cashier)
    assert oldest.business_date == date(2026, 11, 2)


def test_a_recount_later_the_same_day_replaces_the_first_count(two_drawers, admin):
    first = record_cash_count(DAY, 1_700_00, admin, "Short")
    at(2026, 12, 3, 15, 30)  # 23:30 in Manila, still the same shop day

    again = record_cash_count(DAY, 1_798_00, admin, "Recounted")

    assert again.id == first.id
    assert (again.counted_centavos, again.variance_centavos, again.note) == (
        1_798_00,
        0,
        "Recounted",
    )
    assert again.recounted_at == datetime(2026, 12, 3, 15, 30, tzinfo=UTC)
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "cash.recount")
    ).one()
    assert (audit.before["variance_centavos"], audit.after["variance_centavos"]) == (
        -98_00,
        0,
    )


def test_a_count_cannot_be_redone_on_a_later_day(two_drawers, admin):
    record_cash_count(DAY, 1_700_00, admin)
    at(2026, 12, 3, 16, 30)  # 00:30 on 4 December in Manila

    with pytest.raises(DomainError, match="only be redone on the day you made it"):
        record_cash_count(DAY, 1_798_00, admin)
    assert db.session.scalar(select(CashCount.counted_centavos)) == 1_700_00


def test_a_late_count_made_after_midnight_can_still_be_redone_that_night(
    two_drawers, admin
):
    at(2026, 12, 3, 16, 10)  # 00:10 on 4 December: counting the 3rd, late
    record_cash_count(DAY, 1_700_00, admin)
    at(2026, 12, 3, 16, 40)

    again = record_cash_count(DAY, 1_798_00, admin)

    assert again.variance_centavos == 0
