"""Working a ticket through its page: statuses, labour and parts from stock, the
estimate, payments, discount, waiver and refund, release, reopening and comebacks;
and bad or hostile input, which gets a message and never a server error."""

from __future__ import annotations

import re

import pytest

from jcicons.repairs import services
from jcicons.repairs.models import RepairStatus
from repairs.desk import PASSCODE, Desk, text_of
from repairs.repair_helpers import cash

S = RepairStatus


@pytest.fixture
def desk(app, make_user) -> Desk:
    return Desk(app, make_user)


def flashed(client, response) -> str:
    """Follow a redirect and return the page it leads to."""
    assert response.status_code == 302, response.text[:2000]
    return client.get(response.headers["Location"]).text


def figures(page: str) -> dict[str, str]:
    """Return the charges, paid and balance figures of a ticket page."""
    return {name: text_of(page, name) for name in ("charges", "paid", "balance")}


# Statuses -----------------------------------------------------------------------------


def test_the_status_form_offers_only_the_moves_the_workflow_allows(desk, client):
    ticket = desk.full_ticket()
    desk.sign_in(client, "tech")

    page = client.get(f"/repairs/{ticket}").text

    form = re.search(r'data-testid="status-form".*?</form>', page, re.S)
    assert form is not None
    offered = re.findall(r'<option[^>]*value="([A-Z_]+)"', form.group(0))
    assert offered == ["DIAGNOSING", "CANCELLED", "UNREPAIRABLE", "PULLED_OUT"]


def test_a_tech_moves_their_ticket_along_with_a_note(desk, client):
    ticket = desk.full_ticket()
    desk.sign_in(client, "tech")

    response = client.post_form(
        f"/repairs/{ticket}/status",
        {"status-status": "DIAGNOSING", "status-note": "Opened it up."},
    )

    page = flashed(client, response)
    assert "RT-2026-00001 is now Diagnosing." in page
    assert text_of(page, "ticket-status") == "Diagnosing"
    timeline = text_of(page, "timeline")
    assert "Diagnosing from Received" in timeline and "Opened it up." in timeline


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        (
            S.RECEIVED,
            "READY",
            "A ticket that is Received cannot go to Ready for pickup.",
        ),
        (S.READY, "DIAGNOSING", "A ticket that is Ready for pickup cannot go to"),
        (
            S.CANCELLED,
            "IN_REPAIR",
            "A ticket that is Cancelled cannot go to In repair.",
        ),
        (
            S.WAITING_APPROVAL,
            "IN_REPAIR",
            "Record the customer&#39;s approval of the estimate",
        ),
        (S.RECEIVED, "RELEASED", "A ticket that is Received cannot go to Released."),
    ],
)
def test_a_move_off_the_workflow_is_refused_with_the_reason(
    desk, client, start, target, message
):
    ticket = desk.full_ticket(status=start)
    desk.sign_in(client, "admin")

    response = client.post_form(f"/repairs/{ticket}/status", {"status-status": target})

    assert response.status_code == 422
    assert message in response.text
    assert desk.look(ticket)["status"] == start.value


@pytest.mark.parametrize("target", ["", "FIXED", "received", "x" * 500])
def test_an_unknown_status_asks_again(desk, client, target):
    ticket = desk.full_ticket()
    desk.sign_in(client, "admin")

    response = client.post_form(f"/repairs/{ticket}/status", {"status-status": target})

    assert response.status_code == 422
    assert "Choose the new status." in response.text
    assert desk.look(ticket)["status"] == "RECEIVED"


def test_an_approved_estimate_lets_the_repair_go_on(desk, client):
    ticket = desk.full_ticket(status=S.WAITING_APPROVAL)
    desk.sign_in(client, "sales")
    answer = client.post_form(
        f"/repairs/{ticket}/estimate",
        {"estimate-decision": "APPROVED", "estimate-note": "By phone."},
    )
    tech = desk.client("tech")

    moved = tech.post_form(f"/repairs/{ticket}/status", {"status-status": "IN_REPAIR"})

    page = flashed(client, answer)
    assert "The customer&#39;s answer is recorded." in page
    assert text_of(page, "estimate") == "approved"
    assert moved.status_code == 302
    assert desk.look(ticket)["status"] == "IN_REPAIR"


@pytest.mark.parametrize("decision", ["PENDING", "MAYBE", ""])
def test_an_estimate_answer_is_approved_or_declined(desk, client, decision):
    ticket = desk.full_ticket(status=S.WAITING_APPROVAL)
    desk.sign_in(client, "sales")

    response = client.post_form(
        f"/repairs/{ticket}/estimate", {"estimate-decision": decision}
    )

    assert response.status_code == 422
    assert desk.look(ticket)["estimate"] == "PENDING"


def test_the_diagnosis_is_saved_and_shown(desk, client):
    ticket = desk.full_ticket()
    desk.sign_in(client, "tech")

    response = client.post_form(
        f"/repairs/{ticket}/diagnosis", {"diag-diagnosis": "  Failed SSD.  "}
    )

    assert "Diagnosis saved." in flashed(client, response)
    assert desk.look(ticket)["diagnosis"] == "Failed SSD."


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Write the note first."), ("   ", "Write the note first."), ("x" * 2001, "")],
)
def test_an_empty_or_overlong_note_is_refused(desk, client, text, message):
    ticket = desk.full_ticket()
    desk.sign_in(client, "tech")

    response = client.post_form(f"/repairs/{ticket}/notes", {"note-note": text})

    assert response.status_code == 422
    assert message in response.text
    assert desk.look(ticket)["notes"] == []


def test_a_note_goes_on_the_timeline_escaped(desk, client):
    ticket = desk.full_ticket()
    desk.sign_in(client, "tech")

    response = client.post_form(
        f"/repairs/{ticket}/notes", {"note-note": "<script>alert(1)</script> fan ok"}
    )

    page = flashed(client, response)
    assert "Note added." in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; fan ok" in page


def test_the_timeline_names_the_technician_assigned_at_intake(desk, client):
    ticket = desk.full_ticket()
    desk.sign_in(client, "sales")

    timeline = text_of(client.get(f"/repairs/{ticket}").text, "timeline")

    assert "Assigned to Rico Tech." in timeline
    assert "Deposit at intake: ₱500.00 by Cash." in timeline


# Technicians --------------------------------------------------------------------------


def test_the_counter_reassigns_and_unassigns_a_ticket(desk, client):
    ticket = desk.full_ticket()
    desk.sign_in(client, "sales")

    moved = client.post_form(
        f"/repairs/{ticket}/assign",
        {"assign-technician_id": str(desk.id_of("other_tech"))},
    )
    page = flashed(client, moved)
    assigned = desk.look(ticket)["technician_id"]
    queued = client.post_form(f"/repairs/{ticket}/assign", {"assign-technician_id": ""})

    assert "Technician updated." in page
    assert text_of(page, "technician") == "Lea Tech"
    assert assigned == desk.id_of("other_tech")
    assert queued.status_code == 302
    assert desk.look(ticket)["technician_id"] is None


@pytest.mark.parametrize("choice", ["sales", "nobody", "huge", "word", "negative"])
def test_a_ticket_is_assigned_only_to_an_active_technician(desk, client, choice):
    ticket = desk.full_ticket()
    desk.sign_in(client, "admin")
    value = {
        "sales": str(desk.id_of("sales")),
        "nobody": str(desk.id_of("other_tech") + 1),  # the newest user is Lea
        "huge": "9" * 30,
        "word": "xyz",
        "negative": "-3",
    }[choice]

    response = client.post_form(
        f"/repairs/{ticket}/assign", {"assign-technician_id": value}
    )

    assert response.status_code == 422
    assert "Choose" in response.text
    assert desk.look(ticket)["technician_id"] == desk.id_of("tech")


# Labour and parts ---------------------------------------------------------------------


def test_labour_is_added_at_the_catalogue_price_or_the_one_typed(desk, client):
    screen = desk.service("Screen replacement", 2_500_00, 90)
    ticket = desk.full_ticket()
    desk.sign_in(client, "admin")

    client.post_form(f"/repairs/{ticket}/services", {"service-service_type_id": screen})
    response = client.post_form(
        f"/repairs/{ticket}/services",
        {"service-service_type_id": screen, "service-price": "2,000"},
    )

    page = flashed(client, response)
    assert "Labour added." in page
    assert desk.look(ticket)["services"] == [
        ("Screen replacement", 2_500_00, False),
        ("Screen replacement", 2_000_00, False),
    ]
    assert text_of(page, "charges") == "₱4,800.00"


def test_removed_labour_stays_on_record_struck_out(desk, client):
    ticket = desk.full_ticket(service_type_ids=[desk.service()])
    (line,), _ = desk.lines(ticket)
    desk.sign_in(client, "tech")

    response = client.post_form(f"/repairs/{ticket}/services/{line}/remove")
    page = flashed(client, response)
    again = client.post_form(f"/repairs/{ticket}/services/{line}/remove")

    assert "Screen replacement removed." in page
    assert "text-decoration-line-through" in page
    assert desk.look(ticket)["services"] == [("Screen replacement", 2_500_00, True)]
    assert again.status_code == 422
    assert "That labour line was removed already." in again.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"service-service_type_id": ""}, "Choose a service."),
        ({"service-service_type_id": "abc"}, "Choose a service."),
        ({"service-service_type_id": "9" * 30}, "Choose a service."),
        (
            {"service-service_type_id": "missing"},
            "One of the services is no longer offered.",
        ),
        ({"service-price": "-100"}, "The amount cannot be negative."),
        ({"service-price": "9" * 30}, "That amount is too large."),
        ({"service-price": "ten"}, "Enter an amount in pesos"),
    ],
)
def test_bad_labour_is_refused(desk, client, data, message):
    screen = desk.service()
    ticket = desk.full_ticket()
    desk.sign_in(client, "admin")
    if data.get("service-service_type_id") == "missing":
        data = {"service-service_type_id": str(screen + 1)}

    response = client.post_form(
        f"/repairs/{ticket}/services", {"service-service_type_id": screen, **data}
    )

    assert response.status_code == 422
    assert message in response.text
    assert desk.look(ticket)["services"] == []


def test_a_part_from_stock_lowers_the_shelf_and_removing_it_returns_it(desk, client):
    ram = desk.part("RAM 8GB DDR4", 1_800_00, on_hand=3, cost=1_200_00, sku="RAM-8G")
    ticket = desk.full_ticket()
    desk.sign_in(client, "tech")

    added = client.post_form(
        f"/repairs/{ticket}/parts",
        {"part-product_code": "ram-8g", "part-quantity": "2"},
    )
    after_adding = desk.on_hand(ram)
    page = flashed(client, added)
    _, (part,) = desk.lines(ticket)
    removed = client.post_form(f"/repairs/{ticket}/parts/{part}/remove")
    returned = flashed(client, removed)
    again = client.post_form(f"/repairs/{ticket}/parts/{part}/remove")

    assert after_adding == 1
    assert "RAM 8GB DDR4 added from stock." in page
    assert "RAM 8GB DDR4 is back in stock." in returned
    assert desk.look(ticket)["parts"] == [("RAM 8GB DDR4", 2, True)]
    assert again.status_code == 422
    assert "That part was removed already." in text_of(again.text, "refusal")
    assert desk.on_hand(ram) == 3


def test_the_parts_charge_shows_to_those_who_see_money(desk, client):
    desk.part("RAM 8GB DDR4", 1_800_00, on_hand=3, sku="RAM-8G")
    ticket = desk.full_ticket()
    desk.sign_in(client, "admin")

    response = client.post_form(
        f"/repairs/{ticket}/parts",
        {"part-product_code": "RAM-8G", "part-quantity": "2"},
    )

    page = flashed(client, response)
    assert text_of(page, "charges") == "₱3,900.00"
    assert text_of(page, "balance") == "₱3,400.00"


def test_a_serialized_part_takes_the_unit_named_and_gives_it_back(desk, client):
    desk.part(
        "Samsung 870 EVO 500GB",
        3_200_00,
        serials=["S5H7NS0N1", "S5H7NS0N2"],
        sku="SSD-500",
        is_serialized=True,
    )
    ticket = desk.full_ticket()
    desk.sign_in(client, "tech")

    wrong = client.post_form(
        f"/repairs/{ticket}/parts",
        {"part-product_code": "SSD-500", "part-quantity": "1", "part-serial": "NOPE"},
    )
    right = client.post_form(
        f"/repairs/{ticket}/parts",
        {
            "part-product_code": "SSD-500",
            "part-quantity": "1",
            "part-serial": "s5h7ns0n2",
        },
    )
    in_repair = desk.serial_status("S5H7NS0N2")
    _, (part,) = desk.lines(ticket)
    client.post_form(f"/repairs/{ticket}/parts/{part}/remove")

    assert wrong.status_code == 422
    assert "NOPE is not an in-stock unit of Samsung 870 EVO 500GB." in wrong.text
    assert right.status_code == 302
    assert in_repair == "IN_REPAIR"
    assert desk.serial_status("S5H7NS0N2") == "IN_STOCK"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"part-quantity": "5"}, "Only 3"),
        ({"part-quantity": "0"}, "Number must be between 1 and 999."),
        ({"part-quantity": "-2"}, "Number must be between 1 and 999."),
        ({"part-quantity": "9" * 30}, "Number must be between 1 and 999."),
        ({"part-quantity": "two"}, "Not a valid integer value."),
        ({"part-quantity": ""}, "Enter a quantity."),
        ({"part-product_code": "NOPE"}, "No active product has that SKU or barcode."),
        ({"part-product_code": "", "part-product_id": "abc"}, "No active product"),
        ({"part-product_code": "", "part-product_id": "9" * 30}, "No active product"),
        ({"part-product_code": "x" * 500}, "No active product"),
    ],
)
def test_bad_parts_are_refused_and_the_shelf_is_untouched(desk, client, data, message):
    ram = desk.part("RAM 8GB DDR4", 1_800_00, on_hand=3, sku="RAM-8G")
    ticket = desk.full_ticket()
    desk.sign_in(client, "tech")

    response = client.post_form(
        f"/repairs/{ticket}/parts",
        {"part-product_code": "RAM-8G", "part-quantity": "1", **data},
    )

    assert response.status_code == 422
    assert message in response.text
    assert desk.on_hand(ram) == 3
    assert desk.look(ticket)["parts"] == []


def test_an_archived_part_is_not_used_by_its_id(desk, client):
    from jcicons.extensions import db
    from jcicons.inventory.models import Product

    ram = desk.part("RAM 8GB DDR4", 1_800_00, on_hand=3, sku="RAM-8G")
    with desk.session():
        db.session.get(Product, ram).is_archived = True
    ticket = desk.full_ticket()
    desk.sign_in(client, "tech")

    response = client.post_form(
        f"/repairs/{ticket}/parts",
        {"part-product_code": "", "part-product_id": str(ram), "part-quantity": "1"},
    )

    assert response.status_code == 422
    assert desk.on_hand(ram) == 3


def test_parts_and_labour_lock_at_release(desk, client):
    ram = desk.part("RAM 8GB DDR4", 1_800_00, on_hand=3, sku="RAM-8G")
    screen = desk.service()
    ticket = desk.full_ticket(deposit=cash(300_00), status=S.READY)
    desk.run(services.release_ticket, ticket, "Maria Santos", "")
    desk.sign_in(client, "admin")

    page = client.get(f"/repairs/{ticket}").text
    part = client.post_form(
        f"/repairs/{ticket}/parts",
        {"part-product_code": "RAM-8G", "part-quantity": "1"},
    )
    labour = client.post_form(
        f"/repairs/{ticket}/services", {"service-service_type_id": screen}
    )

    assert "Use part from stock" not in page and "Add labour" not in page
    for response in (part, labour):
        assert response.status_code == 422
        assert "its parts, labour and charges are locked" in response.text
    assert desk.on_hand(ram) == 3


# Payments and release -----------------------------------------------------------------


def test_a_cash_payment_goes_in_the_ledger_with_the_change(desk, client):
    ticket = desk.full_ticket(service_type_ids=[desk.service()])
    desk.sign_in(client, "sales")

    response = client.post_form(
        f"/repairs/{ticket}/payments",
        {
            "pay-amount": "2,300",
            "pay-method": "CASH",
            "pay-tendered": "2,500",
            "pay-idempotency_key": "form-1",
        },
    )

    page = flashed(client, response)
    assert "Payment of ₱2,300.00 recorded." in page
    assert desk.ledger(ticket) == [(500_00, "CASH"), (2_300_00, "CASH")]
    assert figures(page) == {
        "charges": "₱2,800.00",
        "paid": "₱2,800.00",
        "balance": "₱0.00",
    }
    assert "change ₱200.00" in page


def test_a_payment_form_sent_twice_is_taken_once(desk, client):
    ticket = desk.full_ticket(service_type_ids=[desk.service()])
    desk.sign_in(client, "sales")
    page = client.get(f"/repairs/{ticket}").text
    key = re.search(r'name="pay-idempotency_key"[^>]*value="([^"]+)"', page)
    assert key, "the payment form carries no key"
    data = {"pay-amount": "1,000", "pay-method": "CASH"}
    data["pay-idempotency_key"] = key.group(1)

    first = client.post_form(f"/repairs/{ticket}/payments", data)
    again = client.post_form(f"/repairs/{ticket}/payments", data)

    assert (first.status_code, again.status_code) == (302, 302)
    assert desk.ledger(ticket) == [(500_00, "CASH"), (1_000_00, "CASH")]
    assert "That payment of ₱1,000.00 was recorded already." in flashed(client, again)
    next_key = re.search(
        r'name="pay-idempotency_key"[^>]*value="([^"]+)"',
        client.get(f"/repairs/{ticket}").text,
    )
    assert next_key and next_key.group(1) != key.group(1)


def test_a_payment_without_its_key_is_refused_with_a_fresh_one(desk, client):
    ticket = desk.full_ticket()
    desk.sign_in(client, "sales")

    response = client.post_form(
        f"/repairs/{ticket}/payments", {"pay-amount": "100", "pay-method": "CASH"}
    )

    assert response.status_code == 422
    assert "This form is out of date: check it and send it again." in response.text
    assert re.search(
        r'name="pay-idempotency_key"[^>]*value="[A-Za-z0-9_-]{20,}"', response.text
    )
    assert desk.ledger(ticket) == [(500_00, "CASH")]


def test_a_key_used_on_another_ticket_takes_nothing_here(desk, client):
    first = desk.full_ticket()
    second = desk.full_ticket(serial_number="NXHF8SP00999")
    desk.sign_in(client, "sales")
    data = {"pay-amount": "100", "pay-method": "CASH", "pay-idempotency_key": "k-1"}

    client.post_form(f"/repairs/{first}/payments", data)
    response = client.post_form(f"/repairs/{second}/payments", data)

    assert response.status_code == 422
    assert "This form is out of date: open the ticket again." in response.text
    fresh = re.search(r'name="pay-idempotency_key"[^>]*value="([^"]+)"', response.text)
    assert fresh and fresh.group(1) != "k-1"  # sending it again takes the payment
    assert desk.ledger(first) == [(500_00, "CASH"), (100_00, "CASH")]
    assert desk.ledger(second) == [(500_00, "CASH")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pay-amount": ""}, "Enter an amount"),
        ({"pay-amount": "0"}, "The payment must be more than zero."),
        ({"pay-amount": "-100"}, "The amount cannot be negative."),
        ({"pay-amount": "9" * 30}, "That amount is too large."),
        ({"pay-amount": "1e5"}, "Enter an amount in pesos"),
        ({"pay-amount": "100", "pay-method": "GCASH"}, "Enter the reference number"),
        ({"pay-amount": "100", "pay-method": "BITCOIN"}, "Not a valid choice"),
        ({"pay-amount": "100", "pay-method": "STORE_CREDIT"}, "Not a valid choice"),
        ({"pay-amount": "100", "pay-tendered": "50"}, "The cash tendered is less"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_recorded(desk, client, data, message):
    ticket = desk.full_ticket()
    desk.sign_in(client, "sales")

    response = client.post_form(
        f"/repairs/{ticket}/payments",
        {"pay-method": "CASH", "pay-idempotency_key": "form-1", **data},
    )

    assert response.status_code == 422
    assert message in response.text
    assert desk.ledger(ticket) == [(500_00, "CASH")]


def test_a_ready_ticket_takes_no_more_than_its_balance(desk, client):
    ticket = desk.full_ticket(deposit=cash(100_00), status=S.READY)
    desk.sign_in(client, "sales")

    response = client.post_form(
        f"/repairs/{ticket}/payments",
        {"pay-amount": "500", "pay-method": "CASH", "pay-idempotency_key": "form-1"},
    )

    assert response.status_code == 422
    assert "The payment (₱500.00) is more than the balance (₱200.00)." in response.text
    assert desk.ledger(ticket) == [(100_00, "CASH")]


def test_release_waits_for_the_balance_then_records_who_and_to_whom(desk, client):
    ticket = desk.full_ticket(deposit=cash(100_00), status=S.READY)
    desk.sign_in(client, "sales")
    release = {
        "release-released_to_name": "Pedro Santos",
        "release-id_shown": "Driver's licence N01",
    }

    owed = client.post_form(f"/repairs/{ticket}/release", release)
    client.post_form(
        f"/repairs/{ticket}/payments",
        {"pay-amount": "200", "pay-method": "CASH", "pay-idempotency_key": "form-1"},
    )
    done = client.post_form(f"/repairs/{ticket}/release", release)
    page = client.get(f"/repairs/{ticket}").text

    assert owed.status_code == 422
    assert "₱200.00 is still owed: take the payment first" in owed.text
    assert done.status_code == 302
    assert done.headers["Location"] == f"/repairs/{ticket}/release-receipt"
    assert text_of(page, "ticket-status") == "Released"
    released = text_of(page, "released")
    assert released.endswith("to Pedro Santos (ID: Driver's licence N01) by Carla Cruz")
    assert desk.look(ticket)["passcode_encrypted"] is None
    assert PASSCODE not in page


def test_release_needs_who_takes_the_device(desk, client):
    ticket = desk.full_ticket(deposit=cash(300_00), status=S.READY)
    desk.sign_in(client, "sales")

    response = client.post_form(
        f"/repairs/{ticket}/release", {"release-released_to_name": "  "}
    )

    assert response.status_code == 422
    assert "Write who takes the device." in response.text
    assert desk.look(ticket)["status"] == "READY"


def test_an_overpaid_ticket_is_refunded_before_release(desk, client):
    ticket = desk.full_ticket(status=S.READY)  # ₱500 paid on ₱300 of charges
    desk.sign_in(client, "sales")
    release = {"release-released_to_name": "Maria Santos"}

    refused = client.post_form(f"/repairs/{ticket}/release", release)
    refund = client.post_form(f"/repairs/{ticket}/refund", {"refund-method": "CASH"})
    refunded = flashed(client, refund)
    released = client.post_form(f"/repairs/{ticket}/release", release)

    assert refused.status_code == 422
    assert "refund it before the release" in refused.text
    assert "Refund recorded." in refunded
    assert desk.ledger(ticket) == [(500_00, "CASH"), (-200_00, "CASH")]
    assert released.status_code == 302


def test_a_refund_with_nothing_overpaid_is_refused(desk, client):
    ticket = desk.full_ticket(deposit=cash(300_00))
    desk.sign_in(client, "sales")

    response = client.post_form(f"/repairs/{ticket}/refund", {"refund-method": "CASH"})

    assert response.status_code == 422
    assert "The customer has not paid more than the charges." in response.text
    assert desk.ledger(ticket) == [(300_00, "CASH")]


def test_sales_cannot_release_on_credit_even_by_posting_the_box(desk, client):
    ticket = desk.full_ticket(deposit=None, status=S.READY)
    desk.sign_in(client, "sales")

    page = client.get(f"/repairs/{ticket}").text
    response = client.post_form(
        f"/repairs/{ticket}/release",
        {
            "release-released_to_name": "Maria Santos",
            "release-on_credit": "y",
            "release-credit_reason": "Regular customer.",
        },
    )

    assert 'name="release-on_credit"' not in page
    assert response.status_code == 422
    assert "Only an ADMIN can release a device on credit." in response.text
    assert desk.look(ticket)["status"] == "READY"


def test_an_admin_releases_on_credit_with_a_reason(desk, client):
    ticket = desk.full_ticket(deposit=None, status=S.READY)
    desk.sign_in(client, "admin")
    form = {"release-released_to_name": "Maria Santos", "release-on_credit": "y"}

    no_reason = client.post_form(f"/repairs/{ticket}/release", form)
    done = client.post_form(
        f"/repairs/{ticket}/release",
        {**form, "release-credit_reason": "Pays on the 30th."},
    )

    assert no_reason.status_code == 422
    assert "Give the reason for releasing on credit." in no_reason.text
    assert done.status_code == 302
    page = client.get(f"/repairs/{ticket}").text
    assert "On credit" in text_of(page, "released")
    assert "Pays on the 30th." in page
    assert desk.look(ticket)["released_on_credit"] is True
    assert text_of(page, "balance") == "₱300.00"


@pytest.mark.parametrize("status", [S.RECEIVED, S.DIAGNOSING, S.IN_REPAIR])
def test_a_ticket_still_in_work_is_not_released(desk, client, status):
    ticket = desk.full_ticket(deposit=cash(300_00), status=status)
    desk.sign_in(client, "admin")

    page = client.get(f"/repairs/{ticket}").text
    response = client.post_form(
        f"/repairs/{ticket}/release", {"release-released_to_name": "Maria Santos"}
    )

    assert 'data-testid="release-form"' not in page
    assert response.status_code == 422
    assert "cannot be released yet: mark it ready for pickup first" in response.text


# Discount, waiver ---------------------------------------------------------------------


@pytest.fixture
def priced(desk) -> int:
    """A ticket of ₱2,800 (₱300 fee, ₱2,500 labour) with a ₱500 deposit."""
    return desk.full_ticket(service_type_ids=[desk.service()])


def test_sales_gives_a_discount_up_to_the_cap(desk, client, priced):
    desk.sign_in(client, "sales")

    response = client.post_form(
        f"/repairs/{priced}/discount", {"discount-discount": "280"}
    )

    page = flashed(client, response)
    assert "Discount saved." in page
    assert text_of(page, "charges") == "₱2,520.00"
    assert desk.look(priced)["discount_approved_by_id"] is None


def test_above_the_cap_sales_needs_an_admins_password(desk, client, priced):
    desk.sign_in(client, "sales")
    admin = desk.accounts["admin"]

    refused = client.post_form(
        f"/repairs/{priced}/discount", {"discount-discount": "281"}
    )
    wrong = client.post_form(
        f"/repairs/{priced}/discount",
        {
            "discount-discount": "281",
            "discount-approver_username": admin.username,
            "discount-approver_password": "not-it",
        },
    )
    approved = client.post_form(
        f"/repairs/{priced}/discount",
        {
            "discount-discount": "281",
            "discount-approver_username": admin.username,
            "discount-approver_password": admin.password,
        },
    )

    assert refused.status_code == 422
    assert "an ADMIN must approve it with their password" in refused.text
    assert wrong.status_code == 422
    assert "That ADMIN username or password is wrong." in wrong.text
    assert approved.status_code == 302
    assert desk.look(priced)["discount"] == 281_00
    assert desk.look(priced)["discount_approved_by_id"] == admin.id


def test_a_sales_approver_does_not_lift_the_cap(desk, client, priced):
    desk.sign_in(client, "sales")
    sales = desk.accounts["sales"]

    response = client.post_form(
        f"/repairs/{priced}/discount",
        {
            "discount-discount": "500",
            "discount-approver_username": sales.username,
            "discount-approver_password": sales.password,
        },
    )

    assert response.status_code == 422
    assert desk.look(priced)["discount"] == 0


def test_an_admin_is_not_capped(desk, client, priced):
    desk.sign_in(client, "admin")

    page = client.get(f"/repairs/{priced}").text
    response = client.post_form(
        f"/repairs/{priced}/discount", {"discount-discount": "1,400"}
    )

    assert 'name="discount-approver_password"' not in page
    assert response.status_code == 302
    assert desk.look(priced)["discount"] == 1_400_00


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("2,800.01", "The discount is more than the charges (₱2,800.00)."),
        ("-5", "The amount cannot be negative."),
        ("9" * 30, "That amount is too large."),
        ("five", "Enter an amount in pesos"),
    ],
)
def test_a_discount_stays_within_the_charges(desk, client, priced, amount, message):
    desk.sign_in(client, "admin")

    response = client.post_form(
        f"/repairs/{priced}/discount", {"discount-discount": amount}
    )

    assert response.status_code == 422
    assert message in response.text
    assert desk.look(priced)["discount"] == 0


def test_waiving_everything_refunds_what_was_paid(desk, client):
    ticket = desk.full_ticket()  # ₱300 fee, ₱500 paid
    desk.sign_in(client, "admin")

    response = client.post_form(
        f"/repairs/{ticket}/waive",
        {
            "waive-amount": "300",
            "waive-reason": "Our mistake.",
            "waive-refund_method": "GCASH",
            "waive-refund_reference": "GC-9001",
        },
    )

    page = flashed(client, response)
    assert "Charges waived." in page
    assert desk.ledger(ticket) == [(500_00, "CASH"), (-500_00, "GCASH")]
    assert figures(page) == {"charges": "₱0.00", "paid": "₱0.00", "balance": "₱0.00"}
    assert "Our mistake." in text_of(page, "figures")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"waive-reason": ""}, "Give the reason."),
        ({"waive-amount": "300.01"}, "Waive between ₱0.01 and the charges (₱300.00)."),
        ({"waive-amount": "0"}, "Waive between ₱0.01 and the charges"),
        ({"waive-amount": "-1"}, "The amount cannot be negative."),
        ({"waive-refund_method": "GCASH"}, "Enter the reference number of the refund."),
        ({"waive-refund_method": "IOU"}, "Not a valid choice"),
    ],
)
def test_a_bad_waiver_changes_nothing(desk, client, data, message):
    ticket = desk.full_ticket()
    desk.sign_in(client, "admin")

    response = client.post_form(
        f"/repairs/{ticket}/waive",
        {
            "waive-amount": "300",
            "waive-reason": "Our mistake.",
            "waive-refund_method": "CASH",
            **data,
        },
    )

    assert response.status_code == 422
    assert message in response.text
    assert desk.look(ticket)["waived"] == 0
    assert desk.ledger(ticket) == [(500_00, "CASH")]


# Reopening and comebacks --------------------------------------------------------------


def test_an_admin_reopens_a_cancelled_ticket_for_diagnosis(desk, client):
    ticket = desk.full_ticket(status=S.CANCELLED)
    desk.sign_in(client, "admin")

    no_reason = client.post_form(f"/repairs/{ticket}/reopen", {"reopen-reason": ""})
    done = client.post_form(
        f"/repairs/{ticket}/reopen", {"reopen-reason": "Customer wants it fixed."}
    )

    assert no_reason.status_code == 422
    assert "Give the reason." in no_reason.text
    page = flashed(client, done)
    assert text_of(page, "ticket-status") == "Diagnosing"
    assert "Reopened: Customer wants it fixed." in text_of(page, "timeline")


def test_only_a_side_exit_is_reopened(desk, client):
    ticket = desk.full_ticket(status=S.IN_REPAIR)
    desk.sign_in(client, "admin")

    response = client.post_form(f"/repairs/{ticket}/reopen", {"reopen-reason": "x"})

    assert response.status_code == 422
    assert "Only a cancelled, unrepairable or pulled-out ticket can be reopened" in (
        response.text
    )


@pytest.fixture
def released(desk) -> int:
    """A ticket released today with 90 days of warranty on its labour."""
    ticket = desk.full_ticket(
        service_type_ids=[desk.service()], deposit=cash(2_800_00), status=S.READY
    )
    desk.run(services.release_ticket, ticket, "Maria Santos", "")
    return ticket


def test_a_comeback_opens_a_linked_ticket_free_of_labour(desk, client, released):
    desk.sign_in(client, "tech")

    response = client.post_form(
        f"/repairs/{released}/comeback", {"comeback-problem": "Flickers again."}
    )

    page = flashed(client, response)
    assert "Comeback ticket RT-2026-00002 is open under warranty." in page
    assert "Warranty comeback of RT-2026-00001" in text_of(page, "comeback-of")
    (_, new) = desk.ticket_ids()
    assert desk.look(new)["services"] == [("Screen replacement", 0, False)]


def test_a_comeback_needs_the_problem_and_a_warranty(desk, client, released):
    side_exit = desk.full_ticket(
        serial_number="X-1", deposit=cash(300_00), status=S.CANCELLED
    )
    desk.run(services.release_ticket, side_exit, "Maria Santos", "")
    desk.sign_in(client, "sales")

    blank = client.post_form(f"/repairs/{released}/comeback", {"comeback-problem": ""})
    no_warranty = client.post_form(
        f"/repairs/{side_exit}/comeback", {"comeback-problem": "Broken again."}
    )

    assert blank.status_code == 422
    assert "Describe the problem." in blank.text
    assert no_warranty.status_code == 422
    assert "has no warranty to come back under" in no_warranty.text
    assert len(desk.ticket_ids()) == 2


# Hostile input ------------------------------------------------------------------------

HUGE = "9" * 30


@pytest.mark.parametrize(
    "path",
    [
        "/status",
        "/notes",
        "/diagnosis",
        "/assign",
        "/services",
        "/parts",
        "/estimate",
        "/payments",
        "/discount",
        "/waive",
        "/refund",
        "/release",
        "/reopen",
        "/comeback",
    ],
)
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"anything": "x" * 10_000},
        {"status-status": HUGE, "assign-technician_id": HUGE, "pay-amount": HUGE},
        {"pay-method": "", "refund-method": "", "waive-refund_method": ""},
    ],
    ids=["nothing", "junk", "huge", "blank-methods"],
)
def test_missing_or_junk_fields_get_a_page_never_a_server_error(
    desk, client, path, data
):
    ticket = desk.full_ticket(status=S.READY)
    before = (desk.look(ticket), desk.ledger(ticket))
    desk.sign_in(client, "admin")

    response = client.post_form(f"/repairs/{ticket}{path}", data)

    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 422:
        assert (desk.look(ticket), desk.ledger(ticket)) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/repairs/{huge}"),
        ("POST", "/repairs/{huge}/notes"),
        ("GET", "/repairs/{missing}"),
        ("POST", "/repairs/{ticket}/services/{huge}/remove"),
        ("POST", "/repairs/{ticket}/parts/{huge}/remove"),
        ("POST", "/repairs/{ticket}/services/{missing}/remove"),
        ("POST", "/repairs/{ticket}/parts/{missing}/remove"),
        ("GET", "/repairs/services/{huge}"),
        ("POST", "/repairs/services/{huge}"),
    ],
)
def test_huge_or_unknown_ids_in_the_address_are_not_found(desk, client, method, path):
    ticket = desk.full_ticket()
    # Only this test's rows exist: the id after the ticket's is nobody's.
    url = path.format(huge=HUGE, ticket=ticket, missing=ticket + 1)
    desk.sign_in(client, "admin")

    response = client.get(url) if method == "GET" else client.post_form(url, {})

    assert response.status_code == 404


def test_the_service_catalogue_refuses_bad_figures(desk, client):
    desk.sign_in(client, "admin")

    responses = [
        client.post_form(
            "/repairs/services",
            {"name": "Diagnosis", "default_price": price, "warranty_days": days},
        )
        for price, days in (
            ("-1", "0"),
            (HUGE, "0"),
            ("300", HUGE),
            ("300", "-1"),
            ("300", "ten"),
            ("300", "3651"),
        )
    ]
    blank_name = client.post_form(
        "/repairs/services", {"name": " ", "default_price": "1", "warranty_days": "0"}
    )

    assert [r.status_code for r in responses] == [422] * 6
    assert blank_name.status_code == 422
    assert desk.catalogue() == []


def test_a_second_service_of_the_same_name_is_refused(desk, client):
    desk.service("Cleaning", 500_00, 0)
    desk.sign_in(client, "admin")

    response = client.post_form(
        "/repairs/services",
        {"name": "  cleaning ", "default_price": "600", "warranty_days": "0"},
    )

    assert response.status_code == 422
    assert "There is a service named Cleaning already." in response.text


# CSRF on real tickets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/status", {"status-status": "IN_REPAIR"}),
        ("/notes", {"note-note": "Forged."}),
        ("/payments", {"pay-amount": "100", "pay-method": "CASH"}),
        ("/refund", {"refund-method": "CASH"}),
        ("/release", {"release-released_to_name": "Forger"}),
        ("/passcode", {}),
        ("/take", {}),
    ],
)
def test_a_forged_post_changes_nothing_on_a_real_ticket(desk, client, path, data):
    ticket = desk.full_ticket(status=S.DIAGNOSING)
    desk.sign_in(client, "admin")
    before = (
        desk.look(ticket),
        desk.ledger(ticket),
        desk.audits("repair.passcode_view"),
    )

    response = client.post(f"/repairs/{ticket}{path}", data=data)

    assert response.status_code == 400
    assert PASSCODE not in response.text
    after = (
        desk.look(ticket),
        desk.ledger(ticket),
        desk.audits("repair.passcode_view"),
    )
    assert after == before


def test_ticket_actions_are_post_only(desk, client):
    ticket = desk.full_ticket()
    desk.sign_in(client, "admin")

    for path in ("/status", "/passcode", "/payments", "/release", "/take"):
        assert client.get(f"/repairs/{ticket}{path}").status_code == 405
