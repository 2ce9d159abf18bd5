"""Intake: ticket numbers, what is written down, the passcode, the duplicate guard."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from jcicons import clock
from jcicons.customers.checks import CustomerInvalid
from jcicons.customers.models import Customer, CustomerKind
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.repairs.models import (
    DeviceType,
    RepairEventKind,
    RepairStatus,
    RepairTicket,
)
from jcicons.repairs.services import (
    DuplicateSerial,
    assign_technician,
    intake_customer,
    release_ticket,
    reveal_passcode,
    set_service_type_archived,
    ticket_figures,
)
from jcicons.sales.models import PaymentMethod
from repairs.repair_helpers import cash, gcash, ledger_rows, walk_to


def test_ticket_numbers_count_up_per_year(make_ticket):
    first, second = make_ticket(), make_ticket()

    assert (first.number, second.number) == ("RT-2026-00001", "RT-2026-00002")


def test_the_year_of_a_ticket_number_is_the_shops_year(make_ticket):
    clock.set_frozen(datetime(2026, 12, 31, 15, 59, tzinfo=UTC))  # 23:59 Manila
    last_of_2026 = make_ticket()
    clock.set_frozen(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))  # 00:30, 1 Jan
    first_of_2027, second_of_2027 = make_ticket(), make_ticket()

    assert last_of_2026.number == "RT-2026-00001"
    assert first_of_2027.number == "RT-2027-00001"
    assert second_of_2027.number == "RT-2027-00002"


def test_a_new_ticket_is_received_with_an_opening_timeline_entry(admin, make_ticket):
    ticket = make_ticket()
    db.session.expire(ticket)

    assert ticket.status == RepairStatus.RECEIVED
    assert ticket.created_by_id == admin.id
    assert [(e.kind, e.to_status, e.actor_id) for e in ticket.events] == [
        (RepairEventKind.STATUS, RepairStatus.RECEIVED, admin.id)
    ]
    assert len(ticket.status_token) >= 32


def test_intake_keeps_the_device_and_its_condition(make_ticket):
    ticket = make_ticket(
        device_type=DeviceType.OTHER,
        device_name="  Drawing tablet ",
        brand="Wacom",
        model="Intuos",
        serial_number=" ab12 cd ",
        accessories=["Charger or adapter", "  ", "Bag or case"],
        condition={"powers_on": "yes", "screen_ok": "no", "bogus": "yes"},
    )

    assert ticket.device_label == "Drawing tablet Wacom Intuos"
    assert ticket.serial_number == "AB12 CD"
    assert ticket.accessories == ["Charger or adapter", "Bag or case"]
    assert ticket.condition == {"powers_on": "yes", "screen_ok": "no"}


def test_services_are_copied_with_their_price_and_warranty(make_ticket, make_service):
    board = make_service("Board repair", 2_500_00, 90)
    clean = make_service("Cleaning", 350_00, 7)
    ticket = make_ticket(service_type_ids=[board.id, clean.id, board.id])
    board.default_price_centavos = 3_000_00
    board.warranty_days = 10
    db.session.flush()
    db.session.expire(ticket)

    lines = [(s.name, s.price_centavos, s.warranty_days) for s in ticket.services]
    assert lines == [("Board repair", 2_500_00, 90), ("Cleaning", 350_00, 7)]


def test_figures_right_after_intake_count_each_labour_line_once(
    make_ticket, make_service
):
    board = make_service("Board repair", 2_500_00, 90)
    ticket = make_ticket(service_type_ids=[board.id])

    assert len(ticket.services) == 1
    assert ticket_figures(ticket).labour_centavos == 2_500_00


def test_the_passcode_is_stored_encrypted(make_ticket):
    ticket = make_ticket(passcode="2580-secret")
    db.session.flush()

    stored = db.session.scalar(
        text("SELECT passcode_encrypted FROM repair_tickets WHERE id = :id"),
        {"id": ticket.id},
    )
    assert stored
    assert "2580" not in stored


def test_no_passcode_stores_nothing(make_ticket):
    assert make_ticket().passcode_encrypted is None


def test_the_passcode_is_shown_to_admin_and_the_assigned_tech_only(staff, make_ticket):
    ticket = make_ticket(passcode="2580", technician_id=staff.tech.id)

    assert reveal_passcode(ticket, staff.admin) == "2580"
    assert reveal_passcode(ticket, staff.tech) == "2580"
    assert reveal_passcode(ticket, staff.other_tech) is None
    assert reveal_passcode(ticket, staff.sales) is None


def test_a_reassigned_tech_loses_sight_of_the_passcode(staff, make_ticket):
    ticket = make_ticket(passcode="2580", technician_id=staff.tech.id)
    assign_technician(ticket, staff.other_tech.id, staff.admin)

    assert reveal_passcode(ticket, staff.tech) is None
    assert reveal_passcode(ticket, staff.other_tech) == "2580"


def test_an_unassigned_ticket_shows_its_passcode_to_no_tech(staff, make_ticket):
    ticket = make_ticket(passcode="2580")

    assert reveal_passcode(ticket, staff.tech) is None


def test_a_deposit_becomes_a_payment_row_of_the_ticket(admin, make_ticket):
    ticket = make_ticket(deposit=cash(500_00, tendered=1_000_00))

    assert ledger_rows(ticket.id) == [(500_00, "CASH", "Deposit at intake")]
    assert [e.kind for e in ticket.events][-1] == RepairEventKind.PAYMENT


def test_a_deposit_by_gcash_needs_its_reference(make_ticket):
    with pytest.raises(DomainError, match="reference number of the GCash"):
        make_ticket(deposit=gcash(500_00, reference=" "))


def test_a_technician_chosen_at_intake_is_assigned(staff, make_ticket):
    ticket = make_ticket(technician_id=staff.tech.id)

    assert ticket.technician_id == staff.tech.id
    assert ticket.events[-1].kind == RepairEventKind.ASSIGNED


def test_a_sales_user_cannot_be_the_technician(staff, make_ticket):
    with pytest.raises(DomainError, match="active technician"):
        make_ticket(technician_id=staff.sales.id)


@pytest.mark.parametrize(
    ("fields", "message", "field"),
    [
        ({"problem": "   "}, "Describe the problem", "problem"),
        (
            {"device_type": DeviceType.OTHER, "device_name": " "},
            "Name the device",
            "device_name",
        ),
        ({"diagnostic_fee_centavos": -1}, "fee cannot be negative", "diagnostic_fee"),
        ({"promised_date": date(2026, 6, 14)}, "cannot be in the past", None),
        ({"customer_id": 999_999}, "Choose the customer", "customer"),
    ],
)
def test_intake_refuses_bad_input(make_ticket, fields, message, field):
    with pytest.raises(DomainError, match=message) as caught:
        make_ticket(**fields)
    if field is not None:
        assert caught.value.field == field
    assert db.session.scalar(select(RepairTicket.id)) is None


def test_the_promised_date_is_checked_against_the_shops_day(make_ticket):
    clock.set_frozen(datetime(2026, 6, 15, 17, 0, tzinfo=UTC))  # 16 June in Manila

    with pytest.raises(DomainError, match="promised date"):
        make_ticket(promised_date=date(2026, 6, 15))
    assert make_ticket(promised_date=date(2026, 6, 16)).promised_date == date(
        2026, 6, 16
    )


def test_an_archived_service_cannot_be_chosen(admin, make_ticket, make_service):
    service = make_service()
    set_service_type_archived(service, True, admin)

    with pytest.raises(DomainError, match="no longer offered"):
        make_ticket(service_type_ids=[service.id])


def test_a_department_must_belong_to_the_ticket_customer(
    make_ticket, make_customer, make_department
):
    business = CustomerKind.BUSINESS.value
    ours = make_customer("Ana Cruz", kind=business, business_name="Ayala Land")
    theirs = make_customer("Ben Sy", kind=business, business_name="SM Prime")
    accounting = make_department(theirs)

    with pytest.raises(DomainError, match="another customer") as caught:
        make_ticket(customer_id=ours.id, department_id=accounting.id)
    assert caught.value.field == "department"
    ticket = make_ticket(customer_id=theirs.id, department_id=accounting.id)
    assert ticket.department_id == accounting.id


def test_a_serial_on_an_open_ticket_is_flagged(make_ticket):
    first = make_ticket(serial_number="5CD1234XYZ")

    with pytest.raises(DuplicateSerial) as caught:
        make_ticket(serial_number="5CD1234XYZ")
    assert caught.value.tickets == [first]
    assert first.number in caught.value.message
    assert caught.value.field == "serial_number"


def test_serial_matching_ignores_case_and_surrounding_spaces(make_ticket):
    make_ticket(serial_number="5CD1234XYZ")

    with pytest.raises(DuplicateSerial):
        make_ticket(serial_number="  5cd1234xyz ")


def test_a_confirmed_duplicate_serial_opens_another_ticket(make_ticket):
    make_ticket(serial_number="5CD1234XYZ")

    second = make_ticket(serial_number="5cd1234xyz", allow_duplicate_serial=True)
    assert second.serial_number == "5CD1234XYZ"


def test_a_released_ticket_does_not_count_as_a_duplicate(admin, make_ticket):
    first = make_ticket(serial_number="5CD1234XYZ")
    walk_to(first, RepairStatus.CANCELLED, admin)
    release_ticket(first, "Juan Dela Cruz", "UMID", admin)

    second = make_ticket(serial_number="5CD1234XYZ")
    assert second.number == "RT-2026-00002"


def test_a_side_exit_not_yet_released_still_counts(admin, make_ticket):
    first = make_ticket(serial_number="5CD1234XYZ")
    walk_to(first, RepairStatus.PULLED_OUT, admin)

    with pytest.raises(DuplicateSerial):
        make_ticket(serial_number="5CD1234XYZ")


def test_an_empty_serial_is_never_a_duplicate(make_ticket):
    make_ticket(serial_number="")

    assert make_ticket(serial_number=" ").serial_number == ""


# intake_customer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["09171234567", "+63 917 123 4567", "0917-123-4567", "639171234567"]
)
def test_intake_finds_the_customer_by_mobile_in_any_format(tech, make_customer, typed):
    existing = make_customer("Maria Santos", mobile="0917 123 4567")

    found, created = intake_customer("Someone Else", typed, tech)
    assert (found.id, created) == (existing.id, False)
    assert found.name == "Maria Santos"


def test_intake_creates_a_customer_for_a_new_number(tech):
    customer, created = intake_customer("Pedro Reyes", "0918 765 4321", tech)

    assert created is True
    assert customer.name == "Pedro Reyes"
    assert [p.number for p in customer.phones] == ["+639187654321"]
    assert customer.created_by_id == tech.id


@pytest.mark.parametrize("typed", ["", "028123456", "12345", "+1 415 555 0100"])
def test_intake_refuses_a_bad_number(tech, typed):
    with pytest.raises(CustomerInvalid) as caught:
        intake_customer("Pedro Reyes", typed, tech)
    assert set(caught.value.errors) == {"mobile"}
    assert db.session.scalar(select(Customer.id)) is None


def test_intake_needs_a_name_for_a_new_customer(tech):
    with pytest.raises(CustomerInvalid) as caught:
        intake_customer("  ", "0918 765 4321", tech)
    assert "name" in caught.value.errors


def test_a_deposit_method_is_kept(make_ticket):
    ticket = make_ticket(deposit=gcash(1_000_00, reference="GC-77"))

    assert ledger_rows(ticket.id)[0][:2] == (1_000_00, PaymentMethod.GCASH.value)
