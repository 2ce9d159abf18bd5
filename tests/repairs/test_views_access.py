"""Who reaches which repair screen, per role and per ticket (DESIGN.md section 1a).

A TECH sees the tickets assigned to them and the unassigned queue; others' tickets
are a 404 wherever they are asked for. Customer contact and money show to a TECH
only with TECH_CAN_VIEW_DETAILS on, and only on their own tickets; the device
passcode only to those who work the ticket, and never in the HTML of anyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from jcicons.repairs import services
from jcicons.repairs.models import RepairStatus, ServiceType
from jcicons.security.crypto import decrypt_text, generate_key
from repairs.desk import PASSCODE, Desk, listed, text_of
from repairs.repair_helpers import cash

S = RepairStatus
ROLES = ("admin", "sales", "tech", "other_tech")


@pytest.fixture
def desk(app, make_user) -> Desk:
    return Desk(app, make_user)


# Every ticket action, per role --------------------------------------------------------


@dataclass
class Action:
    """One request against a ticket made ready for it."""

    ticket_id: int
    path: str
    data: dict[str, str]

    @property
    def url(self) -> str:
        return f"/repairs/{self.ticket_id}{self.path}"


def _status(desk: Desk) -> Action:
    return Action(desk.full_ticket(), "/status", {"status-status": "DIAGNOSING"})


def _note(desk: Desk) -> Action:
    return Action(desk.full_ticket(), "/notes", {"note-note": "Fan is full of dust."})


def _diagnosis(desk: Desk) -> Action:
    data = {"diag-diagnosis": "Corrupted bootloader."}
    return Action(desk.full_ticket(), "/diagnosis", data)


def _assign(desk: Desk) -> Action:
    data = {"assign-technician_id": str(desk.id_of("other_tech"))}
    return Action(desk.full_ticket(), "/assign", data)


def _add_service(desk: Desk) -> Action:
    data = {"service-service_type_id": str(desk.service())}
    return Action(desk.full_ticket(), "/services", data)


def _remove_service(desk: Desk) -> Action:
    ticket = desk.full_ticket(service_type_ids=[desk.service()])
    (line,), _ = desk.lines(ticket)
    return Action(ticket, f"/services/{line}/remove", {})


def _add_part(desk: Desk) -> Action:
    desk.part("RAM 8GB DDR4", 1_800_00, on_hand=3, sku="RAM-8G")
    data = {"part-product_code": "RAM-8G", "part-quantity": "1"}
    return Action(desk.full_ticket(), "/parts", data)


def _remove_part(desk: Desk) -> Action:
    part = desk.part("RAM 8GB DDR4", 1_800_00, on_hand=3, sku="RAM-8G")
    ticket = desk.full_ticket()
    used = desk.run(services.add_part, ticket, part, 1)
    return Action(ticket, f"/parts/{used}/remove", {})


def _estimate(desk: Desk) -> Action:
    data = {"estimate-decision": "APPROVED", "estimate-note": "Said yes by phone."}
    return Action(desk.full_ticket(), "/estimate", data)


def _payment(desk: Desk) -> Action:
    data = {
        "pay-amount": "100.00",
        "pay-method": "CASH",
        "pay-idempotency_key": "form-1",
    }
    return Action(desk.full_ticket(), "/payments", data)


def _discount(desk: Desk) -> Action:
    return Action(desk.full_ticket(), "/discount", {"discount-discount": "10.00"})


def _waive(desk: Desk) -> Action:
    data = {
        "waive-amount": "50.00",
        "waive-reason": "Loyal customer.",
        "waive-refund_method": "CASH",
    }
    return Action(desk.full_ticket(), "/waive", data)


def _refund(desk: Desk) -> Action:
    # ₱500 deposit on a ₱300 diagnostic fee: ₱200 to give back.
    return Action(desk.full_ticket(), "/refund", {"refund-method": "CASH"})


def _release(desk: Desk) -> Action:
    ticket = desk.full_ticket(deposit=cash(300_00), status=S.READY)
    data = {"release-released_to_name": "Maria Santos", "release-id_shown": "UMID"}
    return Action(ticket, "/release", data)


def _reopen(desk: Desk) -> Action:
    ticket = desk.full_ticket(status=S.CANCELLED)
    return Action(ticket, "/reopen", {"reopen-reason": "The customer changed mind."})


def _comeback(desk: Desk) -> Action:
    ticket = desk.full_ticket(
        service_type_ids=[desk.service()], deposit=cash(2_800_00), status=S.READY
    )
    desk.run(services.release_ticket, ticket, "Maria Santos", "UMID")
    return Action(ticket, "/comeback", {"comeback-problem": "Flickers again."})


def _passcode(desk: Desk) -> Action:
    return Action(desk.full_ticket(), "/passcode", {})


SETUPS: dict[str, Callable[[Desk], Action]] = {
    "status": _status,
    "note": _note,
    "diagnosis": _diagnosis,
    "assign": _assign,
    "add_service": _add_service,
    "remove_service": _remove_service,
    "add_part": _add_part,
    "remove_part": _remove_part,
    "estimate": _estimate,
    "payment": _payment,
    "discount": _discount,
    "waive": _waive,
    "refund": _refund,
    "release": _release,
    "reopen": _reopen,
    "comeback": _comeback,
    "passcode": _passcode,
}

# The answer each of ADMIN, SALES, the ticket's TECH and another TECH gets.
# 302: done, back to the ticket; 403: the role may not; 404: the ticket is hidden.
EXPECTED: dict[str, tuple[int, int, int, int]] = {
    "status": (302, 403, 302, 404),
    "note": (302, 403, 302, 404),
    "diagnosis": (302, 403, 302, 404),
    "assign": (302, 302, 403, 403),
    "add_service": (302, 403, 302, 404),
    "remove_service": (302, 403, 302, 404),
    "add_part": (302, 403, 302, 404),
    "remove_part": (302, 403, 302, 404),
    "estimate": (302, 302, 302, 404),
    "payment": (302, 302, 403, 403),
    "discount": (302, 302, 403, 403),
    "waive": (302, 403, 403, 403),
    "refund": (302, 302, 403, 403),
    "release": (302, 302, 403, 403),
    "reopen": (302, 403, 403, 403),
    "comeback": (302, 302, 302, 404),
    "passcode": (200, 403, 200, 404),
}

CASES = [
    pytest.param(action, role, toggle, EXPECTED[action][ROLES.index(role)])
    for action in SETUPS
    for role in ROLES
    for toggle in ((False, True) if "tech" in role else (False,))
]


@pytest.mark.parametrize(("action", "role", "toggle", "status"), CASES)
def test_each_ticket_action_answers_each_role_as_the_table_says(
    desk, client, action, role, toggle, status
):
    request = SETUPS[action](desk)
    desk.toggle(toggle)
    number = desk.look(request.ticket_id)["number"]
    before = desk.events()
    desk.sign_in(client, role)

    response = client.post_form(request.url, request.data)

    assert response.status_code == status, response.text[:2000]
    done = status in (200, 302)
    if action == "passcode":
        assert (PASSCODE in response.text) is done
    else:
        assert (desk.events() > before) is done
    if status == 302:
        assert response.headers["Location"].startswith("/repairs/")
    if status == 404:
        assert number not in response.text


@pytest.mark.parametrize("role", ROLES)
def test_every_role_opens_the_list_the_unclaimed_list_and_the_intake_form(
    desk, client, role
):
    desk.sign_in(client, role)

    pages = [client.get(url) for url in ("/repairs/", "/repairs/unclaimed")]
    intake = client.get("/repairs/new")

    assert [p.status_code for p in pages] == [200, 200]
    assert "Repair tickets" in pages[0].text
    assert "Unclaimed devices" in pages[1].text
    assert intake.status_code == 200
    assert 'data-testid="intake-form"' in intake.text


@pytest.mark.parametrize(
    ("role", "toggle", "status"),
    [
        ("admin", False, 200),
        ("sales", False, 200),
        ("tech", False, 200),
        ("tech", True, 200),
        ("other_tech", False, 404),
        ("other_tech", True, 404),
    ],
)
def test_the_ticket_page_opens_to_all_but_a_tech_it_is_not_assigned_to(
    desk, client, role, toggle, status
):
    ticket = desk.full_ticket()
    desk.toggle(toggle)
    desk.sign_in(client, role)

    response = client.get(f"/repairs/{ticket}")

    assert response.status_code == status
    assert ("Acer Aspire 5" in response.text) is (status == 200)


def test_a_missing_ticket_is_a_404(desk, client):
    missing = desk.full_ticket() + 1
    desk.sign_in(client, "admin")

    assert client.get(f"/repairs/{missing}").status_code == 404
    response = client.post_form(f"/repairs/{missing}/notes", {"note-note": "x"})
    assert response.status_code == 404


def test_a_line_of_another_ticket_cannot_be_removed_through_this_one(desk, client):
    service = desk.service()
    other = desk.full_ticket(service_type_ids=[service])
    (line,), _ = desk.lines(other)
    ticket = desk.full_ticket(serial_number="OTHER-1")
    desk.sign_in(client, "admin")

    response = client.post_form(f"/repairs/{ticket}/services/{line}/remove")

    assert response.status_code == 404
    assert desk.look(other)["services"] == [("Screen replacement", 2_500_00, False)]


# The unassigned queue -----------------------------------------------------------------


def test_a_tech_opens_a_ticket_of_the_queue_and_takes_it(desk, client):
    ticket = desk.full_ticket(technician_id=None)
    desk.sign_in(client, "other_tech")

    page = client.get(f"/repairs/{ticket}").text
    response = client.post_form(f"/repairs/{ticket}/take")

    assert 'data-testid="take"' in page
    assert response.status_code == 302
    assert desk.look(ticket)["technician_id"] == desk.id_of("other_tech")
    assert "is yours" in client.get(response.headers["Location"]).text


@pytest.mark.parametrize("role", ["admin", "sales"])
def test_only_a_tech_takes_a_ticket(desk, client, role):
    ticket = desk.full_ticket(technician_id=None)
    desk.sign_in(client, role)

    response = client.post_form(f"/repairs/{ticket}/take")

    assert response.status_code == 403
    assert desk.look(ticket)["technician_id"] is None


def test_a_ticket_taken_by_another_tech_is_gone_from_the_first_techs_sight(
    desk, client
):
    ticket = desk.full_ticket(technician_id=None)
    desk.sign_in(client, "tech")
    desk.client("other_tech").post_form(f"/repairs/{ticket}/take")

    response = client.post_form(f"/repairs/{ticket}/take")

    assert response.status_code == 404
    assert desk.look(ticket)["technician_id"] == desk.id_of("other_tech")


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/status", {"status-status": "DIAGNOSING"}, 422),
        ("/diagnosis", {"diag-diagnosis": "Bad RAM."}, 422),
        ("/notes", {"note-note": "Looked at it."}, 403),
        ("/estimate", {"estimate-decision": "APPROVED"}, 403),
    ],
)
def test_a_tech_cannot_work_a_ticket_of_the_queue_before_taking_it(
    desk, client, path, data, status
):
    ticket = desk.full_ticket(technician_id=None)
    before = desk.look(ticket)
    desk.sign_in(client, "tech")

    response = client.post_form(f"/repairs/{ticket}{path}", data)

    assert response.status_code == status
    assert desk.look(ticket) == before
    if status == 422:
        refusal = text_of(response.text, "refusal")
        assert "Only the assigned technician or an ADMIN can work this ticket." in (
            refusal
        )


# What the ticket page shows -----------------------------------------------------------


def _ticket_page(desk: Desk, client, role: str, toggle: bool, **fields) -> str:
    """Return the page of the TECH's ticket (₱700 paid on ₱300 of charges)."""
    ticket = desk.full_ticket(**fields)
    desk.run(services.take_payment, ticket, cash(200_00), by="sales")
    desk.toggle(toggle)
    desk.sign_in(client, role)
    response = client.get(f"/repairs/{ticket}")
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize(
    ("role", "toggle", "shown"),
    [
        ("admin", False, True),
        ("sales", False, True),
        ("tech", False, False),
        ("tech", True, True),
    ],
)
def test_contact_and_money_show_to_a_tech_only_with_the_toggle(
    desk, client, role, toggle, shown
):
    page = _ticket_page(desk, client, role, toggle)

    for secret in ("0917 555 0142", "maria.santos@example.com"):
        assert (secret in page) is shown, secret
    assert ('data-testid="figures"' in page) is shown
    assert ('data-testid="payments"' in page) is shown
    # Not even through the timeline: the deposit and payment entries name amounts.
    for amount in ("₱500.00", "₱200.00", "₱300.00"):
        assert (amount in page) is shown, amount
    if shown:
        assert text_of(page, "balance") == "-₱400.00"
        assert text_of(page, "paid") == "₱700.00"


def test_a_tech_with_the_toggle_sees_no_contact_or_money_on_a_ticket_of_the_queue(
    desk, client
):
    page = _ticket_page(desk, client, "tech", True, technician_id=None)

    assert "0917 555 0142" not in page
    assert "maria.santos@example.com" not in page
    assert 'data-testid="figures"' not in page
    assert "₱500.00" not in page


def test_a_tech_without_the_toggle_sees_no_prices_in_the_labour_list(desk, client):
    desk.service("Screen replacement", 2_500_00, 90)
    page = _ticket_page(desk, client, "tech", False)

    assert "Screen replacement" in page
    assert "₱2,500.00" not in page


def test_the_customer_name_links_to_the_customer_only_for_who_may_open_it(desk, client):
    queue = desk.full_ticket(technician_id=None)
    desk.toggle(True)
    desk.sign_in(client, "tech")
    customer = desk.look(queue)["customer_id"]

    page = client.get(f"/repairs/{queue}").text

    assert "Maria Santos" in page
    assert f'href="/customers/{customer}"' not in page
    assert client.get(f"/customers/{customer}").status_code == 404


# The passcode -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "sales", "tech"])
def test_the_ticket_page_never_carries_the_passcode_unasked(desk, client, role):
    page = _ticket_page(desk, client, role, True)

    assert PASSCODE not in page
    assert ("Show passcode" in page) is (role != "sales")


@pytest.mark.parametrize("role", ["admin", "tech"])
def test_those_who_work_the_ticket_see_the_passcode_and_the_look_is_audited(
    desk, client, role
):
    ticket = desk.full_ticket()
    desk.sign_in(client, role)

    response = client.post_form(f"/repairs/{ticket}/passcode")
    later = client.get(f"/repairs/{ticket}").text

    assert response.status_code == 200
    assert text_of(response.text, "passcode") == PASSCODE
    assert response.headers["Cache-Control"] == "no-store"
    assert desk.audits("repair.passcode_view") == 1
    assert PASSCODE not in later


def test_a_tech_of_the_queue_is_not_shown_the_passcode(desk, client):
    ticket = desk.full_ticket(technician_id=None)
    desk.sign_in(client, "tech")

    page = client.get(f"/repairs/{ticket}").text
    response = client.post_form(f"/repairs/{ticket}/passcode", follow_redirects=True)

    assert f'action="/repairs/{ticket}/passcode"' not in page
    assert "There is no passcode you may see on this ticket." in response.text
    assert PASSCODE not in response.text
    assert desk.audits("repair.passcode_view") == 0


def test_the_passcode_is_gone_after_release(desk, client):
    ticket = desk.full_ticket(deposit=cash(300_00), status=S.READY)
    desk.run(services.release_ticket, ticket, "Maria Santos", "")
    desk.sign_in(client, "admin")

    page = client.get(f"/repairs/{ticket}").text
    response = client.post_form(f"/repairs/{ticket}/passcode", follow_redirects=True)

    assert "Show passcode" not in page
    assert PASSCODE not in response.text
    assert desk.look(ticket)["passcode_encrypted"] is None


def test_a_passcode_under_a_retired_key_gives_a_message_not_an_error(
    app, desk, client, monkeypatch
):
    ticket = desk.full_ticket()
    desk.sign_in(client, "admin")
    monkeypatch.setitem(app.config, "ENCRYPTION_KEY", generate_key())

    response = client.post_form(f"/repairs/{ticket}/passcode", follow_redirects=True)

    assert response.status_code == 200
    assert "an encryption key this server no longer has" in response.text
    assert desk.audits("repair.passcode_view") == 0


def test_the_stored_passcode_is_not_the_plain_text(app, desk):
    ticket = desk.full_ticket()

    stored = desk.look(ticket)["passcode_encrypted"]

    assert PASSCODE not in stored
    with app.app_context():
        assert decrypt_text(stored) == PASSCODE


# The list and the search --------------------------------------------------------------


@pytest.fixture
def spread(desk) -> dict[str, str]:
    """Three open tickets: the TECH's, the other TECH's and one of the queue."""
    made = {
        "mine": desk.ticket(
            technician_id=desk.id_of("tech"), serial_number="MINE-1", brand="Acer"
        ),
        "theirs": desk.ticket(
            technician_id=desk.id_of("other_tech"),
            serial_number="THEIRS-2",
            brand="Lenovo",
        ),
        "queue": desk.ticket(serial_number="QUEUE-3", brand="Asus"),
    }
    return {key: desk.look(ticket)["number"] for key, ticket in made.items()}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", {"mine", "theirs", "queue"}),
        ("sales", {"mine", "theirs", "queue"}),
        ("tech", {"mine", "queue"}),
        ("other_tech", {"theirs", "queue"}),
    ],
)
def test_the_list_shows_a_tech_their_tickets_and_the_queue(
    desk, client, spread, role, expected
):
    desk.sign_in(client, role)

    rows = listed(client.get("/repairs/").text)

    assert set(rows) == {spread[key] for key in expected}


@pytest.mark.parametrize(
    "term", ["THEIRS-2", "Lenovo", "0917 555 0002", "RT-2026-00002"]
)
def test_a_tech_finds_nothing_of_another_techs_ticket(desk, client, spread, term):
    desk.sign_in(client, "tech")

    page = client.get("/repairs/", query_string={"q": term}).text

    assert listed(page) == []
    assert "THEIRS-2" not in page.replace(f'value="{term}"', "")
    assert 'data-testid="empty"' in page


def test_a_tech_filtering_by_another_tech_gets_nothing(desk, client, spread):
    desk.sign_in(client, "tech")

    page = client.get(
        "/repairs/", query_string={"technician": desk.id_of("other_tech")}
    ).text

    assert listed(page) == []


@pytest.mark.parametrize(
    ("role", "toggle", "column"),
    [("sales", False, True), ("tech", False, False), ("tech", True, True)],
)
def test_the_balance_column_follows_the_toggle(desk, client, role, toggle, column):
    mine = desk.full_ticket()
    queue = desk.full_ticket(technician_id=None, serial_number="Q-1")
    desk.toggle(toggle)
    desk.sign_in(client, role)

    page = client.get("/repairs/").text

    assert (">Balance</th>" in page) is column
    assert ('data-balance="-20000"' in page) is column
    if role == "tech" and column:
        # Only the TECH's own ticket carries its balance, not the queue's.
        assert page.count('data-balance="-20000"') == 1
    assert set(listed(page)) == {desk.look(t)["number"] for t in (mine, queue)}


# The unclaimed list -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "toggle", "mobiles"),
    [
        ("sales", False, {"0917 555 0142", "0917 555 0143"}),
        ("tech", False, set()),
        ("tech", True, {"0917 555 0142"}),
    ],
)
def test_the_unclaimed_list_shows_mobiles_as_the_toggle_and_ownership_allow(
    desk, client, role, toggle, mobiles
):
    from datetime import timedelta

    from jcicons import clock
    from repairs.conftest import NOW

    clock.set_frozen(NOW - timedelta(days=40))
    desk.full_ticket(deposit=None, status=S.READY)
    queue_customer = desk.customer("Ben Bautista", "0917 555 0143")
    desk.ticket(customer_id=queue_customer, status=S.READY, serial_number="Q-1")
    clock.set_frozen(NOW)
    desk.toggle(toggle)
    desk.sign_in(client, role)

    page = client.get("/repairs/unclaimed").text

    assert len(listed(page)) == 2
    for mobile in ("0917 555 0142", "0917 555 0143"):
        assert (mobile in page) is (mobile in mobiles), mobile


# The service catalogue ----------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("sales", 403), ("tech", 403)])
def test_only_an_admin_keeps_the_service_catalogue(desk, client, role, status):
    service = desk.service()
    desk.sign_in(client, role)

    responses = [
        client.get("/repairs/services"),
        client.post_form(
            "/repairs/services",
            {"name": "Diagnosis", "default_price": "300", "warranty_days": "0"},
        ),
        client.get(f"/repairs/services/{service}"),
        client.post_form(f"/repairs/services/{service}", {"archive": "archive"}),
    ]

    assert [r.status_code for r in responses] == [status] * 4
    assert desk.count(ServiceType) == 1
    assert desk.count(ServiceType, ServiceType.is_archived.is_(True)) == 0


def test_an_admin_adds_edits_and_archives_a_service(desk, client):
    desk.sign_in(client, "admin")

    added = client.post_form(
        "/repairs/services",
        {"name": "Diagnosis", "default_price": "300", "warranty_days": "0"},
    )
    ((service, *_),) = desk.catalogue()
    edited = client.post_form(
        f"/repairs/services/{service}",
        {"name": "Diagnosis", "default_price": "350.50", "warranty_days": "7"},
    )
    archived = client.post_form(f"/repairs/services/{service}", {"archive": "archive"})

    assert [r.status_code for r in (added, edited, archived)] == [302] * 3
    assert desk.catalogue() == [(service, "Diagnosis", 350_50, 7, True)]
    assert "₱350.50" in client.get("/repairs/services").text


# Customers, as a TECH sees them -------------------------------------------------------


@pytest.fixture
def customers(desk) -> dict[str, int]:
    """Customers of the TECH's ticket, of the other TECH's, and of the queue."""
    made = {
        "mine": desk.customer("Ana Reyes", "0917 111 0001", email="ana@example.com"),
        "theirs": desk.customer(
            "Ben Bautista", "0917 111 0002", email="ben@example.com"
        ),
        "queue": desk.customer("Cora Diaz", "0917 111 0003", email="cora@example.com"),
    }
    desk.ticket(customer_id=made["mine"], technician_id=desk.id_of("tech"))
    desk.ticket(customer_id=made["theirs"], technician_id=desk.id_of("other_tech"))
    desk.ticket(customer_id=made["queue"])
    return made


def test_with_the_toggle_a_tech_lists_and_finds_only_the_customers_of_their_tickets(
    desk, client, customers
):
    desk.toggle(True)
    desk.sign_in(client, "tech")

    page = client.get("/customers/").text
    found = [
        c["name"]
        for term in ("0917 111", "example.com", "a")
        for c in client.get("/customers/search", query_string={"q": term}).json[
            "customers"
        ]
    ]

    assert "Ana Reyes" in page
    assert "Ben Bautista" not in page and "Cora Diaz" not in page
    assert set(found) == {"Ana Reyes"}


@pytest.mark.parametrize(
    ("who", "status"), [("mine", 200), ("theirs", 404), ("queue", 404)]
)
def test_with_the_toggle_a_tech_opens_only_the_customer_of_their_ticket(
    desk, client, customers, who, status
):
    desk.toggle(True)
    desk.sign_in(client, "tech")

    page = client.get(f"/customers/{customers[who]}")
    edit = client.get(f"/customers/{customers[who]}/edit")

    assert (page.status_code, edit.status_code) == (status, status)
    if status == 200:
        assert "ana@example.com" in page.text


def test_without_the_toggle_a_tech_reaches_no_customer_endpoint(
    desk, client, customers
):
    desk.sign_in(client, "tech")
    mine = customers["mine"]

    responses = [
        client.get("/customers/"),
        client.get("/customers/new"),
        client.get(f"/customers/{mine}"),
        client.get(f"/customers/{mine}/edit"),
        client.get("/customers/search", query_string={"q": "ana"}),
        client.post_form(f"/customers/{mine}/notes", {"body": "Called."}),
        client.post_json(
            "/customers/quick", {"name": "Ana", "mobile": "0917 111 0001"}
        ),
    ]

    assert [r.status_code for r in responses] == [403] * len(responses)
    assert all("ana@example.com" not in r.text for r in responses)


def test_a_reassigned_ticket_takes_its_customer_out_of_the_techs_sight(
    desk, client, customers
):
    desk.toggle(True)
    (mine, *_) = desk.ticket_ids()
    desk.run(services.assign_technician, mine, desk.id_of("other_tech"))
    desk.sign_in(client, "tech")

    assert client.get(f"/customers/{customers['mine']}").status_code == 404
    assert client.get("/customers/search", query_string={"q": "ana"}).json == {
        "customers": []
    }


def test_quick_create_tells_a_tech_only_of_customers_they_may_see(
    desk, client, customers
):
    desk.toggle(True)
    desk.sign_in(client, "tech")

    own = client.post_json("/customers/quick", {"name": "X", "mobile": "0917 111 0001"})
    other = client.post_json(
        "/customers/quick", {"name": "X", "mobile": "0917 111 0002"}
    )

    assert own.status_code == 200 and own.json["customer"]["name"] == "Ana Reyes"
    assert other.status_code == 409
    assert "Ben" not in other.text and "ben@example.com" not in other.text


# The same rules in the services ------------------------------------------------------
# The views above enforce them; the services repeat the ownership rule ("a TECH
# works only the tickets assigned to them").


@pytest.mark.parametrize("who", ["tech", "sales"])
def test_the_note_service_refuses_who_does_not_work_the_ticket(
    request, make_ticket, who
):
    from jcicons.exceptions import DomainError

    actor = request.getfixturevalue(who)
    ticket = make_ticket()  # in the unassigned queue

    with pytest.raises(DomainError):
        services.add_note(ticket, "Looked at it.", actor)


def test_the_estimate_service_refuses_a_tech_of_another_ticket(
    tech, other_tech, make_ticket
):
    from jcicons.exceptions import DomainError
    from jcicons.repairs.models import EstimateDecision

    ticket = make_ticket(technician_id=other_tech.id)

    with pytest.raises(DomainError):
        services.record_estimate_decision(ticket, EstimateDecision.APPROVED, tech)
