"""The public status page: ticket number and the mobile's last 4 digits, or the QR
link; it shows the status, promised date and balance and leaks nothing else; one
message for every miss; rate limited; never cached, never sent as a referrer."""

from __future__ import annotations

import re
from datetime import date

import pytest

from jcicons.extensions import db
from jcicons.repairs.models import RepairStatus, RepairTicket
from jcicons.repairs.services import release_ticket, take_payment
from jcicons.repairs.status_views import NOT_FOUND
from repairs.repair_helpers import cash, walk_to

S = RepairStatus
PASSCODE = "2580-HIDDEN"
# What the page must never show of the ticket: who, how to reach them, the device.
PRIVATE = [
    "Maria Santos",
    "0917 555 0142",
    "555 0142",
    "+639175550142",
    "maria@example.com",
    "NXHF8SP00123",
    PASSCODE,
    "Acer",
    "Aspire",
    "Screen flickers",
    "Hinge cracked",
    "Blue sleeve",
    "Rico Tech",
]


@pytest.fixture
def ticket(admin, tech, make_customer, make_service, make_ticket) -> RepairTicket:
    """A laptop ready for pickup: ₱300 fee + ₱2,500 labour, ₱500 paid."""
    customer = make_customer(
        "Maria Santos", mobile="0917 555 0142", email="maria@example.com"
    )
    opened = make_ticket(
        customer_id=customer.id,
        brand="Acer",
        model="Aspire 5",
        serial_number="NXHF8SP00123",
        accessories_note="Blue sleeve",
        condition_notes="Hinge cracked.",
        passcode=PASSCODE,
        problem="Screen flickers.",
        service_type_ids=[make_service("Screen replacement", 2_500_00, 90).id],
        promised_date=date(2026, 6, 20),
        diagnostic_fee_centavos=300_00,
        deposit=cash(500_00),
        technician_id=tech.id,
    )
    walk_to(opened, S.READY, tech)
    db.session.commit()
    return opened


def look_up(client, number: str, digits: str):
    """Send the status form as a customer would."""
    return client.post_form("/status", {"number": number, "phone_last4": digits})


def shown(page: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', page)
    assert match, f"no {name} on the page"
    return match.group(1).strip()


def assert_private(response) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_status_form_opens_without_signing_in(client):
    response = client.get("/status")

    assert response.status_code == 200
    assert 'name="number"' in response.text and 'name="phone_last4"' in response.text
    assert 'name="csrf_token"' in response.text
    assert 'name="viewport" content="width=device-width' in response.text
    assert "navbar" not in response.text
    assert_private(response)


def test_the_number_and_last_digits_show_status_promised_date_and_balance(
    client, ticket
):
    response = look_up(client, ticket.number, "0142")

    page = response.text
    assert response.status_code == 200
    assert shown(page, "status-number") == ticket.number
    assert shown(page, "status-label") == "Ready for pickup"
    assert shown(page, "status-promised") == "2026-06-20"
    assert shown(page, "status-balance") == "₱2,300.00"
    assert "ready for pickup" in shown(page, "status-ready")
    assert_private(response)


def test_the_status_page_shows_nothing_else_of_the_ticket(client, ticket):
    pages = [
        look_up(client, ticket.number, "0142").text,
        client.get(f"/status/t/{ticket.status_token}").text,
    ]

    for page in pages:
        assert shown(page, "status-number") == ticket.number
        leaks = [text for text in PRIVATE if text in page]
        assert leaks == []
        assert ticket.passcode_encrypted not in page
        assert "Laptop" not in page and "Cash" not in page


def test_the_number_is_found_in_lower_case_and_with_spaces(client, ticket):
    page = look_up(client, f"  {ticket.number.lower()} ", " 0142 ").text

    assert shown(page, "status-number") == ticket.number


def test_a_wrong_number_and_wrong_digits_get_the_same_message(client, ticket):
    wrong_digits = look_up(client, ticket.number, "9999")
    wrong_number = look_up(client, "RT-2026-99999", "0142")
    neither = look_up(client, "RT-2020-00001", "1111")

    answers = [wrong_digits, wrong_number, neither]
    assert {r.status_code for r in answers} == {200}
    assert {shown(r.text, "status-not-found") for r in answers} == {NOT_FOUND}
    for response in answers:
        assert 'data-testid="status-result"' not in response.text
        assert ticket.number not in response.text.replace(
            f'value="{ticket.number}"', ""
        )


def test_digits_that_are_not_four_are_asked_again_without_a_look_up(client, ticket):
    response = look_up(client, ticket.number, "142")

    assert response.status_code == 200
    assert "Enter exactly 4 digits." in response.text
    assert 'data-testid="status-result"' not in response.text
    assert 'data-testid="status-not-found"' not in response.text


def test_the_qr_link_shows_the_status_without_asking(client, ticket):
    response = client.get(f"/status/t/{ticket.status_token}")

    page = response.text
    assert response.status_code == 200
    assert shown(page, "status-label") == "Ready for pickup"
    assert shown(page, "status-balance") == "₱2,300.00"
    assert 'data-testid="status-form"' not in page
    assert_private(response)
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_an_unknown_token_gets_the_same_not_found_message(client, ticket):
    token = ticket.status_token
    wrong = token[:-1] + ("y" if token.endswith("x") else "x")  # never the real one
    response = client.get(f"/status/t/{wrong}")

    assert response.status_code == 200
    assert shown(response.text, "status-not-found") == NOT_FOUND
    assert 'data-testid="status-result"' not in response.text
    assert_private(response)


def test_a_released_ticket_shows_released_and_no_pickup_line(client, ticket, sales):
    take_payment(ticket, cash(2_300_00), sales)
    release_ticket(ticket, "Maria Santos", "", sales)
    db.session.commit()

    page = client.get(f"/status/t/{ticket.status_token}").text

    assert shown(page, "status-label") == "Released"
    assert shown(page, "status-balance") == "₱0.00"
    assert 'data-testid="status-ready"' not in page


def test_an_open_ticket_without_a_promised_date_says_so(client, make_ticket, admin):
    opened = make_ticket(diagnostic_fee_centavos=250_00)
    db.session.commit()

    page = client.get(f"/status/t/{opened.status_token}").text

    assert shown(page, "status-label") == "Received"
    assert shown(page, "status-promised") == "Not set yet"
    assert shown(page, "status-balance") == "₱250.00"


def test_the_eleventh_look_up_in_a_minute_gets_the_429_page(client, ticket):
    answers = [look_up(client, ticket.number, "9999") for _ in range(10)]
    refused = look_up(client, ticket.number, "0142")

    assert {r.status_code for r in answers} == {200}
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text
    assert ticket.number not in refused.text
    assert_private(refused)


def test_look_ups_and_qr_link_hits_share_one_budget(client, ticket):
    link = f"/status/t/{ticket.status_token}"
    answers = [client.get(link) for _ in range(5)]
    answers += [look_up(client, ticket.number, "0142") for _ in range(5)]

    assert {r.status_code for r in answers} == {200}
    assert client.get(link).status_code == 429
    assert look_up(client, ticket.number, "0142").status_code == 429


def test_misses_on_one_number_from_many_addresses_lock_that_number(
    client, ticket, make_ticket, admin
):
    other = make_ticket()
    db.session.commit()

    def from_address(n: int, number: str, digits: str):
        return client.post_form(
            "/status",
            {"number": number, "phone_last4": digits},
            environ_overrides={"REMOTE_ADDR": f"203.0.113.{n}"},
        )

    # Spellings the look-up matches all count against the one number.
    spellings = [ticket.number, ticket.number.lower(), f" {ticket.number}\x01"]
    misses = [from_address(n, spellings[n % 3], f"{n:04d}") for n in range(1, 11)]
    locked = from_address(50, ticket.number, "0142")
    elsewhere = from_address(51, other.number, "9999")

    assert {r.status_code for r in misses} == {200}
    assert all(NOT_FOUND in r.text for r in misses)
    assert locked.status_code == 429  # even the right digits wait now
    assert "0142" not in locked.text
    assert elsewhere.status_code == 200  # other tickets are not locked


def test_finding_a_ticket_spends_nothing_of_its_miss_budget(client, ticket):
    for n in range(1, 16):
        found = client.post_form(
            "/status",
            {"number": ticket.number, "phone_last4": "0142"},
            environ_overrides={"REMOTE_ADDR": f"198.51.100.{n}"},
        )
        assert shown(found.text, "status-number") == ticket.number


def test_after_a_merge_the_kept_customers_number_finds_the_ticket(
    client, admin, make_customer, make_ticket
):
    from jcicons.customers.services import merge_customers

    duplicate = make_customer("Ana Cruz", mobile="0917 111 2222")
    kept = make_customer("Ana Cruz", mobile="0918 333 4444")
    old_ticket = make_ticket(customer_id=duplicate.id)
    merge_customers(kept, duplicate, admin)
    db.session.commit()

    assert shown(look_up(client, old_ticket.number, "4444").text, "status-number")
    assert shown(look_up(client, old_ticket.number, "2222").text, "status-number")
    assert NOT_FOUND in look_up(client, old_ticket.number, "9999").text


def test_opening_the_form_costs_no_look_up(client, ticket):
    for _ in range(15):
        assert client.get("/status").status_code == 200

    assert look_up(client, ticket.number, "0142").status_code == 200


def test_the_look_up_form_needs_its_csrf_token(client, ticket):
    response = client.post(
        "/status", data={"number": ticket.number, "phone_last4": "0142"}
    )

    assert response.status_code == 400
    assert ticket.number not in response.text
