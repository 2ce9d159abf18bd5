"""The ticket list: one search box, the filters, open tickets by default, released
ones through the search, paging, the empty state, and bad filters that never fail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jcicons import clock
from jcicons.extensions import db
from jcicons.repairs import services
from jcicons.repairs.models import DeviceType, RepairStatus, RepairTicket
from jcicons.repairs.services import IntakeData, create_ticket
from repairs.conftest import NOW
from repairs.desk import Desk, days_from_today, listed, text_of

S = RepairStatus


@pytest.fixture
def desk(app, make_user) -> Desk:
    return Desk(app, make_user)


@pytest.fixture
def shelf(desk) -> dict[str, str]:
    """Four tickets of different customers, devices, technicians and states."""
    maria = desk.customer("Maria Santos", "0917 555 0142")
    jose = desk.customer("Jose Rizal", "0918 222 3344")
    made = {
        "laptop": desk.ticket(
            customer_id=maria,
            brand="Acer",
            model="Aspire 5",
            serial_number="NXHF8SP00123",
            technician_id=desk.id_of("tech"),
        ),
        "printer": desk.ticket(
            customer_id=jose,
            device_type=DeviceType.PRINTER,
            brand="Epson",
            model="L3210",
            serial_number="X5HT004512",
            promised_date=days_from_today(2),
        ),
        "phone": desk.ticket(
            customer_id=maria,
            device_type=DeviceType.PHONE,
            brand="Samsung",
            model="Galaxy A54",
            serial_number="356789012345678",
            technician_id=desk.id_of("other_tech"),
            status=S.READY,
        ),
        "released": desk.ticket(
            customer_id=jose,
            brand="Lenovo",
            model="ThinkPad T480",
            serial_number="PF1ABCDE",
            status=S.CANCELLED,
        ),
    }
    desk.run(services.release_ticket, made["released"], "Jose Rizal", "")
    return {key: desk.look(ticket)["number"] for key, ticket in made.items()}


def rows(client, **query: object) -> list[str]:
    """Return the ticket numbers the list shows for a query."""
    response = client.get("/repairs/", query_string=query)
    assert response.status_code == 200
    return listed(response.text)


def test_the_list_shows_open_tickets_newest_first(desk, client, shelf):
    desk.sign_in(client, "sales")

    assert rows(client) == [shelf["phone"], shelf["printer"], shelf["laptop"]]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("RT-2026-00002", ["printer"]),
        ("rt-2026-0000", ["released", "phone", "printer", "laptop"]),
        ("maria", ["phone", "laptop"]),
        ("Jose Rizal", ["released", "printer"]),
        ("0918 222 3344", ["released", "printer"]),
        ("09175550142", ["phone", "laptop"]),
        ("nxhf8sp00123", ["laptop"]),
        ("356789012345678", ["phone"]),
        ("Epson", ["printer"]),
        ("galaxy a54", ["phone"]),
        ("ThinkPad", ["released"]),
        ("Nobody Here", []),
        ("%", []),
        ("_", []),
    ],
)
def test_one_search_box_finds_by_number_customer_phone_serial_brand_and_model(
    desk, client, shelf, term, expected
):
    desk.sign_in(client, "sales")

    assert rows(client, q=term) == [shelf[key] for key in expected]


def test_a_released_ticket_leaves_the_list_but_a_search_finds_it(desk, client, shelf):
    desk.sign_in(client, "sales")

    assert shelf["released"] not in rows(client)
    assert rows(client, q="PF1ABCDE") == [shelf["released"]]
    assert rows(client, status="RELEASED") == [shelf["released"]]
    assert rows(client, status="all")[0] == shelf["released"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "READY"}, ["phone"]),
        ({"status": "RECEIVED"}, ["printer", "laptop"]),
        ({"device_type": "PRINTER"}, ["printer"]),
        ({"device_type": "LAPTOP", "status": "all"}, ["released", "laptop"]),
        ({"technician": "none"}, ["printer"]),
        ({"q": "maria", "status": "READY"}, ["phone"]),
    ],
)
def test_the_filters_narrow_the_list(desk, client, shelf, query, expected):
    desk.sign_in(client, "sales")

    assert rows(client, **query) == [shelf[key] for key in expected]


def test_the_technician_filter_lists_one_technicians_tickets(desk, client, shelf):
    desk.sign_in(client, "sales")

    page = client.get("/repairs/").text

    assert rows(client, technician=desk.id_of("tech")) == [shelf["laptop"]]
    assert rows(client, technician=desk.id_of("other_tech")) == [shelf["phone"]]
    assert "Rico Tech" in page and "Lea Tech" in page


def test_the_date_range_counts_in_shop_days(desk, client):
    # 23:30 Manila on 14 June, then 00:30 Manila on 15 June (16:30 UTC the day before).
    clock.set_frozen(datetime(2026, 6, 14, 15, 30, tzinfo=UTC))
    before_midnight = desk.look(desk.ticket(serial_number="A-1"))["number"]
    clock.set_frozen(datetime(2026, 6, 14, 16, 30, tzinfo=UTC))
    after_midnight = desk.look(desk.ticket(serial_number="A-2"))["number"]
    clock.set_frozen(NOW)
    desk.sign_in(client, "sales")

    assert rows(client, date_from="2026-06-15") == [after_midnight]
    assert rows(client, date_to="2026-06-14") == [before_midnight]
    assert rows(client, date_from="2026-06-14", date_to="2026-06-14") == [
        before_midnight
    ]
    assert rows(client, date_from="2026-06-16") == []


def test_overdue_lists_work_past_its_promised_date(desk, client):
    clock.set_frozen(datetime(2026, 6, 1, 2, 0, tzinfo=UTC))
    late = desk.ticket(serial_number="L-1", promised_date=days_from_today(3))
    ready = desk.ticket(
        serial_number="R-1", promised_date=days_from_today(3), status=S.READY
    )
    clock.set_frozen(NOW)
    on_time = desk.ticket(serial_number="T-1", promised_date=days_from_today(1))
    desk.sign_in(client, "sales")

    overdue = rows(client, overdue="y")

    assert overdue == [desk.look(late)["number"]]
    assert {desk.look(t)["number"] for t in (ready, on_time)}.isdisjoint(overdue)


def test_the_list_pages_by_fifty_and_keeps_the_filters(app, desk, client):
    customer = desk.customer()
    with desk.session():
        admin = desk.user("admin")
        for n in range(52):
            create_ticket(
                IntakeData(
                    customer_id=customer,
                    device_type=DeviceType.PRINTER if n % 2 else DeviceType.LAPTOP,
                    problem="Jams.",
                    serial_number=f"S-{n:03d}",
                ),
                admin,
            )
    desk.sign_in(client, "sales")

    first = client.get("/repairs/").text
    second = client.get("/repairs/?page=2").text
    printers = client.get("/repairs/?device_type=PRINTER").text

    assert len(listed(first)) == 50 and len(listed(second)) == 2
    assert "52 in all · page 1 of 2" in first
    assert set(listed(first)).isdisjoint(listed(second))
    assert len(listed(printers)) == 26
    assert "page=2" not in printers
    with app.app_context():
        assert db.session.query(RepairTicket).count() == 52


def test_the_pager_links_carry_the_search(desk, client):
    customer = desk.customer("Maria Santos")
    with desk.session():
        admin = desk.user("admin")
        for n in range(51):
            create_ticket(
                IntakeData(
                    customer_id=customer,
                    device_type=DeviceType.LAPTOP,
                    problem="No power.",
                    serial_number=f"S-{n:03d}",
                ),
                admin,
            )
    desk.sign_in(client, "sales")

    page = client.get("/repairs/?q=maria&status=all").text

    assert "q=maria" in page and "page=2" in page


def test_an_empty_list_says_so_and_offers_a_new_ticket(desk, client):
    desk.sign_in(client, "sales")

    page = client.get("/repairs/").text

    assert "No tickets match." in text_of(page, "empty")
    assert 'href="/repairs/new"' in page


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-13-45"},
        {"date_to": "yesterday"},
        {"date_from": "9999-99-99", "date_to": "0000-00-00"},
        {"page": "abc"},
        {"page": "-5"},
        {"page": "0"},
        {"page": "9" * 30},
        {"technician": "xyz"},
        {"technician": "9" * 30},
        {"technician": "-1"},
        {"status": "BOGUS"},
        {"device_type": "SPACESHIP"},
        {"overdue": "maybe"},
        {"q": "x" * 5000},
        {"q": "' OR 1=1 --"},
        {"q": "<script>alert(1)</script>"},
    ],
)
def test_bad_filters_show_the_list_never_an_error(desk, client, shelf, query):
    desk.sign_in(client, "sales")

    response = client.get("/repairs/", query_string=query)

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert 'data-testid="tickets"' in response.text or "No tickets match." in (
        response.text
    )


def test_a_bad_date_is_marked_and_the_other_filters_still_apply(desk, client, shelf):
    desk.sign_in(client, "sales")

    response = client.get(
        "/repairs/", query_string={"date_from": "2026-13-45", "status": "READY"}
    )

    assert "Not a valid date value." in response.text
    assert listed(response.text) == [shelf["phone"]]


@pytest.mark.parametrize("page", ["abc", "-5", "0"])
def test_a_page_that_is_not_a_number_is_the_first_page(desk, client, shelf, page):
    desk.sign_in(client, "sales")

    assert rows(client, page=page) == [
        shelf["phone"],
        shelf["printer"],
        shelf["laptop"],
    ]


def test_a_page_past_the_end_is_empty(desk, client, shelf):
    desk.sign_in(client, "sales")

    response = client.get("/repairs/?page=9999")

    assert response.status_code == 200
    assert listed(response.text) == []
