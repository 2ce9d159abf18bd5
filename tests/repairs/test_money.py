"""A ticket's money against the payment ledger: figures, payments, discounts,
waivers and refunds. Money already received is never erased."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.repairs.models import RepairStatus
from jcicons.repairs.services import (
    add_part,
    add_service,
    refund_overpayment,
    remove_part,
    set_discount,
    take_payment,
    ticket_figures,
    ticket_paid,
    waive_charges,
)
from jcicons.sales.models import Payment, PaymentMethod
from jcicons.sales.services import DiscountNeedsApproval, PaymentInput
from repairs.repair_helpers import cash, gcash, ledger_rows, walk_to

SETTINGS = {"SALES_DISCOUNT_CAP_PERCENT": 10}


@pytest.fixture
def priced(admin, stocked, make_service, make_ticket):
    """A ticket with a ₱300 fee, ₱800 of labour and a ₱1,500 part: ₱2,600."""
    ssd = stocked("Kingston 500GB SSD", 1_500_00, on_hand=3, cost=1_000_00)
    ticket = make_ticket(diagnostic_fee_centavos=300_00)
    add_service(ticket, make_service("Reformat", 800_00, 30).id, admin)
    add_part(ticket, ssd.id, 1, admin)
    db.session.expire(ticket)
    return ticket


def test_figures_add_fee_labour_and_parts(priced):
    figures = ticket_figures(priced)

    assert figures.diagnostic_fee_centavos == 300_00
    assert figures.labour_centavos == 800_00
    assert figures.parts_centavos == 1_500_00
    assert figures.charges_centavos == 2_600_00
    assert (figures.paid_centavos, figures.balance_centavos) == (0, 2_600_00)


def test_figures_take_off_discount_waiver_and_removed_lines(admin, priced):
    set_discount(priced, 100_00, admin, SETTINGS)
    take_payment(priced, cash(1_000_00), admin)
    waive_charges(priced, 200_00, "Loyal customer", admin)
    remove_part(priced.parts[0], admin)

    figures = ticket_figures(priced)
    assert figures.parts_centavos == 0
    assert (figures.discount_centavos, figures.waived_centavos) == (100_00, 200_00)
    assert figures.charges_centavos == 300_00 + 800_00 - 100_00 - 200_00
    assert figures.paid_centavos == 1_000_00
    assert figures.balance_centavos == -200_00


def test_a_part_is_charged_at_the_price_when_it_was_used(admin, priced):
    priced.parts[0].product.price_centavos = 9_999_00
    db.session.flush()

    assert ticket_figures(priced).parts_centavos == 1_500_00


# Payments -----------------------------------------------------------------------------


def test_a_payment_is_a_ledger_row_of_the_ticket(sales, priced):
    row = take_payment(priced, gcash(1_000_00, "GC-123"), sales)

    assert (row.repair_ticket_id, row.sale_id) == (priced.id, None)
    assert (row.method, row.reference, row.received_by_id) == (
        "GCASH",
        "GC-123",
        sales.id,
    )
    assert ticket_paid(priced.id) == 1_000_00
    assert ticket_figures(priced).balance_centavos == 1_600_00


def test_cash_tendered_keeps_the_change_apart(sales, priced):
    row = take_payment(priced, cash(1_000_00, tendered=1_500_00), sales)

    assert (row.amount_centavos, row.change_centavos) == (1_000_00, 500_00)
    assert ticket_paid(priced.id) == 1_000_00


def test_a_deposit_may_go_above_the_charges_while_work_goes_on(sales, priced):
    take_payment(priced, cash(5_000_00), sales)

    assert ticket_figures(priced).balance_centavos == -2_400_00


@pytest.mark.parametrize("status", [RepairStatus.READY, RepairStatus.CANCELLED])
def test_once_work_stops_a_payment_may_not_pass_the_balance(
    admin, sales, priced, status
):
    walk_to(priced, status, admin)
    take_payment(priced, cash(600_00), sales)

    with pytest.raises(DomainError) as caught:
        take_payment(priced, cash(2_000_01), sales)
    assert caught.value.message == (
        "The payment (₱2,000.01) is more than the balance (₱2,000.00)."
    )
    take_payment(priced, cash(2_000_00), sales)
    assert ticket_figures(priced).balance_centavos == 0
    assert ticket_paid(priced.id) == 2_600_00


@pytest.mark.parametrize(
    ("payment", "message"),
    [
        (cash(0), "more than zero"),
        (cash(-100), "more than zero"),
        (gcash(100_00, reference=""), "reference number of the GCash"),
        (cash(500_00, tendered=400_00), "tendered is less"),
        (PaymentInput(PaymentMethod.STORE_CREDIT, 100_00), "Store credit"),
    ],
)
def test_bad_payments_are_refused(sales, priced, payment, message):
    with pytest.raises(DomainError, match=message):
        take_payment(priced, payment, sales)
    assert ledger_rows(priced.id) == []


# Discounts ----------------------------------------------------------------------------


def test_sales_may_give_a_discount_up_to_the_cap(sales, priced):
    set_discount(priced, 260_00, sales, SETTINGS)  # 10 % of ₱2,600

    assert priced.discount_centavos == 260_00
    assert priced.discount_approved_by_id is None


def test_sales_above_the_cap_needs_an_admin(sales, priced):
    with pytest.raises(DiscountNeedsApproval, match=r"10\.04%"):
        set_discount(priced, 261_00, sales, SETTINGS)
    assert priced.discount_centavos == 0


def test_an_admin_approves_a_sales_discount_above_the_cap(admin, sales, priced):
    set_discount(priced, 1_300_00, sales, SETTINGS, approver=admin)

    assert priced.discount_centavos == 1_300_00
    assert priced.discount_approved_by_id == admin.id
    assert ticket_figures(priced).charges_centavos == 1_300_00


def test_a_sales_approver_does_not_lift_the_cap(staff, priced):
    with pytest.raises(DiscountNeedsApproval):
        set_discount(priced, 1_300_00, staff.sales, SETTINGS, approver=staff.sales)


def test_the_cap_comes_from_the_settings(sales, priced):
    set_discount(priced, 520_00, sales, {"SALES_DISCOUNT_CAP_PERCENT": 20})

    assert priced.discount_centavos == 520_00


def test_an_admin_is_not_capped(admin, priced):
    set_discount(priced, 2_000_00, admin, SETTINGS)

    assert priced.discount_centavos == 2_000_00
    assert priced.discount_approved_by_id is None


@pytest.mark.parametrize(
    ("amount", "message"),
    [(-1, "cannot be negative"), (2_600_01, "more than the charges \\(₱2,600.00\\)")],
)
def test_a_discount_stays_between_zero_and_the_charges(admin, priced, amount, message):
    with pytest.raises(DomainError, match=message):
        set_discount(priced, amount, admin, SETTINGS)
    assert priced.discount_centavos == 0


def test_a_discount_after_a_waiver_leaves_no_negative_charges(admin, priced):
    waive_charges(priced, 2_000_00, "Goodwill", admin)

    with pytest.raises(DomainError, match=r"more than the charges \(₱600.00\)"):
        set_discount(priced, 600_01, admin, SETTINGS)
    set_discount(priced, 600_00, admin, SETTINGS)
    assert ticket_figures(priced).charges_centavos == 0


def test_a_discount_can_be_cleared_after_lines_fall_below_a_waiver(admin, priced):
    set_discount(priced, 500_00, admin, SETTINGS)
    waive_charges(priced, 1_500_00, "Goodwill", admin)
    remove_part(next(p for p in priced.parts), admin)  # gross ₱1,100 < waived

    set_discount(priced, 0, admin, SETTINGS)

    assert priced.discount_centavos == 0
    assert ticket_figures(priced).charges_centavos == 0
    with pytest.raises(DomainError, match=r"more than the charges \(₱0.00\)"):
        set_discount(priced, 1, admin, SETTINGS)


def test_a_technician_handles_no_money_even_by_calling_the_service(staff, priced, tech):
    priced.technician_id = tech.id
    with pytest.raises(DomainError, match="counter or an ADMIN"):
        take_payment(priced, cash(100_00), tech)
    with pytest.raises(DomainError, match="counter or an ADMIN"):
        set_discount(priced, 100_00, tech, SETTINGS)
    assert ledger_rows(priced.id) == []
    assert priced.discount_centavos == 0


# Waivers and refunds ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sales", "tech"])
def test_only_admin_waives_charges(staff, priced, who):
    with pytest.raises(DomainError, match="Only an ADMIN can waive"):
        waive_charges(priced, 100_00, "Goodwill", getattr(staff, who))
    assert priced.waived_centavos == 0


def test_a_waiver_needs_a_reason(admin, priced):
    with pytest.raises(DomainError, match="reason") as caught:
        waive_charges(priced, 100_00, "  ", admin)
    assert caught.value.field == "reason"


@pytest.mark.parametrize("amount", [0, 2_600_01])
def test_a_waiver_stays_within_the_charges(admin, priced, amount):
    with pytest.raises(DomainError, match="Waive between"):
        waive_charges(priced, amount, "Goodwill", admin)


def test_a_waiver_without_overpayment_writes_no_refund(admin, priced):
    take_payment(priced, cash(500_00), admin)

    row = waive_charges(priced, 2_000_00, " Took too long ", admin)
    assert row is None
    assert (priced.waived_centavos, priced.waive_reason) == (2_000_00, "Took too long")
    assert ledger_rows(priced.id) == [(500_00, "CASH", "Payment")]
    assert ticket_figures(priced).balance_centavos == 100_00


def test_a_waiver_below_what_was_paid_refunds_the_difference(admin, priced):
    take_payment(priced, cash(2_000_00), admin)

    row = waive_charges(priced, 1_000_00, "Part was faulty", admin, gcash(0, "R-9"))
    assert (row.amount_centavos, row.method, row.reference) == (
        -400_00,
        "GCASH",
        "R-9",
    )
    assert ledger_rows(priced.id) == [
        (2_000_00, "CASH", "Payment"),
        (-400_00, "GCASH", "Refund after waiver: Part was faulty"),
    ]
    figures = ticket_figures(priced)
    assert (figures.charges_centavos, figures.paid_centavos) == (1_600_00, 1_600_00)
    assert figures.balance_centavos == 0


def test_a_waiver_that_leaves_an_overpayment_needs_the_refund_method(admin, priced):
    take_payment(priced, cash(2_600_00), admin)

    with pytest.raises(DomainError, match=r"₱100\.00 more than the new charges"):
        waive_charges(priced, 100_00, "Goodwill", admin)


def test_waivers_add_up(admin, priced):
    waive_charges(priced, 100_00, "First", admin)
    waive_charges(priced, 200_00, "Second", admin)

    assert priced.waived_centavos == 300_00
    assert ticket_figures(priced).charges_centavos == 2_300_00


def test_an_overpayment_is_refunded_as_a_negative_row(admin, sales, priced):
    take_payment(priced, cash(3_000_00), sales)

    row = refund_overpayment(priced, cash(0), sales)
    assert (row.amount_centavos, row.method, row.received_by_id) == (
        -400_00,
        "CASH",
        sales.id,
    )
    assert ticket_figures(priced).balance_centavos == 0
    assert [amount for amount, _, _ in ledger_rows(priced.id)] == [3_000_00, -400_00]


def test_nothing_to_refund_is_refused(sales, priced):
    take_payment(priced, cash(2_600_00), sales)

    with pytest.raises(DomainError, match="has not paid more"):
        refund_overpayment(priced, cash(0), sales)


@pytest.mark.parametrize(
    ("refund", "message"),
    [
        (PaymentInput(PaymentMethod.STORE_CREDIT, 0), "by cash or a payment channel"),
        (gcash(0, reference=""), "reference number of the refund"),
    ],
)
def test_a_refund_needs_a_real_channel(sales, priced, refund, message):
    take_payment(priced, cash(3_000_00), sales)

    with pytest.raises(DomainError, match=message):
        refund_overpayment(priced, refund, sales)


def test_the_payment_ledger_keeps_every_row(admin, priced):
    first = take_payment(priced, cash(1_000_00), admin)
    second = take_payment(priced, gcash(1_600_00), admin)
    waive_charges(priced, 2_600_00, "Warranty on us", admin, cash(0))

    rows = db.session.scalars(
        select(Payment)
        .where(Payment.repair_ticket_id == priced.id)
        .order_by(Payment.id)
    ).all()
    assert [row.id for row in rows][:2] == [first.id, second.id]
    assert [row.amount_centavos for row in rows] == [1_000_00, 1_600_00, -2_600_00]
    assert ticket_paid(priced.id) == 0
