"""The point of sale through the test client: the screen, pricing, checkout."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from markupsafe import escape
from sqlalchemy import select

from helpers import STRONG_PASSWORD
from jcicons.audit.models import SecurityEvent
from jcicons.extensions import db
from jcicons.security.capabilities import CAPABILITIES
from sales.pos_helpers import Counter, checkout_form, line, page_key, pay, soon


@pytest.fixture
def counter(app, make_user) -> Counter:
    return Counter(app, make_user("ADMIN", username="owner").id)


def security_events(app, event: str) -> list[SecurityEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(SecurityEvent).where(SecurityEvent.event == event)
            )
        )


@pytest.mark.parametrize("role", ["ADMIN", "SALES"])
def test_the_counter_screen_opens_for_admin_and_sales_with_a_fresh_key(
    client, login_as, role
):
    login_as(role)
    first = client.get("/pos/")
    second = client.get("/pos/")
    assert first.status_code == 200
    assert "Point of sale" in first.text and "js/pos.js" in first.text
    assert len(page_key(first.text)) >= 20
    assert page_key(first.text) != page_key(second.text)
    assert 'href="/pos/"' in client.get("/").text


def test_a_technician_is_refused_the_counter_and_not_offered_it(client, login_as):
    login_as("TECH")
    response = client.get("/pos/")
    assert response.status_code == 403
    assert "switched off" not in response.text
    assert 'href="/pos/"' not in client.get("/").text


@pytest.mark.parametrize("role", ["ADMIN", "SALES"])
def test_the_counter_offers_to_add_a_customer_to_those_who_see_customers(
    client, login_as, role
):
    login_as(role)
    page = client.get("/pos/").text
    assert 'data-customer-quick-url="/customers/quick"' in page
    assert 'data-testid="pos-quick-customer"' in page
    assert 'id="pos-quick-mobile"' in page


def test_the_counter_hides_customer_search_and_adding_without_customers_view(
    client, login_as, monkeypatch
):
    sales_blind = replace(CAPABILITIES["customers.view"], sales=False)
    monkeypatch.setitem(CAPABILITIES, "customers.view", sales_blind)
    login_as("SALES")

    page = client.get("/pos/").text

    assert 'data-customer-quick-url=""' in page
    assert 'data-customer-search-url=""' in page
    assert "pos-quick-customer" not in page and "pos-customer-search" not in page
    assert client.post_json("/customers/quick", {"name": "Ana"}).status_code == 403


@pytest.mark.parametrize("role", ["ADMIN", "SALES"])
def test_with_the_pos_switched_off_the_counter_says_so_and_refuses_checkout(
    app, client, counter, login_as, role
):
    mouse = counter.product("Logitech M331", 899_00, on_hand=3)
    counter.settings(POS_ENABLED=False)
    login_as(role)

    page = client.get("/pos/")
    sent = client.post_form(
        "/pos/checkout", checkout_form([line(mouse)], [pay("CASH", "899.00")])
    )

    assert page.status_code == 403
    assert "The point of sale is switched off" in page.text
    assert sent.status_code == 403
    assert counter.sales() == []
    assert 'href="/pos/"' not in client.get("/").text


def test_the_price_endpoint_prices_from_the_catalogue_with_the_vat_breakdown(
    client, counter, login_as
):
    laptop = counter.product("Acer Aspire 5", 28_000_00, on_hand=2)
    labour = counter.product("OS install", 500_00, is_service=True, vat_class="EXEMPT")
    login_as("SALES")

    response = client.post_json(
        "/pos/price",
        {
            "lines": [
                line(
                    laptop,
                    1,
                    price_centavos=1,
                    discount_kind="amount",
                    discount_value="1,000",
                ),
                line(labour, 2),
            ],
            "sale_discount_kind": "percent",
            "sale_discount_value": "10",
        },
    )

    body = response.get_json()
    assert response.status_code == 200
    assert body["subtotal_centavos"] == 29_000_00
    assert body["line_discounts_centavos"] == 1_000_00
    assert body["sale_discount_centavos"] == 2_800_00
    assert body["total_centavos"] == 25_200_00
    assert body["vat_centavos"] == 2_603_57  # 12/112 of the 24,300.00 VATable
    assert body["vatable_sales_centavos"] + body["vat_centavos"] == 24_300_00
    assert body["exempt_sales_centavos"] == 900_00
    assert [row["name"] for row in body["lines"]] == ["Acer Aspire 5", "OS install"]


def test_the_price_endpoint_explains_a_cart_it_cannot_price(client, counter, login_as):
    login_as("SALES")
    response = client.post_json("/pos/price", {"lines": [line(9999)]})
    assert response.status_code == 422
    assert "no longer exists" in response.get_json()["error"]


def test_serials_lists_the_units_in_stock_of_a_product(client, counter, login_as):
    phone = counter.product(
        "Galaxy A15", 9_990_00, serials=["IMEI-B", "IMEI-A"], is_serialized=True
    )
    login_as("SALES")
    assert client.get(f"/pos/serials/{phone}").get_json() == {
        "serials": ["IMEI-A", "IMEI-B"]
    }
    assert client.get("/pos/serials/9999").status_code == 404


def test_checkout_takes_prices_from_the_catalogue_and_stores_the_change(
    client, counter, login_as
):
    mouse = counter.product("Logitech M331", 899_00, on_hand=5)
    login_as("SALES")
    form = checkout_form(
        [line(mouse, 2, price_centavos=1, net_centavos=1)],
        [pay("CASH", "1,798.00", tendered="2,000")],
        total_centavos="1",
    )

    response = client.post_form("/pos/checkout", form)

    assert response.status_code == 302
    [sale] = counter.sales()
    assert response.headers["Location"].endswith(f"/sales/{sale.id}/receipt?fresh=1")
    assert sale.total_centavos == 1_798_00
    [payment] = sale.payments
    assert (payment.amount_centavos, payment.change_centavos) == (1_798_00, 202_00)
    receipt = client.get(response.headers["Location"]).text
    assert 'data-testid="receipt-change">₱202.00' in receipt


def test_a_non_cash_payment_without_a_reference_is_refused_and_the_cart_kept(
    client, counter, login_as
):
    mouse = counter.product("Logitech M331", 899_00, on_hand=5)
    login_as("SALES")
    form = checkout_form([line(mouse, 1)], [pay("GCASH", "899")], key="key-gcash-1")

    response = client.post_form("/pos/checkout", form)

    assert response.status_code == 422
    assert "Enter the reference number of the GCash payment." in response.text
    assert str(escape(form["cart"])) in response.text  # the cart comes back
    assert page_key(response.text) == "key-gcash-1"
    assert counter.sales() == []


def test_a_sale_can_be_split_across_gcash_and_cash(client, counter, login_as):
    case = counter.product("Phone case", 1_000_00, on_hand=2)
    login_as("SALES")
    payments = [
        pay("GCASH", "600", reference="GC-123"),
        pay("CASH", "400", tendered="500"),
    ]

    response = client.post_form("/pos/checkout", checkout_form([line(case)], payments))

    assert response.status_code == 302
    [sale] = counter.sales()
    methods = sorted((p.method, p.amount_centavos, p.reference) for p in sale.payments)
    assert methods == [("CASH", 400_00, ""), ("GCASH", 600_00, "GC-123")]


def test_credit_within_the_limit_is_charged_and_over_it_refused(
    client, counter, login_as
):
    printer = counter.product("Epson L3210", 9_000_00, on_hand=3)
    buyer = counter.customer(credit_limit=15_000_00)
    login_as("SALES")
    due = soon()
    on_account = {
        "customer_id": str(buyer),
        "charge_to_account": "y",
        "due_date": due,
    }

    first = client.post_form(
        "/pos/checkout",
        checkout_form([line(printer)], [pay("CASH", "1,000")], **on_account),
    )
    second = client.post_form(
        "/pos/checkout", checkout_form([line(printer)], [], **on_account)
    )

    assert first.status_code == 302
    [sale] = counter.sales()
    assert (sale.is_credit, sale.due_date.isoformat()) == (True, due)
    assert second.status_code == 422
    assert "over their credit limit of ₱15,000.00" in second.text


def test_a_sales_discount_over_the_cap_needs_an_admin_password(
    app, client, counter, make_user, login_as
):
    monitor = counter.product("Monitor 24in", 7_000_00, on_hand=3)
    make_user("ADMIN", username="boss")
    login_as("SALES")
    cart = [line(monitor, 1, discount_kind="percent", discount_value="15")]
    payments = [pay("CASH", "5,950")]

    asked = client.post_form("/pos/checkout", checkout_form(cart, payments))
    wrong = client.post_form(
        "/pos/checkout",
        checkout_form(
            cart,
            payments,
            approver_username="boss",
            approver_password="not-the-password",
        ),
    )

    assert asked.status_code == 422
    assert "an ADMIN must approve it with their password" in asked.text
    assert 'id="approver_password"' in asked.text
    assert wrong.status_code == 422
    assert "That ADMIN username or password is wrong." in wrong.text
    assert [
        e.detail["approver"] for e in security_events(app, "discount_approval_failed")
    ] == ["boss"]
    assert counter.sales() == []

    right = client.post_form(
        "/pos/checkout",
        checkout_form(
            cart, payments, approver_username="boss", approver_password=STRONG_PASSWORD
        ),
    )
    assert right.status_code == 302
    [sale] = counter.sales()
    assert sale.discount_approved_by_id is not None
    assert sale.total_centavos == 5_950_00


def test_a_sales_clerk_cannot_approve_their_own_discount(
    app, client, counter, login_as
):
    monitor = counter.product("Monitor 24in", 7_000_00, on_hand=3)
    clerk = login_as("SALES")
    response = client.post_form(
        "/pos/checkout",
        checkout_form(
            [line(monitor, 1, discount_kind="percent", discount_value="15")],
            [pay("CASH", "5,950")],
            approver_username=clerk.username,
            approver_password=STRONG_PASSWORD,
        ),
    )
    assert response.status_code == 422
    assert "Only an ADMIN can approve the discount." in response.text
    assert counter.sales() == []


def test_sending_the_same_form_twice_makes_one_sale(client, counter, login_as):
    cable = counter.product("HDMI cable", 250_00, on_hand=5)
    login_as("SALES")
    form = checkout_form([line(cable)], [pay("CASH", "250")], key="double-click-1")

    first = client.post_form("/pos/checkout", form)
    again = client.post_form("/pos/checkout", form)

    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert len(counter.sales()) == 1


def test_selling_more_than_is_on_hand_gives_a_clear_message(client, counter, login_as):
    cable = counter.product("HDMI cable", 250_00, on_hand=1)
    login_as("SALES")
    form = checkout_form([line(cable, 2)], [pay("CASH", "500")])

    response = client.post_form("/pos/checkout", form)

    assert response.status_code == 422
    assert "Only 1 pc of HDMI cable on hand; 2 needed." in response.text
    assert str(escape(form["cart"])) in response.text
    assert counter.sales() == []


def test_a_serialized_product_sells_the_picked_unit(client, counter, login_as):
    phone = counter.product(
        "Galaxy A15", 9_990_00, serials=["IMEI-1", "IMEI-2"], is_serialized=True
    )
    login_as("SALES")
    form = checkout_form(
        [line(phone, 1, serials=["IMEI-2"])], [pay("CARD", "9,990", reference="A-1")]
    )
    assert client.post_form("/pos/checkout", form).status_code == 302
    assert client.get(f"/pos/serials/{phone}").get_json()["serials"] == ["IMEI-1"]


def test_a_damaged_cart_is_refused_with_a_message(client, counter, login_as):
    login_as("SALES")
    form = checkout_form([], [pay("CASH", "1")])
    form["cart"] = json.dumps({"not": "a list"})
    response = client.post_form("/pos/checkout", form)
    assert response.status_code == 422
    assert "The cart could not be read" in response.text


def test_a_checkout_that_loses_the_race_on_its_key_shows_the_sale_already_made(
    client, counter, login_as, monkeypatch
):
    import jcicons.sales.services as services
    import jcicons.sales.views.pos as pos_views

    cable = counter.product("HDMI cable", 250_00, on_hand=5)
    login_as("SALES")
    form = checkout_form([line(cable)], [pay("CASH", "250")], key="raced-key-1")
    assert client.post_form("/pos/checkout", form).status_code == 302
    real_lookup = services.find_sale_by_key
    looked = []

    def blind_first(key: str):
        looked.append(key)
        return None if len(looked) == 1 else real_lookup(key)

    # Both look-ups miss the first sale, as when two requests run side by side.
    monkeypatch.setattr(services, "find_sale_by_key", lambda key: None)
    monkeypatch.setattr(pos_views, "find_sale_by_key", blind_first)

    again = client.post_form("/pos/checkout", form)

    assert again.status_code == 302
    [sale] = counter.sales()
    assert again.headers["Location"].endswith(f"/sales/{sale.id}/receipt?fresh=1")


def test_guessing_an_admin_password_at_the_counter_hits_the_sign_in_throttle(
    client, counter, make_user, login_as
):
    monitor = counter.product("Monitor 24in", 7_000_00, on_hand=3)
    make_user("ADMIN", username="boss")
    login_as("SALES")
    cart = [line(monitor, 1, discount_kind="percent", discount_value="15")]

    def attempt(password: str):
        form = checkout_form(
            cart,
            [pay("CASH", "5,950")],
            approver_username="boss",
            approver_password=password,
        )
        return client.post_form("/pos/checkout", form)

    for guess in range(5):
        assert "username or password is wrong" in attempt(f"Guess-{guess}").text
    refused = attempt(STRONG_PASSWORD)
    assert "Too many wrong passwords for that ADMIN" in refused.text
    assert counter.sales() == []
