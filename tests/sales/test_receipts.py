"""Receipts: the shop profile, VAT lines, paper sizes, the peso sign and reprints;
and the shop-profile settings they read."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jcicons.audit.models import AuditEvent
from jcicons.extensions import db
from jcicons.settings.services import get_settings
from sales.pos_helpers import Counter, checkout_form, line, pay


@pytest.fixture
def counter(app, make_user) -> Counter:
    return Counter(app, make_user("ADMIN", username="owner").id)


def sell(client, counter: Counter, cart, payments) -> int:
    response = client.post_form("/pos/checkout", checkout_form(cart, payments))
    assert response.status_code == 302, response.text
    return counter.sales()[-1].id


def vat_figure(page: str, name: str) -> str:
    match = re.search(rf'data-vat="{name}">([^<]+)<', page)
    assert match, f"no {name} line on the receipt"
    return match.group(1)


def test_a_vat_registered_receipt_shows_the_breakdown_that_adds_up(
    client, counter, login_as
):
    counter.settings(
        SHOP_ADDRESS="12 Rizal Ave., Quezon City",
        SHOP_TIN="123-456-789-00000",
        SHOP_PHONES="0917 555 0101",
        WARRANTY_TERMS="7 days replacement.",
    )
    laptop = counter.product("Acer Aspire 5", 28_995_00, on_hand=1)
    labour = counter.product(
        "OS install", 1_000_00, is_service=True, vat_class="EXEMPT"
    )
    disc = counter.product("Export disc", 500_00, on_hand=1, vat_class="ZERO_RATED")
    login_as("SALES")
    sale_id = sell(
        client,
        counter,
        [line(laptop), line(labour), line(disc)],
        [pay("CASH", "30,495.00", tendered="31,000")],
    )

    page = client.get(f"/sales/{sale_id}/receipt").text

    [sale] = counter.sales()
    parts = (
        sale.vatable_sales_centavos,
        sale.exempt_sales_centavos,
        sale.zero_rated_sales_centavos,
        sale.vat_centavos,
    )
    assert sum(parts) == sale.total_centavos == 30_495_00
    assert vat_figure(page, "vatable") == "₱25,888.39"
    assert vat_figure(page, "vat") == "₱3,106.61"
    assert vat_figure(page, "exempt") == "₱1,000.00"
    assert vat_figure(page, "zero") == "₱500.00"
    assert "VAT Reg. TIN 123-456-789-00000" in page
    assert "12 Rizal Ave., Quezon City" in page and "0917 555 0101" in page
    assert "7 days replacement." in page
    assert 'data-testid="receipt-change">₱505.00' in page
    assert "REPRINT" not in page


def test_a_non_vat_shop_receipt_says_so_and_shows_no_vat_lines(
    client, counter, login_as
):
    counter.settings(VAT_REGISTERED=False)
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    login_as("SALES")
    sale_id = sell(client, counter, [line(mouse)], [pay("CASH", "899")])

    page = client.get(f"/sales/{sale_id}/receipt").text

    assert "This shop is not VAT-registered." in page
    assert "VATable" not in page and "VAT (12%)" not in page
    assert "Non-VAT Reg. TIN" in page


def test_the_peso_sign_falls_back_to_php_for_printers_without_it(
    client, counter, login_as
):
    counter.settings(PESO_SIGN_FALLBACK=True)
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    login_as("SALES")
    sale_id = sell(
        client, counter, [line(mouse)], [pay("CASH", "899", tendered="1000")]
    )

    page = client.get(f"/sales/{sale_id}/receipt").text

    assert 'data-testid="receipt-total">PHP 899.00' in page
    assert 'data-testid="receipt-change">PHP 101.00' in page
    assert "₱" not in page


def print_copies(app) -> list[tuple[int, str]]:
    with app.app_context():
        return [
            (row.after["copy"], row.after["format"])
            for row in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "sale.print")
                .order_by(AuditEvent.id)
            )
        ]


def test_showing_switching_paper_and_reloading_record_no_print(
    app, client, counter, login_as
):
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    login_as("SALES")
    sale_id = sell(client, counter, [line(mouse)], [pay("CASH", "899")])

    pages = [
        client.get(f"/sales/{sale_id}/receipt?fresh=1").text,
        client.get(f"/sales/{sale_id}/receipt?paper=A4").text,
        client.get(f"/sales/{sale_id}/receipt?paper=58mm").text,
        client.get(f"/sales/{sale_id}/receipt").text,
    ]

    assert all("REPRINT" not in page for page in pages)
    assert print_copies(app) == []
    assert f'data-print-url="/sales/{sale_id}/receipt/prints"' in pages[1]
    assert 'name="csrf-token"' in pages[1]


def test_the_print_button_records_each_print_and_later_pages_say_reprint(
    app, client, counter, login_as
):
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    login_as("SALES")
    sale_id = sell(client, counter, [line(mouse)], [pay("CASH", "899")])
    prints = f"/sales/{sale_id}/receipt/prints"

    first = client.post_json(prints, {"paper": "80mm"})
    after_first = client.get(f"/sales/{sale_id}/receipt?paper=A4").text
    second = client.post_json(prints, {"paper": "A4"})
    after_second = client.get(f"/sales/{sale_id}/receipt").text

    assert (first.status_code, first.json) == (
        200,
        {"number": "INV-000001", "copy": 1},
    )
    assert second.json["copy"] == 2
    assert "REPRINT (copy 2)" in after_first
    assert "REPRINT (copy 3)" in after_second
    assert print_copies(app) == [(1, "80mm"), (2, "A4")]


def test_recording_a_print_needs_the_csrf_token_and_the_right(
    app, client, counter, login_as
):
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    login_as("SALES")
    sale_id = sell(client, counter, [line(mouse)], [pay("CASH", "899")])

    forged = client.post(f"/sales/{sale_id}/receipt/prints", json={"paper": "A4"})
    client.post_form("/auth/logout")
    login_as("TECH")
    refused = client.post_json(f"/sales/{sale_id}/receipt/prints", {})

    assert forged.status_code == 400
    assert refused.status_code == 403
    assert print_copies(app) == []


def test_the_paper_follows_the_setting_and_one_print_may_choose_another(
    client, counter, login_as
):
    counter.settings(RECEIPT_FORMAT="58mm")
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    login_as("SALES")
    sale_id = sell(client, counter, [line(mouse)], [pay("CASH", "899")])

    default = client.get(f"/sales/{sale_id}/receipt").text
    a4 = client.get(f"/sales/{sale_id}/receipt?paper=A4").text
    unknown = client.get(f"/sales/{sale_id}/receipt?paper=legal").text

    assert 'data-paper="58mm"' in default and "receipt-w58" in default
    assert 'data-paper="A4"' in a4 and "receipt-a4-lines" in a4
    assert 'data-paper="58mm"' in unknown


def test_each_computer_keeps_the_paper_it_picked(app, client, counter, login_as):
    counter.settings(RECEIPT_FORMAT="80mm")
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    login_as("SALES")
    sale_id = sell(client, counter, [line(mouse)], [pay("CASH", "899")])

    picked = client.get(f"/sales/{sale_id}/receipt?paper=A4")
    later = client.get(f"/sales/{sale_id}/receipt").text
    other_computer = app.test_client()
    other_computer.set_cookie("jcicons", client.get_cookie("jcicons").value)

    assert "HttpOnly" in picked.headers["Set-Cookie"]
    assert 'data-paper="A4"' in later
    assert 'data-paper="80mm"' in other_computer.get(f"/sales/{sale_id}/receipt").text


def test_a_technician_cannot_print_a_receipt(client, counter, login_as):
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    login_as("SALES")
    sale_id = sell(client, counter, [line(mouse)], [pay("CASH", "899")])
    client.post_form("/auth/logout")
    login_as("TECH")
    assert client.get(f"/sales/{sale_id}/receipt").status_code == 403


def profile_form(**changes: str) -> dict[str, str]:
    return {
        "SHOP_NAME": "JC Icons",
        "POS_ENABLED": "y",
        "VAT_REGISTERED": "y",
        "SALES_DISCOUNT_CAP_PERCENT": "10",
        "RECEIPT_FORMAT": "80mm",
        "REPAIR_INTAKE_FORMAT": "A4",
        "REPAIR_UNCLAIMED_DAYS": "30",
        **changes,
    }


def test_the_shop_profile_is_saved_from_the_settings_page(app, client, login_as):
    login_as("ADMIN")
    response = client.post_form(
        "/admin/settings",
        profile_form(
            SHOP_TIN="123-456-789-000",
            SALES_DISCOUNT_CAP_PERCENT="15",
            RECEIPT_FORMAT="A4",
            PESO_SIGN_FALLBACK="y",
            RECEIPT_FOOTER="Salamat po!",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        stored = get_settings()
    assert stored["SHOP_TIN"] == "123-456-789-000"
    assert stored["SALES_DISCOUNT_CAP_PERCENT"] == 15
    assert (stored["RECEIPT_FORMAT"], stored["PESO_SIGN_FALLBACK"]) == ("A4", True)
    assert stored["RECEIPT_FOOTER"] == "Salamat po!"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SALES_DISCOUNT_CAP_PERCENT": "101"}, "Enter a percentage from 0 to 100."),
        ({"SALES_DISCOUNT_CAP_PERCENT": "-1"}, "Enter a percentage from 0 to 100."),
        ({"SHOP_TIN": "12345"}, "Write the TIN as 123-456-789-00000"),
        ({"RECEIPT_FORMAT": "legal"}, "Not a valid choice"),
    ],
)
def test_a_bad_shop_profile_is_refused(app, client, login_as, changes, message):
    login_as("ADMIN")
    response = client.post_form("/admin/settings", profile_form(**changes))
    assert response.status_code == 422
    assert message in response.text
    with app.app_context():
        assert get_settings()["SALES_DISCOUNT_CAP_PERCENT"] == 10
