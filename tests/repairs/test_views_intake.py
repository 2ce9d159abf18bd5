"""Intake through the form: the customer by mobile number, the duplicate-serial
guard, validation that loses nothing typed, the deposit and the ticket number."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from jcicons import clock
from jcicons.customers.models import Customer
from jcicons.extensions import db
from jcicons.forms import new_form_key
from jcicons.repairs.models import RepairTicket
from jcicons.security.crypto import decrypt_text
from repairs.desk import PASSCODE, Desk, days_from_today, text_of


@pytest.fixture
def desk(app, make_user) -> Desk:
    return Desk(app, make_user)


def intake(**fields: str | list[str]) -> dict[str, str | list[str]]:
    """Return the intake form of a laptop for a new customer, with changes."""
    form: dict[str, str | list[str]] = {
        "mobile": "0917 555 0199",
        "name": "Liza Manalo",
        "device_type": "LAPTOP",
        "brand": "Lenovo",
        "model": "IdeaPad 3",
        "serial_number": "PF2XK9AB",
        "problem": "Stuck on the logo after a Windows update.",
        "priority": "NORMAL",
        "technician_id": "",
        "deposit_method": "CASH",
        "idempotency_key": new_form_key(),  # each call is a fresh filling-in
    }
    form.update(fields)
    return {key: value for key, value in form.items() if value is not None}


def tickets(app) -> list[dict[str, object]]:
    """Return what was stored of every ticket, oldest first."""
    with app.app_context():
        rows = db.session.scalars(select(RepairTicket).order_by(RepairTicket.id))
        return [
            {
                "number": t.number,
                "customer": t.customer.name,
                "device": t.device_label,
                "serial": t.serial_number,
                "technician_id": t.technician_id,
                "passcode": decrypt_text(t.passcode_encrypted)
                if t.passcode_encrypted
                else None,
                "condition": t.condition,
                "accessories": t.accessories,
                "services": [(s.name, s.price_centavos) for s in t.services],
            }
            for t in rows
        ]


def customers(app) -> list[tuple[str, list[str]]]:
    """Return (name, numbers) of every customer, oldest first."""
    with app.app_context():
        rows = db.session.scalars(select(Customer).order_by(Customer.id))
        return [(c.name, [p.number for p in c.phones]) for c in rows]


# The customer -------------------------------------------------------------------------


def test_a_new_mobile_number_adds_the_customer_and_opens_the_ticket(app, desk, client):
    desk.sign_in(client, "sales")

    response = client.post_form("/repairs/new", intake())

    assert response.status_code == 302
    (ticket,) = tickets(app)
    assert ticket["customer"] == "Liza Manalo"
    assert customers(app) == [("Liza Manalo", ["+639175550199"])]
    page = client.get(response.headers["Location"]).text
    assert f"Ticket {ticket['number']} is open. Print the intake form." in page
    assert text_of(page, "ticket-status") == "Received"


@pytest.mark.parametrize("typed", ["+63 917 555 0142", "09175550142", "917-555-0142"])
def test_a_known_mobile_number_finds_the_customer_in_any_format(
    app, desk, client, typed
):
    desk.customer("Maria Santos", "0917 555 0142")
    desk.sign_in(client, "sales")

    response = client.post_form(
        "/repairs/new", intake(mobile=typed, name="Someone Else")
    )

    assert response.status_code == 302
    assert [t["customer"] for t in tickets(app)] == ["Maria Santos"]
    assert customers(app) == [("Maria Santos", ["+639175550142"])]


def test_a_customer_picked_beforehand_is_written_on_the_ticket(app, desk, client):
    customer = desk.customer("Maria Santos", "0917 555 0142")
    desk.sign_in(client, "sales")

    form = client.get(f"/repairs/new?customer_id={customer}").text
    response = client.post_form(
        f"/repairs/new?customer_id={customer}",
        intake(mobile="", name="", customer_id=str(customer)),
    )

    assert text_of(form, "chosen-customer").startswith("For Maria Santos")
    assert response.status_code == 302
    assert [t["customer"] for t in tickets(app)] == ["Maria Santos"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"mobile": "", "name": ""}, "Enter the customer&#39;s mobile number."),
        ({"mobile": "12345"}, "mobile"),
        ({"name": ""}, "name"),
    ],
)
def test_a_missing_or_bad_customer_saves_nothing(app, desk, client, fields, message):
    desk.sign_in(client, "sales")

    response = client.post_form("/repairs/new", intake(**fields))

    assert response.status_code == 422
    assert "Nothing was saved yet" in response.text
    assert message in response.text
    assert tickets(app) == [] and customers(app) == []


def test_a_tech_writes_a_ticket_into_the_queue_or_for_themselves(app, desk, client):
    desk.sign_in(client, "tech")

    queued = client.post_form("/repairs/new", intake())
    mine = client.post_form(
        "/repairs/new",
        intake(serial_number="OTHER-1", technician_id=str(desk.id_of("tech"))),
    )

    assert (queued.status_code, mine.status_code) == (302, 302)
    assert [t["technician_id"] for t in tickets(app)] == [None, desk.id_of("tech")]


def test_a_tech_cannot_hand_a_new_ticket_to_another_tech(app, desk, client):
    desk.sign_in(client, "tech")

    page = client.get("/repairs/new").text
    response = client.post_form(
        "/repairs/new", intake(technician_id=str(desk.id_of("other_tech")))
    )

    assert "Lea Tech" not in page
    assert response.status_code == 422
    assert tickets(app) == []


def test_the_counter_assigns_a_technician_at_intake(app, desk, client):
    desk.sign_in(client, "sales")

    response = client.post_form(
        "/repairs/new", intake(technician_id=str(desk.id_of("other_tech")))
    )

    assert response.status_code == 302
    assert [t["technician_id"] for t in tickets(app)] == [desk.id_of("other_tech")]


# The duplicate serial -----------------------------------------------------------------


def test_a_serial_on_an_open_ticket_is_flagged_then_confirmed(app, desk, client):
    existing = desk.full_ticket()
    number = desk.look(existing)["number"]
    desk.sign_in(client, "sales")
    form = intake(serial_number=" nxhf8sp00123 ", passcode=PASSCODE)

    flagged = client.post_form("/repairs/new", form)
    confirmed = client.post_form("/repairs/new", {**form, "confirm_duplicate": "y"})

    assert flagged.status_code == 422
    warning = text_of(flagged.text, "duplicate-serial")
    assert number in warning and "Received" in warning
    assert f'href="/repairs/{existing}"' in flagged.text
    assert 'name="confirm_duplicate"' in flagged.text
    assert confirmed.status_code == 302
    second = tickets(app)[1]
    assert second["serial"] == "NXHF8SP00123"
    assert second["passcode"] == PASSCODE


def test_the_flagged_form_keeps_what_was_typed(app, desk, client):
    desk.full_ticket()
    desk.sign_in(client, "sales")

    flagged = client.post_form(
        "/repairs/new", intake(serial_number="NXHF8SP00123", passcode=PASSCODE)
    )

    assert 'value="Liza Manalo"' in flagged.text
    assert 'value="0917 555 0199"' in flagged.text
    assert f'value="{PASSCODE}"' in flagged.text
    assert len(tickets(app)) == 1 and len(customers(app)) == 1


def test_a_tech_is_told_of_a_duplicate_on_another_techs_ticket_not_shown_it(
    app, desk, client
):
    theirs = desk.full_ticket(technician_id=desk.id_of("other_tech"))
    number = desk.look(theirs)["number"]
    desk.sign_in(client, "tech")
    form = intake(serial_number="NXHF8SP00123")

    flagged = client.post_form("/repairs/new", form)
    confirmed = client.post_form("/repairs/new", {**form, "confirm_duplicate": "y"})

    assert flagged.status_code == 422
    warning = text_of(flagged.text, "duplicate-serial")
    assert "1 of another technician" in warning
    assert number not in flagged.text
    assert f'href="/repairs/{theirs}"' not in flagged.text
    assert confirmed.status_code == 302
    assert len(tickets(app)) == 2


def test_a_serial_of_a_released_ticket_is_no_duplicate(app, desk, client):
    from jcicons.repairs.models import RepairStatus
    from jcicons.repairs.services import release_ticket
    from repairs.repair_helpers import cash

    old = desk.full_ticket(deposit=cash(300_00), status=RepairStatus.READY)
    desk.run(release_ticket, old, "Maria Santos", "")
    desk.sign_in(client, "sales")

    response = client.post_form("/repairs/new", intake(serial_number="NXHF8SP00123"))

    assert response.status_code == 302
    assert len(tickets(app)) == 2


# Validation keeps everything typed ----------------------------------------------------


def test_a_refused_intake_keeps_every_field_as_typed(app, desk, client):
    service = desk.service("Screen replacement", 2_500_00, 90)
    desk.sign_in(client, "sales")
    typed = intake(
        problem="",
        accessories=["Charger or adapter", "Bag or case"],
        accessories_note="Blue sleeve",
        cond_powers_on="no",
        cond_water_damage="yes",
        condition_notes="Hinge cracked on the left.",
        services=[str(service)],
        priority="RUSH",
        promised_date=days_from_today(3).isoformat(),
        diagnostic_fee="300.00",
        deposit="500.00",
        deposit_method="GCASH",
        deposit_reference="GC-7788",
        technician_id=str(desk.id_of("tech")),
        passcode=PASSCODE,
    )

    response = client.post_form("/repairs/new", typed)

    page = response.text
    assert response.status_code == 422
    assert "Describe the problem." in page
    for value in (
        "0917 555 0199",
        "Liza Manalo",
        "Lenovo",
        "IdeaPad 3",
        "PF2XK9AB",
        "Blue sleeve",
        days_from_today(3).isoformat(),
        "300.00",
        "500.00",
        "GC-7788",
        PASSCODE,
    ):
        assert f'value="{value}"' in page, value
    assert "Hinge cracked on the left." in page
    for name in ("Charger or adapter", "Bag or case"):
        assert re.search(
            rf'checked[^>]*value="{name}"|value="{name}"[^>]*checked', page
        )
    assert re.search(
        rf'checked[^>]*value="{service}"|value="{service}"[^>]*checked', page
    )
    assert re.search(
        r'<option selected value="RUSH">|<option value="RUSH" selected', page
    )
    assert re.search(
        r'<option selected value="GCASH">|<option value="GCASH" selected', page
    )
    tech = desk.id_of("tech")
    assert re.search(
        rf'<option selected value="{tech}">|<option value="{tech}" selected', page
    )
    cond = re.search(r'<select[^>]*name="cond_powers_on".*?</select>', page, re.S)
    assert cond and '<option value="no" selected>' in cond.group(0)
    assert tickets(app) == [] and customers(app) == []


def test_a_device_named_other_needs_its_name(app, desk, client):
    desk.sign_in(client, "sales")

    refused = client.post_form("/repairs/new", intake(device_type="OTHER"))
    named = client.post_form(
        "/repairs/new",
        intake(device_type="OTHER", device_name="Drone", brand="DJI", model="Mini 2"),
    )

    assert refused.status_code == 422
    assert "Name the device (for &#39;Other&#39;)." in refused.text
    assert named.status_code == 302
    assert [t["device"] for t in tickets(app)] == ["Drone DJI Mini 2"]


def test_intake_keeps_the_condition_checks_and_accessories(app, desk, client):
    desk.sign_in(client, "sales")

    client.post_form(
        "/repairs/new",
        intake(
            accessories=["Charger or adapter"],
            cond_powers_on="no",
            cond_screen_ok="maybe",
            cond_unknown="yes",
        ),
    )

    (ticket,) = tickets(app)
    assert ticket["condition"] == {"powers_on": "no"}
    assert ticket["accessories"] == ["Charger or adapter"]


def test_a_promised_date_in_the_past_is_refused(app, desk, client):
    desk.sign_in(client, "sales")

    response = client.post_form(
        "/repairs/new", intake(promised_date=days_from_today(-1).isoformat())
    )

    assert response.status_code == 422
    assert "The promised date cannot be in the past." in response.text
    assert tickets(app) == []


def test_chosen_services_go_on_the_ticket_at_the_catalogue_price(app, desk, client):
    screen = desk.service("Screen replacement", 2_500_00, 90)
    clean = desk.service("Cleaning", 500_00, 0)
    desk.sign_in(client, "sales")

    client.post_form("/repairs/new", intake(services=[str(screen), str(clean)]))

    assert tickets(app)[0]["services"] == [
        ("Screen replacement", 2_500_00),
        ("Cleaning", 500_00),
    ]


# The deposit --------------------------------------------------------------------------


def test_a_deposit_is_a_payment_in_the_ledger(app, desk, client):
    desk.sign_in(client, "sales")

    response = client.post_form(
        "/repairs/new",
        intake(deposit="500", deposit_method="GCASH", deposit_reference="GC-1234"),
    )

    (ticket,) = desk.ticket_ids()
    assert response.status_code == 302
    assert desk.ledger(ticket) == [(500_00, "GCASH")]
    page = client.get(f"/repairs/{ticket}").text
    assert text_of(page, "paid") == "₱500.00"
    assert "Deposit at intake" in page


def test_a_deposit_by_gcash_without_reference_saves_nothing(app, desk, client):
    desk.sign_in(client, "sales")

    response = client.post_form(
        "/repairs/new", intake(deposit="500", deposit_method="GCASH")
    )

    assert response.status_code == 422
    assert "Enter the reference number of the GCash payment." in response.text
    assert tickets(app) == [] and customers(app) == []


def test_a_tech_records_no_deposit(app, desk, client):
    desk.sign_in(client, "tech")

    page = client.get("/repairs/new").text
    response = client.post_form("/repairs/new", intake(deposit="500"))

    assert 'name="deposit"' not in page
    assert response.status_code == 302
    (ticket,) = desk.ticket_ids()
    assert desk.ledger(ticket) == []


def test_the_same_intake_form_sent_twice_opens_one_ticket(app, desk, client):
    desk.sign_in(client, "sales")
    page = client.get("/repairs/new").text
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page)
    assert key, "the intake form carries no key"
    form = intake(deposit="500", idempotency_key=key.group(1))

    first = client.post_form("/repairs/new", form)
    again = client.post_form("/repairs/new", form)

    (ticket,) = tickets(app)
    assert customers(app) == [("Liza Manalo", ["+639175550199"])]
    assert first.headers["Location"] == again.headers["Location"]
    (ticket_id,) = desk.ticket_ids()
    assert desk.ledger(ticket_id) == [(500_00, "CASH")]
    shown = client.get(again.headers["Location"]).text
    assert f"Ticket {ticket['number']} is open already." in shown


def test_an_intake_without_its_key_is_refused_and_loses_nothing_typed(
    app, desk, client
):
    desk.sign_in(client, "sales")

    response = client.post_form("/repairs/new", intake(idempotency_key=""))

    assert response.status_code == 422
    assert "This form is out of date: check it and send it again." in response.text
    assert "Stuck on the logo after a Windows update.</textarea>" in response.text
    assert tickets(app) == []


# Ticket numbers -----------------------------------------------------------------------


def test_ticket_numbers_count_up_from_rt_year_00001(app, desk, client):
    desk.sign_in(client, "sales")

    for serial in ("A-1", "A-2", "A-3"):
        client.post_form("/repairs/new", intake(serial_number=serial))

    assert [t["number"] for t in tickets(app)] == [
        "RT-2026-00001",
        "RT-2026-00002",
        "RT-2026-00003",
    ]


def test_the_year_of_the_number_is_the_shops_new_year_not_utcs(app, desk, client):
    desk.sign_in(client, "sales")
    client.post_form("/repairs/new", intake(serial_number="A-1"))

    # 00:30 on 1 January 2027 in Manila is still 2026 in UTC.
    clock.set_frozen(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    desk.sign_in(client, "sales")  # the first session has long expired
    client.post_form("/repairs/new", intake(serial_number="A-2"))
    client.post_form("/repairs/new", intake(serial_number="A-3"))

    assert [t["number"] for t in tickets(app)] == [
        "RT-2026-00001",
        "RT-2027-00001",
        "RT-2027-00002",
    ]


# Hostile input ------------------------------------------------------------------------

HUGE = "9" * 30


@pytest.mark.parametrize(
    "fields",
    [
        {"customer_id": HUGE},
        {"customer_id": "abc"},
        {"technician_id": HUGE},
        {"technician_id": "abc"},
        {"department_id": HUGE},
        {"services": [HUGE]},
        {"services": ["abc"]},
        {"services": ["-1"]},
        {"device_type": "SPACESHIP"},
        {"priority": "ASAP"},
        {"promised_date": "2026-13-45"},
        {"diagnostic_fee": HUGE},
        {"diagnostic_fee": "-300"},
        {"diagnostic_fee": "abc"},
        {"deposit": "500", "deposit_method": "BITCOIN"},
        {"deposit": "-500"},
        {"problem": "x" * 5000},
        {"brand": "x" * 500},
        {"passcode": "x" * 500},
        {"mobile": "0" * 200},
        {"name": "n" * 500},
        {"device_type": ""},
    ],
)
def test_bad_intake_input_is_refused_with_a_page_not_an_error(
    app, desk, client, fields
):
    desk.sign_in(client, "sales")

    response = client.post_form("/repairs/new", intake(**fields))

    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 422:
        assert "Nothing was saved yet" in response.text
        assert tickets(app) == []


@pytest.mark.parametrize("preset", [HUGE, "abc", "-1", "0"])
def test_a_bad_customer_in_the_address_opens_a_blank_form(desk, client, preset):
    desk.sign_in(client, "sales")

    response = client.get(f"/repairs/new?customer_id={preset}")

    assert response.status_code == 200
    assert 'name="mobile"' in response.text


def test_a_tech_at_intake_finds_the_customer_by_mobile_without_seeing_them(
    app, desk, client
):
    desk.customer("Maria Santos", "0917 555 0142", email="maria@example.com")
    desk.sign_in(client, "tech")

    response = client.post_form("/repairs/new", intake(mobile="0917 555 0142"))
    page = client.get(response.headers["Location"]).text

    assert [t["customer"] for t in tickets(app)] == ["Maria Santos"]
    assert "Maria Santos" in page
    assert "0917 555 0142" not in page and "maria@example.com" not in page
