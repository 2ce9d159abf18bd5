"""Release: settled balance or ADMIN credit, who took the device, the passcode
erased, the warranty end; warranty comebacks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jcicons import clock
from jcicons.customers.models import Customer
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.repairs.models import RepairStatus, RepairTicket, ServiceType
from jcicons.repairs.services import (
    InvalidTransition,
    open_comeback,
    release_ticket,
    remove_service,
    reveal_passcode,
    set_discount,
    set_service_type_archived,
    take_payment,
    ticket_figures,
    waive_charges,
)
from jcicons.sales.queries import customer_account
from jcicons.sales.services import (
    CartLine,
    CheckoutRequest,
    checkout,
    customer_open_balance,
)
from repairs.repair_helpers import cash, gcash, walk_to

S = RepairStatus


@pytest.fixture
def ready(admin, make_service, make_ticket):
    """A ready ticket: ₱300 fee, labour of 30 and 90 days' warranty (₱1,500)."""
    ticket = make_ticket(
        diagnostic_fee_centavos=300_00,
        passcode="1234",
        service_type_ids=[
            make_service("Reformat", 500_00, 30).id,
            make_service("Screen replacement", 700_00, 90).id,
        ],
    )
    walk_to(ticket, S.READY, admin)
    db.session.expire(ticket)
    return ticket


def pay_up(ticket: RepairTicket, actor) -> None:
    take_payment(ticket, cash(ticket_figures(ticket).balance_centavos), actor)


def test_a_settled_ticket_is_released_with_who_and_when(sales, ready):
    pay_up(ready, sales)

    release_ticket(ready, "  Ana   Reyes ", " UMID 1234 ", sales)
    assert ready.status == S.RELEASED
    assert ready.released_at == clock.utcnow()
    assert ready.released_by_id == sales.id
    assert (ready.released_to_name, ready.released_to_id_shown) == (
        "Ana Reyes",
        "UMID 1234",
    )
    assert ready.released_on_credit is False
    assert ready.events[-1].to_status == S.RELEASED


def test_release_erases_the_passcode(admin, sales, ready):
    assert reveal_passcode(ready, admin) == "1234"
    pay_up(ready, sales)

    release_ticket(ready, "Ana Reyes", "", sales)
    db.session.flush()
    db.session.expire(ready)
    assert ready.passcode_encrypted is None
    assert reveal_passcode(ready, admin) is None


def test_release_is_refused_while_a_balance_is_owed(sales, ready):
    take_payment(ready, cash(1_000_00), sales)

    with pytest.raises(DomainError) as caught:
        release_ticket(ready, "Ana Reyes", "", sales)
    assert caught.value.message.startswith("₱500.00 is still owed")
    assert ready.status == S.READY


def test_release_is_refused_while_overpaid(admin, sales, ready):
    take_payment(ready, cash(1_500_00), sales)
    remove_service(ready.services[0], admin)  # the ₱500 reformat comes off

    with pytest.raises(DomainError, match=r"paid ₱500\.00 more than the charges"):
        release_ticket(ready, "Ana Reyes", "", sales)
    assert ready.status == S.READY


def test_release_needs_the_name_of_who_takes_the_device(sales, ready):
    pay_up(ready, sales)

    with pytest.raises(DomainError, match="name of the person"):
        release_ticket(ready, "   ", "", sales)


@pytest.mark.parametrize(
    "status", [S.RECEIVED, S.DIAGNOSING, S.WAITING_PARTS, S.IN_REPAIR]
)
def test_a_ticket_still_in_work_cannot_be_released(admin, make_ticket, status):
    ticket = make_ticket()
    walk_to(ticket, status, admin)

    with pytest.raises(InvalidTransition, match="cannot be released yet"):
        release_ticket(ticket, "Ana Reyes", "", admin)


def test_a_ticket_is_released_once(sales, ready):
    pay_up(ready, sales)
    release_ticket(ready, "Ana Reyes", "", sales)

    with pytest.raises(InvalidTransition, match="Released cannot be released"):
        release_ticket(ready, "Ana Reyes", "", sales)


def test_charges_are_locked_after_release(admin, sales, ready):
    pay_up(ready, sales)
    release_ticket(ready, "Ana Reyes", "", sales)

    with pytest.raises(DomainError, match="released: its parts, labour and charges"):
        set_discount(ready, 100_00, admin, {"SALES_DISCOUNT_CAP_PERCENT": 10})
    with pytest.raises(DomainError, match="released"):
        waive_charges(ready, 100_00, "Goodwill", admin)
    assert (ready.discount_centavos, ready.waived_centavos) == (0, 0)


def test_admin_releases_on_credit_with_a_reason(admin, ready):
    take_payment(ready, cash(1_000_00), admin)

    release_ticket(ready, "Ana Reyes", "", admin, True, " Pays on payday ")
    assert ready.status == S.RELEASED
    assert (ready.released_on_credit, ready.credit_reason) == (True, "Pays on payday")
    assert "on credit (₱500.00): Pays on payday" in ready.events[-1].note


def test_release_on_credit_needs_a_reason(admin, ready):
    with pytest.raises(DomainError, match="reason for releasing on credit"):
        release_ticket(ready, "Ana Reyes", "", admin, True, "  ")
    assert ready.status == S.READY


def test_sales_cannot_release_on_credit(sales, ready):
    with pytest.raises(DomainError, match="Only an ADMIN can release a device on"):
        release_ticket(ready, "Ana Reyes", "", sales, True, "Regular customer")
    assert ready.status == S.READY


def test_on_credit_with_nothing_owed_is_an_ordinary_release(admin, ready):
    pay_up(ready, admin)

    release_ticket(ready, "Ana Reyes", "", admin, True, "Just in case")
    assert (ready.released_on_credit, ready.credit_reason) == (False, "")


def test_release_on_credit_puts_the_balance_on_the_customer_account(admin, ready):
    take_payment(ready, cash(1_000_00), admin)
    release_ticket(ready, "Ana Reyes", "", admin, True, "Pays on payday")

    assert customer_open_balance(ready.customer_id) == 500_00


def test_the_account_shows_repair_charges_payments_and_what_is_owed(admin, ready):
    take_payment(ready, cash(1_000_00), admin)
    release_ticket(ready, "Ana Reyes", "", admin, True, "Pays on payday")

    account = customer_account(ready.customer_id)
    assert (
        account.repairs_charged_centavos,
        account.repairs_paid_centavos,
        account.repairs_owed_centavos,
        account.open_balance_centavos,
    ) == (1_500_00, 1_000_00, 500_00, 500_00)


def test_an_open_ticket_deposit_owes_nothing_on_the_account(admin, ready):
    take_payment(ready, cash(200_00), admin)

    account = customer_account(ready.customer_id)
    assert (account.repairs_paid_centavos, account.open_balance_centavos) == (200_00, 0)


def test_the_credit_balance_is_collected_after_release_and_never_beyond_it(
    admin, sales, ready
):
    take_payment(ready, cash(1_000_00), admin)
    release_ticket(ready, "Ana Reyes", "", admin, True, "Pays on payday")

    with pytest.raises(DomainError, match="more than the balance"):
        take_payment(ready, cash(500_01), sales)
    take_payment(ready, gcash(500_00), sales, note="Paid on payday")
    assert ticket_figures(ready).balance_centavos == 0
    assert customer_open_balance(ready.customer_id) == 0
    with pytest.raises(DomainError, match="nothing is owed"):
        take_payment(ready, cash(1_00), sales)


def test_a_settled_release_takes_no_more_payments(sales, ready):
    pay_up(ready, sales)
    release_ticket(ready, "Ana Reyes", "", sales)

    with pytest.raises(DomainError, match="nothing is owed"):
        take_payment(ready, cash(100_00), sales)


def test_the_repair_receivable_counts_against_the_credit_limit_at_the_counter(
    admin, ready, stocked
):
    customer = db.session.get(Customer, ready.customer_id)
    customer.credit_limit_centavos = 1_000_00
    take_payment(ready, cash(1_000_00), admin)
    release_ticket(ready, "Ana Reyes", "", admin, True, "Pays on payday")
    mouse = stocked("Wireless mouse", 600_00, on_hand=3)

    request = CheckoutRequest(
        lines=[CartLine(mouse.id, 1)],
        payments=[],
        customer_id=customer.id,
        charge_to_account=True,
        due_date=date(2026, 7, 15),
        idempotency_key="credit-after-repair",
    )
    with pytest.raises(DomainError, match="over their credit limit"):
        checkout(request, admin, {"VAT_REGISTERED": True})


# Warranty -----------------------------------------------------------------------------


def test_the_warranty_runs_from_release_for_the_longest_labour_line(sales, ready):
    clock.set_frozen(datetime(2026, 6, 20, 17, 0, tzinfo=UTC))  # 21 June in Manila
    pay_up(ready, sales)

    release_ticket(ready, "Ana Reyes", "", sales)
    assert ready.warranty_until == date(2026, 9, 19)  # 21 June + 90 days


def test_a_removed_labour_line_gives_no_warranty(admin, sales, ready):
    long_line = ready.services[1]
    remove_service(long_line, admin)
    pay_up(ready, sales)

    release_ticket(ready, "Ana Reyes", "", sales)
    assert ready.warranty_until == date(2026, 7, 15)  # 15 June + 30 days


def test_no_labour_no_warranty(sales, make_ticket, admin):
    ticket = make_ticket()
    walk_to(ticket, S.READY, admin)

    release_ticket(ticket, "Ana Reyes", "", sales)
    assert ticket.warranty_until is None


@pytest.mark.parametrize("exit_status", [S.CANCELLED, S.UNREPAIRABLE, S.PULLED_OUT])
def test_a_side_exit_is_released_without_warranty(
    admin, sales, make_service, make_ticket, exit_status
):
    ticket = make_ticket(service_type_ids=[make_service("Reformat", 0, 30).id])
    walk_to(ticket, exit_status, admin)

    release_ticket(ticket, "Ana Reyes", "", sales)
    assert ticket.status == S.RELEASED
    assert ticket.warranty_until is None


@pytest.fixture
def released(sales, ready):
    """The ready ticket, paid and released on 15 June with warranty to 13 Sept."""
    pay_up(ready, sales)
    release_ticket(ready, "Ana Reyes", "", sales)
    assert ready.warranty_until == date(2026, 9, 13)
    return ready


def test_a_comeback_within_warranty_opens_a_linked_ticket_free_of_labour(
    tech, released
):
    clock.set_frozen(datetime(2026, 8, 1, 2, 0, tzinfo=UTC))

    comeback = open_comeback(released, "Screen flickers again", tech)
    db.session.expire(comeback)
    assert comeback.original_ticket_id == released.id
    assert comeback.number == "RT-2026-00002"
    assert comeback.status == S.RECEIVED
    assert (comeback.customer_id, comeback.serial_number) == (
        released.customer_id,
        released.serial_number,
    )
    assert [(s.name, s.price_centavos) for s in comeback.services] == [
        ("Reformat", 0),
        ("Screen replacement", 0),
    ]
    assert ticket_figures(comeback).charges_centavos == 0


def test_a_comeback_on_the_last_day_of_warranty_is_accepted(tech, released):
    clock.set_frozen(datetime(2026, 9, 13, 15, 0, tzinfo=UTC))  # 23:00 Manila

    assert open_comeback(released, "Dead again", tech).original_ticket_id


def test_a_comeback_after_the_warranty_is_refused(tech, released):
    clock.set_frozen(datetime(2026, 9, 13, 16, 30, tzinfo=UTC))  # 14 Sept, Manila

    with pytest.raises(DomainError, match="ended on 2026-09-13"):
        open_comeback(released, "Dead again", tech)


def test_a_released_comeback_keeps_the_original_warranty_end(admin, sales, released):
    clock.set_frozen(datetime(2026, 9, 1, 2, 0, tzinfo=UTC))
    comeback = open_comeback(released, "Screen flickers again", admin)
    walk_to(comeback, S.READY, admin)

    release_ticket(comeback, "Ana Reyes", "", sales)
    assert comeback.warranty_until == date(2026, 9, 13)


def test_a_comeback_of_a_comeback_links_to_the_first_ticket(admin, sales, released):
    first = open_comeback(released, "Flickers", admin)
    walk_to(first, S.READY, admin)
    release_ticket(first, "Ana Reyes", "", sales)

    second = open_comeback(first, "Flickers again", admin)
    assert second.original_ticket_id == released.id


def test_a_side_exit_has_no_warranty_to_come_back_under(admin, make_ticket):
    ticket = make_ticket()
    walk_to(ticket, S.CANCELLED, admin)
    release_ticket(ticket, "Ana Reyes", "", admin)

    with pytest.raises(DomainError, match="has no warranty"):
        open_comeback(ticket, "Still broken", admin)


def test_an_open_ticket_has_no_warranty_to_come_back_under(admin, ready):
    with pytest.raises(DomainError, match="has no warranty"):
        open_comeback(ready, "Still broken", admin)


def test_a_comeback_opens_even_when_the_service_was_archived_since(admin, released):
    reformat = released.services[0].service_type_id
    set_service_type_archived(db.session.get(ServiceType, reformat), True, admin)

    comeback = open_comeback(released, "Flickers", admin)
    assert comeback.original_ticket_id == released.id
    assert [(s.name, s.price_centavos, s.warranty_days) for s in comeback.services] == [
        ("Reformat", 0, 30),
        ("Screen replacement", 0, 90),
    ]
