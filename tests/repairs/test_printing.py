"""Printed repair papers: the intake form with its claim stub and QR code, the
release receipt; who may print them, what they show, reprints, and never the
passcode."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

import jcicons
from helpers import STRONG_PASSWORD, login
from jcicons.admin.forms import SettingsForm
from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.repairs.models import DeviceType, Priority, RepairStatus, RepairTicket
from jcicons.repairs.printing import (
    INTAKE_BOXES,
    INTAKE_FORM,
    RELEASE_RECEIPT,
    TextBox,
    choose_intake_paper,
    clamp_text,
    qr_svg,
    status_url,
)
from jcicons.repairs.services import (
    add_part,
    change_status,
    release_ticket,
    set_discount,
    take_payment,
    waive_charges,
)
from jcicons.security.crypto import decrypt_text
from jcicons.settings.services import (
    DEFAULT_INTAKE_TERMS,
    get_settings,
    update_settings,
)
from repairs.repair_helpers import cash, gcash, walk_to

S = RepairStatus
PASSCODE = "7391-SECRET"
SHOP = {
    "SHOP_NAME": "JC Icons Computer Center",
    "SHOP_ADDRESS": "12 Rizal Ave., Quezon City",
    "SHOP_TIN": "123-456-789-00000",
    "SHOP_PHONES": "0917 555 0101",
    "WARRANTY_TERMS": "Warranty covers the same fault only.",
    "RECEIPT_FOOTER": "Salamat po!",
    "REPAIR_INTAKE_TERMS": "Data loss: back up your files first.",
}


def sign_in(client, user: User) -> None:
    """Sign the client in as a staff member made by the repair fixtures."""
    response = login(client, user.username, STRONG_PASSWORD)
    assert response.status_code == 302, response.text
    # The test's app context is shared with the requests: drop the CSRF token it
    # cached before the sign-in gave the client a new session.
    g.pop("csrf_token", None)


def change_settings(admin: User, **values: object) -> None:
    """Store settings between requests (the test's app context caches them in g)."""
    update_settings(values, admin)
    db.session.commit()
    g.pop("settings", None)
    g.pop("toggles", None)


def section(page: str, testid: str) -> str:
    """Return the text of the element with a data-testid, up to its closing tag."""
    match = re.search(
        rf'data-testid="{testid}"[^>]*>(.*?)</(section|td|span|p|strong)>', page, re.S
    )
    assert match, f"no {testid} on the page"
    return match.group(1)


def figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]+)<', page)
    assert match, f"no {name} figure on the receipt"
    return match.group(1)


@pytest.fixture
def shop(admin):
    update_settings(SHOP, admin)


@pytest.fixture
def ticket(shop, admin, tech, make_customer, make_service, make_ticket) -> RepairTicket:
    """A laptop left today with everything intake records, a ₱500 cash deposit."""
    customer = make_customer("Maria Santos", mobile="0917 555 0142")
    service = make_service("Screen replacement", 2_500_00, 90)
    opened = make_ticket(
        customer_id=customer.id,
        brand="Acer",
        model="Aspire 5",
        serial_number="NXHF8SP00123",
        accessories=["Charger or adapter", "Bag or case"],
        accessories_note="Blue sleeve",
        condition={"powers_on": "no", "water_damage": "yes"},
        condition_notes="Hinge cracked on the left.",
        passcode=PASSCODE,
        problem="Screen flickers, then goes black.",
        service_type_ids=[service.id],
        priority=Priority.HIGH,
        promised_date=date(2026, 6, 20),
        diagnostic_fee_centavos=300_00,
        deposit=cash(500_00),
        technician_id=tech.id,
    )
    db.session.commit()
    return opened


@pytest.fixture
def released(ticket, admin, tech, sales, stocked) -> RepairTicket:
    """The ticket repaired with a ₱1,800 part, ₱100 off, paid up and released."""
    ram = stocked("RAM 8GB DDR4", 1_800_00, on_hand=2, cost=1_200_00)
    walk_to(ticket, S.IN_REPAIR, tech)
    add_part(ticket, ram.id, 1, tech)
    change_status(ticket, S.READY, tech)
    set_discount(ticket, 100_00, admin, get_settings())
    take_payment(ticket, gcash(4_000_00, "GC-7788"), sales)
    release_ticket(ticket, "Pedro Santos", "Driver's licence N01-23", sales)
    db.session.commit()
    return ticket


# The intake form -------------------------------------------------------------------


def test_the_intake_form_prints_everything_recorded_at_intake(client, ticket, sales):
    sign_in(client, sales)

    response = client.get(f"/repairs/{ticket.id}/intake-form")

    page = response.text
    assert response.status_code == 200
    for text in SHOP.values():
        if text != SHOP["WARRANTY_TERMS"] and text != SHOP["RECEIPT_FOOTER"]:
            assert text in page, text
    assert "VAT Reg. TIN 123-456-789-00000" in page
    assert section(page, "intake-number") == ticket.number
    assert section(page, "intake-customer") == "Maria Santos"
    assert section(page, "intake-mobile") == "0917 555 0142"
    assert section(page, "intake-device") == "Laptop Acer Aspire 5"
    assert section(page, "intake-serial") == "NXHF8SP00123"
    assert section(page, "intake-accessories") == (
        "Charger or adapter, Bag or case; Blue sleeve"
    )
    assert '<td data-check="powers_on">No</td>' in page
    assert '<td data-check="water_damage">Yes</td>' in page
    assert '<td data-check="screen_ok">Not checked</td>' in page
    assert "Hinge cracked on the left." in page
    assert "Screen flickers, then goes black." in page
    assert "Screen replacement" in page and "₱2,500.00" in page
    assert "Priority: High" in page
    assert section(page, "intake-promised") == "2026-06-20"
    assert section(page, "intake-fee") == "₱300.00"
    assert section(page, "intake-paid") == "₱500.00"
    assert "Deposit at intake, Cash" in page
    assert section(page, "intake-technician") == "Rico Tech"
    assert "Customer's signature" in page and "Received by: Admin" in page
    assert "REPRINT" not in page


def test_a_business_ticket_prints_the_company_contact_and_department(
    client, shop, make_customer, make_department, make_ticket, sales
):
    company = make_customer(
        "Ana Reyes", kind="BUSINESS", business_name="Reyes Trading Corp."
    )
    opened = make_ticket(
        customer_id=company.id,
        department_id=make_department(company, "Accounting").id,
        device_type=DeviceType.PRINTER,
        brand="Epson",
        model="L3210",
    )
    db.session.commit()
    sign_in(client, sales)

    page = client.get(f"/repairs/{opened.id}/intake-form").text

    assert section(page, "intake-customer") == "Reyes Trading Corp. (attn. Ana Reyes)"
    assert "<th>Department</th><td>Accounting</td>" in page
    assert section(page, "intake-device") == "Printer Epson L3210"
    assert section(page, "intake-serial") == "none given"
    assert section(page, "intake-accessories") == "nothing"
    assert section(page, "intake-promised") == "to be advised"


def test_the_claim_stub_has_the_number_and_a_qr_code_of_the_token_link(
    app, client, ticket, sales
):
    sign_in(client, sales)

    page = client.get(f"/repairs/{ticket.id}/intake-form").text

    stub = page[page.index('data-testid="claim-stub"') :]
    assert section(stub, "claim-number") == ticket.number
    assert section(stub, "claim-customer") == "Maria Santos"
    assert section(stub, "claim-device") == "Laptop Acer Aspire 5"
    assert section(stub, "claim-date") == "2026-06-15"
    with app.test_request_context():
        link = status_url(ticket)
        drawn = str(qr_svg(link))
    assert link == f"http://localhost/status/t/{ticket.status_token}"
    assert f'data-status-url="{link}"' in stub
    assert section(stub, "claim-lookup") == "http://localhost/status"
    assert drawn.startswith("<svg") and drawn in stub
    assert len(ticket.status_token) >= 32


def test_the_qr_code_changes_with_the_link_it_encodes(app):
    with app.test_request_context():
        first, second = (
            qr_svg("http://shop/status/t/aaa"),
            qr_svg("http://shop/status/t/b"),
        )
    assert first != second
    assert 'class="claim-qr"' in first and "style=" not in first


def test_the_intake_form_prints_on_the_paper_of_the_setting_unless_asked(
    client, ticket, admin, sales
):
    sign_in(client, sales)
    assert 'data-paper="A4"' in client.get(f"/repairs/{ticket.id}/intake-form").text

    change_settings(admin, REPAIR_INTAKE_FORMAT="half")

    half = client.get(f"/repairs/{ticket.id}/intake-form").text
    a4 = client.get(f"/repairs/{ticket.id}/intake-form?paper=A4").text
    a5 = client.get(f"/repairs/{ticket.id}/intake-form?paper=A5").text
    assert (
        'class="intake intake-a5" data-testid="intake-form" data-paper="half"' in half
    )
    assert 'class="intake intake-a4"' in a4
    assert 'data-paper="half"' in a5


@pytest.mark.parametrize(
    ("asked", "setting", "expected"),
    [
        (None, "A4", "A4"),
        (None, "half", "half"),
        ("A5", "A4", "half"),
        ("half", "A4", "half"),
        ("A4", "half", "A4"),
        ("Letter", "half", "half"),
        (None, "bogus", "A4"),
    ],
)
def test_the_intake_paper_is_the_one_asked_for_or_the_setting(asked, setting, expected):
    assert choose_intake_paper(asked, {"REPAIR_INTAKE_FORMAT": setting}) == expected


def test_showing_the_intake_form_records_no_print_but_pressing_print_does(
    client, ticket, sales
):
    sign_in(client, sales)
    url = f"/repairs/{ticket.id}/intake-form"

    first = client.get(url).text
    again = client.get(f"{url}?paper=half").text
    assert "REPRINT" not in first and "REPRINT" not in again
    assert f'data-print-url="{url}/prints"' in first

    one = client.post_json(f"{url}/prints", {"paper": "A4"})
    two = client.post_json(f"{url}/prints", {"paper": "half"})
    assert (one.json["copy"], two.json["copy"]) == (1, 2)
    after = client.get(url).text
    assert "REPRINT (copy 3)" in after
    assert "(reprint)" in after.split("</title>")[0]
    db.session.expire_all()
    formats = db.session.scalars(
        select(AuditEvent.after)
        .where(AuditEvent.action == INTAKE_FORM)
        .order_by(AuditEvent.id)
    ).all()
    assert [(f["copy"], f["format"]) for f in formats] == [(1, "A4"), (2, "half")]


def test_recording_a_print_needs_the_csrf_token(client, ticket, sales):
    sign_in(client, sales)

    response = client.post(f"/repairs/{ticket.id}/intake-form/prints", json={})

    assert response.status_code == 400
    db.session.expire_all()
    assert not db.session.scalar(
        select(func.count()).where(AuditEvent.action == INTAKE_FORM)
    )


def test_the_print_page_has_no_navigation_and_prints_from_static_files(
    client, ticket, sales
):
    sign_in(client, sales)

    page = client.get(f"/repairs/{ticket.id}/intake-form").text

    assert "navbar" not in page
    assert "/static/css/repair-print.css" in page
    assert "/static/js/receipt.js" in page
    assert "<style" not in page and "style=" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None


def test_the_print_stylesheet_sizes_the_page_for_a4_and_for_a5():
    css = (Path(jcicons.__file__).parent / "static/css/repair-print.css").read_text()

    assert re.search(r"@page intakeA4 \{ size: A4;", css)
    assert re.search(r"@page intakeA5 \{ size: A5;", css)
    assert ".intake-a4 {" in css and "page: intakeA4" in css
    assert "page: intakeA5" in css and "dashed" in css


@pytest.mark.parametrize("who", ["admin", "tech"])
def test_no_intake_print_shows_the_device_passcode(request, client, ticket, who):
    secret = ticket.passcode_encrypted
    assert decrypt_text(secret) == PASSCODE
    sign_in(client, request.getfixturevalue(who))

    pages = [
        client.get(f"/repairs/{ticket.id}/intake-form?paper={paper}")
        for paper in ("A4", "half")
    ]

    assert [p.status_code for p in pages] == [200, 200]
    for response in pages:
        assert PASSCODE not in response.text
        assert secret not in response.text
        assert "passcode" not in response.text.lower()


def test_a_tech_cannot_print_a_ticket_assigned_to_someone_else(
    client, ticket, other_tech
):
    sign_in(client, other_tech)

    assert client.get(f"/repairs/{ticket.id}/intake-form").status_code == 404


def test_the_assigned_tech_prints_without_contact_or_money_by_default(
    client, ticket, tech
):
    sign_in(client, tech)

    page = client.get(f"/repairs/{ticket.id}/intake-form").text

    assert section(page, "intake-customer") == "Maria Santos"
    assert "Screen replacement" in page
    assert "0917 555 0142" not in page and "555 0142" not in page
    assert "₱" not in page
    assert 'data-testid="intake-paid"' not in page


def test_the_assigned_tech_prints_contact_and_money_when_the_owner_allows(
    client, ticket, tech, admin
):
    change_settings(admin, TECH_CAN_VIEW_DETAILS=True)
    sign_in(client, tech)

    page = client.get(f"/repairs/{ticket.id}/intake-form").text

    assert section(page, "intake-mobile") == "0917 555 0142"
    assert section(page, "intake-paid") == "₱500.00"


def test_a_tech_prints_an_unassigned_ticket_of_the_queue(
    client, shop, make_ticket, other_tech
):
    queued = make_ticket()
    db.session.commit()
    sign_in(client, other_tech)

    response = client.get(f"/repairs/{queued.id}/intake-form")

    assert response.status_code == 200
    assert section(response.text, "intake-technician") == "to be assigned"


def test_a_tech_allowed_details_prints_none_of_them_for_a_ticket_of_the_queue(
    client, shop, make_ticket, other_tech, admin
):
    queued = make_ticket(deposit=cash(300_00))
    db.session.commit()
    change_settings(admin, TECH_CAN_VIEW_DETAILS=True)
    sign_in(client, other_tech)

    page = client.get(f"/repairs/{queued.id}/intake-form").text

    assert 'data-testid="intake-mobile"' not in page
    assert 'data-testid="intake-paid"' not in page
    assert "₱300.00" not in page


def test_the_claim_stub_prints_the_public_address_when_one_is_set(
    make_app, ticket, sales
):
    public = make_app(PUBLIC_BASE_URL="https://repairs.jcicons.ph")
    client = public.test_client()
    assert login(client, sales.username, STRONG_PASSWORD).status_code == 302

    page = client.get(f"/repairs/{ticket.id}/intake-form").text

    stub = page[page.index('data-testid="claim-stub"') :]
    link = f"https://repairs.jcicons.ph/status/t/{ticket.status_token}"
    assert f'data-status-url="{link}"' in stub
    assert section(stub, "claim-lookup") == "https://repairs.jcicons.ph/status"
    with public.test_request_context():
        assert str(qr_svg(link)) in stub
    assert "localhost" not in stub


# Long texts on the intake form -----------------------------------------------------


def test_a_text_that_fits_its_box_prints_whole():
    box = TextBox(rows=3, width=10)

    assert clamp_text("  twelve chars\nand more  ", box) == "twelve chars\nand more"
    assert clamp_text("x" * 20, box) == "x" * 20
    assert clamp_text("", box) == ""


def test_a_long_line_is_cut_at_the_last_row_of_its_box_with_an_ellipsis():
    box = TextBox(rows=2, width=10)

    assert clamp_text("abcdefghij" * 3, box) == "abcdefghijabcdefghi…"
    assert clamp_text("one two three four five six", box) == "one two three four…"


def test_each_line_takes_the_rows_it_wraps_onto():
    box = TextBox(rows=3, width=10)

    cut = clamp_text("first\nsecond line wraps\nthird\nfourth", box)

    assert cut == "first\nsecond line wraps…"
    assert clamp_text("a\nb\nc\nd", box) == "a\nb\nc…"


def test_the_ellipsis_takes_the_last_place_of_a_full_last_row():
    box = TextBox(rows=2, width=5)

    assert clamp_text("abcde\nfghij\nklm", box) == "abcde\nfghi…"


@pytest.mark.parametrize(
    ("paper", "rows", "ending"),
    [
        ("A4", 6, "goes black. Screen flickers…"),
        ("half", 4, "black. Screen flickers, then…"),
    ],
)
def test_a_long_problem_prints_cut_to_its_box_on_each_paper(
    client, shop, make_ticket, sales, paper, rows, ending
):
    problem = "Screen flickers, then goes black. " * 60
    opened = make_ticket(problem=problem)
    db.session.commit()
    sign_in(client, sales)

    page = client.get(f"/repairs/{opened.id}/intake-form?paper={paper}").text

    assert INTAKE_BOXES[paper]["problem"] == TextBox(rows=rows, width=48)
    printed = section(page, "intake-problem")
    assert len(printed) == rows * 48 and printed.endswith(ending)
    assert problem.startswith(printed[:-1])
    assert f'class="intake-text intake-box intake-rows-{rows}"' in page


def test_long_accessories_and_condition_notes_print_cut_on_the_half_page(
    client, shop, make_ticket, sales
):
    opened = make_ticket(
        accessories=["Charger or adapter"],
        accessories_note="sleeve " * 40,
        condition_notes="Hinge cracked.\nLid scratched.\nOne foot missing.",
    )
    db.session.commit()
    sign_in(client, sales)

    page = client.get(f"/repairs/{opened.id}/intake-form?paper=half").text

    assert section(page, "intake-accessories") == (
        "Charger or adapter; sleeve sleeve sleeve sleeve sleeve slee…"
    )
    assert section(page, "intake-condition-notes") == (
        "Notes: Hinge cracked.\nLid scratched.…"
    )


def test_a_long_device_and_customer_print_cut_on_the_claim_stub(
    client, shop, make_customer, make_ticket, sales
):
    name = "Maria Clara Concepcion de los Santos y Villanueva-Reyes III"
    opened = make_ticket(
        customer_id=make_customer(name).id,
        device_type=DeviceType.OTHER,
        device_name="Gaming handheld",
        brand="Ayaneo",
        model="Kun 7840U 64GB 4TB Limited Black Edition with dock",
    )
    db.session.commit()
    sign_in(client, sales)

    page = client.get(f"/repairs/{opened.id}/intake-form").text

    stub = page[page.index('data-testid="claim-stub"') :]
    assert section(stub, "claim-customer") == name
    assert section(stub, "claim-device") == (
        "Gaming handheld Ayaneo Kun 7840U 64GB 4TB Limited Black Edi…"
    )
    assert section(page, "intake-device") == (
        "Gaming handheld Ayaneo Kun 7840U 64GB 4TB Limited Black Edition with dock"
    )


@pytest.mark.parametrize("paper", ["A4", "half"])
def test_the_default_intake_terms_print_whole_on_either_paper(
    client, shop, ticket, admin, sales, paper
):
    change_settings(admin, REPAIR_INTAKE_TERMS=DEFAULT_INTAKE_TERMS)
    sign_in(client, sales)

    page = client.get(f"/repairs/{ticket.id}/intake-form?paper={paper}").text

    assert section(page, "intake-terms-text") == DEFAULT_INTAKE_TERMS.replace(
        "'", "&#39;"
    )


@pytest.mark.parametrize("paper", ["A4", "half"])
def test_the_longest_terms_the_settings_accept_print_whole(
    client, ticket, admin, sales, paper
):
    terms = ("Repairs are done at the customer risk. " * 30)[:800].strip()
    change_settings(admin, REPAIR_INTAKE_TERMS=terms)
    sign_in(client, sales)

    page = client.get(f"/repairs/{ticket.id}/intake-form?paper={paper}").text

    assert section(page, "intake-terms-text") == terms


def test_longer_terms_print_cut_at_the_terms_box(client, ticket, admin, sales):
    change_settings(admin, REPAIR_INTAKE_TERMS="Read me. " * 200)
    sign_in(client, sales)

    page = client.get(f"/repairs/{ticket.id}/intake-form").text

    printed = section(page, "intake-terms-text")
    assert printed == ("Read me. " * 98)[:879] + "…"
    assert printed.endswith("Read me. Read m…")


@pytest.mark.parametrize(("length", "accepted"), [(800, True), (801, False)])
def test_the_settings_take_intake_terms_only_as_long_as_the_printed_box(
    app, length, accepted
):
    with app.test_request_context():
        form = SettingsForm(
            formdata=MultiDict({"REPAIR_INTAKE_TERMS": "t" * length}),
            meta={"csrf": False},
        )
        form.validate()

    expected = (
        []
        if accepted
        else [
            "Keep the intake terms to 800 characters or fewer: that is what fits the "
            "terms box of the printed intake form."
        ]
    )
    assert form.REPAIR_INTAKE_TERMS.errors == expected


def settings_errors(app, terms: str) -> list[str]:
    with app.test_request_context():
        form = SettingsForm(
            formdata=MultiDict({"REPAIR_INTAKE_TERMS": terms}), meta={"csrf": False}
        )
        form.validate()
        return list(form.REPAIR_INTAKE_TERMS.errors)


def test_the_settings_refuse_terms_of_more_lines_than_the_box_prints(app):
    ten_clauses = "\r\n".join(f"{n}. Clause number {n}." for n in range(1, 11))
    eight_clauses = "\r\n".join(f"{n}. Clause number {n}." for n in range(1, 9))

    assert settings_errors(app, ten_clauses) == [
        "The intake terms take more than the eight printed lines of the terms box: "
        "join short lines or shorten them."
    ]
    assert settings_errors(app, eight_clauses) == []  # a browser's CRLF lines fit


def test_a_blank_line_before_the_cut_does_not_push_the_ellipsis_past_the_row():
    box = TextBox(rows=2, width=5)

    assert clamp_text("abcde\n\nk", box) == "abcd…"
    assert clamp_text("abc\n\nk", box) == "abc…"


@pytest.mark.parametrize("paper", ["A4", "half"])
def test_every_box_on_the_intake_form_is_clipped_by_the_stylesheet(
    client, ticket, sales, paper
):
    css = (Path(jcicons.__file__).parent / "static/css/repair-print.css").read_text()
    sign_in(client, sales)

    page = client.get(f"/repairs/{ticket.id}/intake-form?paper={paper}").text

    used = set(re.findall(r"intake-rows-(\d+)", page))
    assert used >= {"1", "2", "8"}
    for rows in used:
        assert f".intake-rows-{rows} {{ max-height: calc({rows} * 1.25em); }}" in css


# The release receipt ------------------------------------------------------------------


def test_the_release_receipt_shows_the_work_the_ledger_and_the_warranty(
    client, released, sales
):
    sign_in(client, sales)

    response = client.get(f"/repairs/{released.id}/release-receipt")

    page = response.text
    assert response.status_code == 200
    assert 'data-paper="80mm"' in page and "receipt-w80" in page
    assert "JC Icons Computer Center" in page and "12 Rizal Ave., Quezon City" in page
    assert "VAT Reg. TIN 123-456-789-00000" in page
    assert section(page, "release-number") == released.number
    assert section(page, "release-device") == "Laptop Acer Aspire 5"
    assert (
        section(page, "release-to") == "Pedro Santos (ID: Driver&#39;s licence N01-23)"
    )
    assert section(page, "release-by") == "Sales2"
    assert section(page, "release-when") == "2026-06-15 10:00"
    assert "Screen replacement (labour)" in page
    assert "RAM 8GB DDR4" in page and "1 x ₱1,800.00" in page
    assert figure(page, "diagnostic_fee") == "₱300.00"
    assert figure(page, "labour") == "₱2,500.00"
    assert figure(page, "parts") == "₱1,800.00"
    assert figure(page, "discount") == "-₱100.00"
    assert figure(page, "charges") == "₱4,500.00"
    assert figure(page, "paid") == "₱4,500.00"
    assert figure(page, "balance") == "₱0.00"
    assert 'data-amount="50000"' in page and 'data-amount="400000"' in page
    assert "GCash ref. GC-7788" in page and "Deposit at intake" in page
    assert 'data-testid="release-credit"' not in page
    assert section(page, "release-warranty") == "Warranty until 2026-09-13"
    assert "Warranty covers the same fault only." in page
    assert "Salamat po!" in page
    assert PASSCODE not in page and "REPRINT" not in page


def test_a_release_on_credit_prints_what_is_still_owed(client, ticket, admin, tech):
    walk_to(ticket, S.READY, tech)
    waive_charges(ticket, 200_00, "Loyal customer", admin)
    release_ticket(
        ticket, "Maria Santos", "", admin, on_credit=True, credit_reason="Company PO"
    )
    db.session.commit()
    sign_in(client, admin)

    page = client.get(f"/repairs/{ticket.id}/release-receipt").text

    assert figure(page, "waived") == "-₱200.00"
    assert figure(page, "charges") == "₱2,600.00"
    assert figure(page, "paid") == "₱500.00"
    assert figure(page, "balance") == "₱2,100.00"
    assert figure(page, "credit") == "₱2,100.00"
    assert "Released on credit" in page and "Credit: Company PO" in page


def test_the_release_receipt_follows_the_receipt_format_unless_asked(
    client, released, admin, sales
):
    change_settings(admin, RECEIPT_FORMAT="A4")
    sign_in(client, sales)
    url = f"/repairs/{released.id}/release-receipt"

    a4 = client.get(url).text
    client.post_json(f"{url}/prints", {"paper": "A4"})
    narrow = client.get(f"{url}?paper=58mm").text

    assert 'class="receipt receipt-a4"' in a4 and "receipt-a4-lines" in a4
    assert 'class="receipt receipt-w58"' in narrow
    assert "REPRINT (copy 2)" in narrow
    db.session.expire_all()
    count = db.session.scalar(
        select(func.count()).where(AuditEvent.action == RELEASE_RECEIPT)
    )
    assert count == 1


def test_a_release_receipt_print_is_refused_before_the_release(client, ticket, sales):
    sign_in(client, sales)

    response = client.post_json(f"/repairs/{ticket.id}/release-receipt/prints", {})

    assert response.status_code == 409


def test_the_release_receipt_waits_for_the_release(client, ticket, sales):
    sign_in(client, sales)

    response = client.get(f"/repairs/{ticket.id}/release-receipt")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/repairs/{ticket.id}")


def test_a_tech_cannot_print_a_release_receipt_without_the_money_toggle(
    client, released, tech
):
    sign_in(client, tech)

    assert client.get(f"/repairs/{released.id}/release-receipt").status_code == 403


def test_the_ticket_page_offers_the_intake_form_and_after_release_the_receipt(
    client, ticket, sales, admin
):
    sign_in(client, sales)
    before = client.get(f"/repairs/{ticket.id}").text
    walk_to(ticket, S.READY, admin)
    take_payment(ticket, cash(2_300_00), sales)
    release_ticket(ticket, "Maria Santos", "", sales)
    db.session.commit()

    after = client.get(f"/repairs/{ticket.id}").text

    assert f'href="/repairs/{ticket.id}/intake-form"' in before
    assert "release-receipt" not in before
    assert f'href="/repairs/{ticket.id}/release-receipt"' in after


def test_a_tech_is_offered_no_receipt_of_an_unassigned_ticket_they_cannot_print(
    client, shop, admin, sales, tech, make_ticket
):
    change_settings(admin, TECH_CAN_VIEW_DETAILS=True)
    unassigned = make_ticket(diagnostic_fee_centavos=300_00)
    walk_to(unassigned, S.CANCELLED, admin)
    take_payment(unassigned, cash(300_00), sales)
    release_ticket(unassigned, "Maria Santos", "", sales)
    db.session.commit()
    sign_in(client, tech)

    page = client.get(f"/repairs/{unassigned.id}").text

    assert f'href="/repairs/{unassigned.id}/intake-form"' in page
    assert "release-receipt" not in page
    receipt = client.get(f"/repairs/{unassigned.id}/release-receipt")
    assert receipt.status_code == 403


def test_the_qr_link_uses_the_public_address_when_one_is_set(make_app, make_user):
    from jcicons.repairs.printing import status_url

    public = make_app(PUBLIC_BASE_URL="https://repairs.jcicons.ph")
    with public.test_request_context("/"):
        ticket = RepairTicket(status_token="tok-123")
        assert status_url(ticket) == "https://repairs.jcicons.ph/status/t/tok-123"
