"""Finding tickets: who sees which, the search box, filters, the unclaimed list,
the status page look-ups, and which customers a technician sees."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jcicons import clock
from jcicons.customers.queries import visible_customers
from jcicons.extensions import db
from jcicons.repairs.models import DeviceType, RepairStatus
from jcicons.repairs.queries import (
    TicketFilter,
    find_by_token,
    find_for_status_page,
    get_visible_ticket,
    paid_by_ticket,
    tickets_query,
    unclaimed_query,
    visible_tickets,
)
from jcicons.repairs.services import release_ticket, take_payment
from repairs.repair_helpers import cash, walk_to

S = RepairStatus


def numbers(query) -> list[str]:
    return [ticket.number for ticket in db.session.scalars(query)]


def listed(viewer, **criteria) -> list[str]:
    return numbers(tickets_query(viewer, TicketFilter(**criteria)))


@pytest.fixture
def spread(staff, make_ticket):
    """Three tickets: the first TECH's, the second TECH's, and one unassigned."""
    mine = make_ticket(technician_id=staff.tech.id)
    theirs = make_ticket(technician_id=staff.other_tech.id)
    nobodys = make_ticket()
    return mine, theirs, nobodys


def test_a_tech_sees_their_tickets_and_the_unassigned_queue(staff, spread):
    assert sorted(numbers(visible_tickets(staff.tech))) == [
        "RT-2026-00001",
        "RT-2026-00003",
    ]
    assert sorted(numbers(visible_tickets(staff.other_tech))) == [
        "RT-2026-00002",
        "RT-2026-00003",
    ]


@pytest.mark.parametrize("role", ["admin", "sales"])
def test_admin_and_sales_see_every_ticket(staff, spread, role):
    assert len(numbers(visible_tickets(getattr(staff, role)))) == 3


def test_a_tech_cannot_open_another_techs_ticket(staff, spread):
    mine, theirs, nobodys = spread

    assert get_visible_ticket(staff.tech, theirs.id) is None
    assert get_visible_ticket(staff.tech, mine.id) is mine
    assert get_visible_ticket(staff.tech, nobodys.id) is nobodys
    assert get_visible_ticket(staff.sales, theirs.id) is theirs
    assert get_visible_ticket(staff.admin, 999_999) is None


def test_the_tech_list_keeps_to_the_rule_even_when_searching(staff, spread):
    assert listed(staff.tech, q="RT-2026-00002") == []
    assert listed(staff.tech, technician_id=staff.other_tech.id) == []


@pytest.mark.parametrize("details", [False, True])
def test_a_tech_finds_a_queue_ticket_by_name_but_never_by_phone(
    staff, make_customer, make_ticket, details
):
    maria = make_customer("Maria Santos", mobile="0917 123 4567")
    queue = make_ticket(customer_id=maria.id)
    pedro = make_customer("Pedro Reyes", mobile="0918 765 4321")
    own = make_ticket(customer_id=pedro.id, technician_id=staff.tech.id)

    def search(term: str) -> list[str]:
        criteria = TicketFilter(q=term)
        return numbers(tickets_query(staff.tech, criteria, tech_sees_details=details))

    assert search("Santos") == [queue.number]
    assert search("4567") == []
    assert search(maria.code) == []
    assert search("4321") == ([own.number] if details else [])
    assert numbers(tickets_query(staff.sales, TicketFilter(q="4567"))) == [queue.number]


# The list and its search box ----------------------------------------------------------


@pytest.fixture
def archive(admin, make_customer, make_ticket):
    """An open ticket and a released one, of two customers."""
    maria = make_customer("Maria Santos", mobile="0917 123 4567")
    pedro = make_customer("Pedro Reyes", mobile="0918 765 4321")
    open_one = make_ticket(
        customer_id=maria.id, brand="Acer", model="Aspire 5", serial_number="NXABC1"
    )
    done = make_ticket(
        customer_id=pedro.id,
        device_type=DeviceType.PRINTER,
        brand="Epson",
        model="L3210",
        serial_number="X5AB-778",
    )
    walk_to(done, S.PULLED_OUT, admin)
    release_ticket(done, "Pedro Reyes", "", admin)
    return open_one, done


def test_the_list_shows_open_tickets_by_default(sales, archive):
    assert listed(sales) == ["RT-2026-00001"]


@pytest.mark.parametrize(
    "term",
    ["rt-2026-00002", "00002", "x5ab-778", "Pedro", "reyes", "0918 765", "4321"],
)
def test_a_search_finds_released_tickets(sales, archive, term):
    assert listed(sales, q=term) == ["RT-2026-00002"]


@pytest.mark.parametrize("term", ["acer", "aspire", "nxabc", "Santos", "0917-123"])
def test_a_search_finds_open_tickets_by_device_and_customer(sales, archive, term):
    assert listed(sales, q=term) == ["RT-2026-00001"]


def test_a_search_matches_like_wildcards_literally(sales, archive):
    assert listed(sales, q="%") == []
    assert listed(sales, q="_") == []


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("released", ["RT-2026-00002"]),
        ("RELEASED", ["RT-2026-00002"]),
        ("RECEIVED", ["RT-2026-00001"]),
        ("all", ["RT-2026-00002", "RT-2026-00001"]),
        ("DIAGNOSING", []),
    ],
)
def test_the_list_filters_by_status(sales, archive, status, expected):
    assert listed(sales, status=status) == expected


def test_the_list_filters_by_technician_and_unassigned(staff, spread):
    assert listed(staff.sales, technician_id=staff.other_tech.id) == ["RT-2026-00002"]
    assert listed(staff.sales, unassigned=True) == ["RT-2026-00003"]
    assert listed(staff.tech, unassigned=True) == ["RT-2026-00003"]


def test_the_list_filters_by_device_type(sales, archive):
    assert listed(sales, status="all", device_type="PRINTER") == ["RT-2026-00002"]
    assert listed(sales, status="all", device_type="PHONE") == []


def test_the_list_is_newest_first(sales, make_ticket):
    for hour in (1, 3, 2):
        clock.set_frozen(datetime(2026, 6, 15, hour, 0, tzinfo=UTC))
        make_ticket(problem=f"hour {hour}")

    assert listed(sales) == ["RT-2026-00002", "RT-2026-00003", "RT-2026-00001"]


def test_the_date_range_is_in_shop_days(sales, make_ticket):
    clock.set_frozen(datetime(2026, 6, 13, 15, 30, tzinfo=UTC))  # 13 June 23:30
    make_ticket()
    clock.set_frozen(datetime(2026, 6, 13, 16, 30, tzinfo=UTC))  # 14 June 00:30
    make_ticket()
    clock.set_frozen(datetime(2026, 6, 14, 15, 59, tzinfo=UTC))  # 14 June 23:59
    make_ticket()
    clock.set_frozen(datetime(2026, 6, 14, 16, 0, tzinfo=UTC))  # 15 June 00:00
    make_ticket()
    june_14 = date(2026, 6, 14)

    assert listed(sales, date_from=june_14, date_to=june_14) == [
        "RT-2026-00003",
        "RT-2026-00002",
    ]
    assert listed(sales, date_from=date(2026, 6, 15)) == ["RT-2026-00004"]
    assert listed(sales, date_to=date(2026, 6, 13)) == ["RT-2026-00001"]


@pytest.fixture
def promised(admin, make_ticket):
    """Tickets promised for the 16th, one per stage, and one for the 30th."""
    tickets = {}
    for status in (S.DIAGNOSING, S.WAITING_PARTS, S.READY, S.CANCELLED):
        ticket = make_ticket(promised_date=date(2026, 6, 16))
        walk_to(ticket, status, admin)
        tickets[status] = ticket
    tickets[S.RECEIVED] = make_ticket(promised_date=date(2026, 6, 30))
    clock.set_frozen(datetime(2026, 6, 18, 2, 0, tzinfo=UTC))
    return tickets


def test_overdue_lists_work_past_its_promised_date(sales, promised):
    found = listed(sales, overdue=True)

    assert promised[S.DIAGNOSING].number in found
    assert promised[S.WAITING_PARTS].number in found
    assert promised[S.READY].number not in found
    assert promised[S.RECEIVED].number not in found


def test_a_ticket_promised_for_today_is_not_overdue(sales, make_ticket):
    make_ticket(promised_date=date(2026, 6, 15))

    assert listed(sales, overdue=True) == []


def test_overdue_leaves_out_tickets_whose_work_has_stopped(sales, promised):
    assert promised[S.CANCELLED].number not in listed(sales, overdue=True)


# Unclaimed devices --------------------------------------------------------------------


def test_unclaimed_lists_ready_tickets_older_than_the_days_given(
    staff, admin, make_ticket
):
    for day in (1, 5, 10):
        clock.set_frozen(datetime(2026, 6, day, 2, 0, tzinfo=UTC))
        ticket = make_ticket(technician_id=staff.tech.id if day == 5 else None)
        walk_to(ticket, S.READY, admin)
    in_repair = make_ticket()
    walk_to(in_repair, S.IN_REPAIR, admin)
    clock.set_frozen(datetime(2026, 6, 15, 2, 0, tzinfo=UTC))

    assert numbers(unclaimed_query(admin, 7)) == ["RT-2026-00001", "RT-2026-00002"]
    assert numbers(unclaimed_query(admin, 4)) == [
        "RT-2026-00001",
        "RT-2026-00002",
        "RT-2026-00003",
    ]
    assert numbers(unclaimed_query(staff.other_tech, 7)) == ["RT-2026-00001"]


def test_a_released_ticket_is_not_unclaimed(admin, make_ticket):
    clock.set_frozen(datetime(2026, 6, 1, 2, 0, tzinfo=UTC))
    ticket = make_ticket()
    walk_to(ticket, S.READY, admin)
    release_ticket(ticket, "Ana Reyes", "", admin)
    clock.set_frozen(datetime(2026, 6, 15, 2, 0, tzinfo=UTC))

    assert numbers(unclaimed_query(admin, 7)) == []


# The public status page ---------------------------------------------------------------


@pytest.fixture
def claimed(make_customer, make_ticket):
    customer = make_customer("Maria Santos", mobile="0917 123 4567")
    return make_ticket(customer_id=customer.id)


@pytest.mark.parametrize(
    ("number", "last4"),
    [
        ("RT-2026-00001", "4567"),
        (" rt-2026-00001 ", "45-67"),
    ],
)
def test_the_status_page_finds_a_ticket_by_number_and_last_4(claimed, number, last4):
    assert find_for_status_page(number, last4) is claimed


@pytest.mark.parametrize(
    ("number", "last4"),
    [
        ("RT-2026-00001", "1234"),
        ("RT-2026-00001", "567"),
        ("RT-2026-00001", "34567"),
        ("RT-2026-00001", ""),
        ("RT-2026-00002", "4567"),
        ("", "4567"),
    ],
)
def test_the_status_page_needs_the_right_last_4(claimed, number, last4):
    assert find_for_status_page(number, last4) is None


def test_the_qr_token_finds_its_ticket_only(claimed):
    assert find_by_token(claimed.status_token) is claimed
    assert find_by_token(claimed.status_token[:-1]) is None
    assert find_by_token("") is None
    assert find_by_token("x" * 65) is None


# Money per ticket ---------------------------------------------------------------------


def test_paid_by_ticket_nets_the_ledger_per_ticket(admin, make_ticket):
    first = make_ticket(deposit=cash(500_00))
    second = make_ticket()
    take_payment(first, cash(250_00), admin)

    assert paid_by_ticket([first.id, second.id]) == {first.id: 750_00}
    assert paid_by_ticket([]) == {}


# Which customers a technician sees ----------------------------------------------------


def test_a_tech_sees_the_customers_of_their_tickets_only(
    staff, make_customer, make_ticket
):
    maria, pedro, ana = (
        make_customer(name) for name in ("Maria Santos", "Pedro Reyes", "Ana Cruz")
    )
    make_ticket(customer_id=maria.id, technician_id=staff.tech.id)
    make_ticket(customer_id=pedro.id, technician_id=staff.other_tech.id)
    make_ticket(customer_id=ana.id)

    seen = db.session.scalars(visible_customers(staff.tech)).all()
    assert [customer.name for customer in seen] == ["Maria Santos"]
    assert len(db.session.scalars(visible_customers(staff.sales)).all()) == 3
