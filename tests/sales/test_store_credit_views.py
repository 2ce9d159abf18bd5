"""Store credit on the screens: the return form, payments on a balance, the counter
and the receipt."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jcicons.auth.models import User
from jcicons.customers.models import Customer
from jcicons.extensions import db
from jcicons.sales.models import Payment, PaymentMethod, Sale
from jcicons.sales.services import (
    ReturnInput,
    return_items,
    store_credit_balance,
)
from sales.pos_helpers import Counter, checkout_form, line, pay, soon


class CreditCounter(Counter):
    """The counter's helpers, plus a return refunded as store credit."""

    def refund_as_credit(self, sale_id: int, quantity: int = 1) -> None:
        with self.app.app_context():
            sale = db.session.get(Sale, sale_id)
            item = ReturnInput(sale.lines[0].id, quantity)
            admin = db.session.get(User, self.admin_id)
            credit = PaymentMethod.STORE_CREDIT
            return_items(sale, [item], "Changed their mind", credit, admin)
            db.session.commit()

    def balance(self, customer_id: int) -> int:
        with self.app.app_context():
            return store_credit_balance(customer_id)

    def ledger(self, sale_id: int) -> list[tuple[str, int]]:
        with self.app.app_context():
            rows = db.session.scalars(
                select(Payment).where(Payment.sale_id == sale_id).order_by(Payment.id)
            )
            return [(p.method, p.amount_centavos) for p in rows]


@pytest.fixture
def counter(app, make_user) -> CreditCounter:
    return CreditCounter(app, make_user("ADMIN", username="owner").id)


def ring_up(client, counter, cart, payments, **fields) -> int:
    response = client.post_form(
        "/pos/checkout", checkout_form(cart, payments, **fields)
    )
    assert response.status_code == 302, response.text
    return counter.sales()[-1].id


def refund_options(page: str) -> list[str]:
    select_html = re.search(r'<select[^>]*name="refund_method".*?</select>', page, re.S)
    assert select_html, "no refund method on the page"
    return re.findall(r'<option[^>]*value="([A-Z_]+)"', select_html.group(0))


@pytest.fixture
def with_credit(client, counter, login_as) -> tuple[int, int]:
    """A customer holding ₱500.00 of store credit, and a ₱500.00 mouse in stock;
    returns (customer id, mouse id), with a SALES clerk signed in."""
    mouse = counter.product("Logitech M331", 500_00, on_hand=10)
    buyer = counter.customer("Ana Reyes")
    login_as("SALES")
    sale_id = ring_up(
        client,
        counter,
        [line(mouse, 2)],
        [pay("CASH", "1,000")],
        customer_id=str(buyer),
    )
    counter.refund_as_credit(sale_id)
    return buyer, mouse


# Returns ----------------------------------------------------------------------------


def test_the_return_form_offers_store_credit_only_for_a_customers_sale(
    client, counter, login_as
):
    mouse = counter.product("Logitech M331", 500_00, on_hand=5)
    buyer = counter.customer("Ana Reyes")
    login_as("SALES")
    walk_in = ring_up(client, counter, [line(mouse)], [pay("CASH", "500")])
    theirs = ring_up(
        client, counter, [line(mouse)], [pay("CASH", "500")], customer_id=str(buyer)
    )

    walk_in_page = client.get(f"/sales/{walk_in}/return").text
    their_page = client.get(f"/sales/{theirs}/return").text

    assert "STORE_CREDIT" not in refund_options(walk_in_page)
    assert refund_options(their_page)[-1] == "STORE_CREDIT"
    assert ">Store credit</option>" in their_page
    assert "Store credit goes to Ana Reyes's account" in their_page
    assert "a walk-in sale is refunded by cash" in walk_in_page
    for page in (walk_in_page, their_page):
        assert "not offered as a refund yet" not in page


def test_a_return_refunded_as_store_credit_shows_on_the_sale_and_customer(
    client, counter, login_as
):
    mouse = counter.product("Logitech M331", 500_00, on_hand=5)
    buyer = counter.customer("Ana Reyes")
    login_as("SALES")
    sale_id = ring_up(
        client,
        counter,
        [line(mouse, 2)],
        [pay("CASH", "1,000")],
        customer_id=str(buyer),
    )
    [sale] = counter.sales()

    page = client.post_form(
        f"/sales/{sale_id}/return",
        {
            f"qty-{sale.lines[0].id}": "1",
            "refund_method": "STORE_CREDIT",
            "reason": "Changed their mind",
        },
        follow_redirects=True,
    ).text

    assert "Return recorded as credit memo CM-000001." in page
    assert "refund by Store credit" in page
    assert counter.ledger(sale_id) == [("CASH", 1_000_00), ("STORE_CREDIT", -500_00)]
    customer_page = client.get(f"/customers/{buyer}").text
    assert 'data-testid="store-credit">₱500.00<' in customer_page


def test_a_walk_in_return_as_store_credit_is_refused_with_a_reason(
    client, counter, login_as
):
    mouse = counter.product("Logitech M331", 500_00, on_hand=5)
    login_as("SALES")
    sale_id = ring_up(client, counter, [line(mouse)], [pay("CASH", "500")])
    [sale] = counter.sales()

    response = client.post_form(
        f"/sales/{sale_id}/return",
        {
            f"qty-{sale.lines[0].id}": "1",
            "refund_method": "STORE_CREDIT",
            "reason": "Changed their mind",
        },
    )

    assert response.status_code == 422
    assert "Store credit belongs to a customer, and this sale has none" in (
        response.text
    )
    assert counter.ledger(sale_id) == [("CASH", 500_00)]


@pytest.mark.parametrize("method", ["BITCOIN", ""])
def test_an_unknown_refund_method_is_refused_not_a_crash(
    client, counter, login_as, method
):
    mouse = counter.product("Logitech M331", 500_00, on_hand=5)
    login_as("SALES")
    sale_id = ring_up(client, counter, [line(mouse)], [pay("CASH", "500")])
    [sale] = counter.sales()

    response = client.post_form(
        f"/sales/{sale_id}/return",
        {f"qty-{sale.lines[0].id}": "1", "refund_method": method, "reason": "x"},
    )

    assert response.status_code == 422
    assert "Choose a method from the list." in response.text


# Payments on a balance -------------------------------------------------------------


def test_store_credit_pays_an_open_balance_from_the_sale_page(
    client, counter, with_credit
):
    buyer, mouse = with_credit
    with client.application.app_context():
        row = db.session.get(Customer, buyer)
        row.credit_limit_centavos = 5_000_00
        db.session.commit()
    owed = ring_up(
        client,
        counter,
        [line(mouse, 2)],
        [],
        customer_id=str(buyer),
        charge_to_account="y",
        due_date=soon(),
    )

    page = client.get(f"/sales/{owed}").text
    over = client.post_form(
        f"/sales/{owed}/payments", {"method": "STORE_CREDIT", "amount": "600"}
    )
    paid = client.post_form(
        f"/sales/{owed}/payments",
        {"method": "STORE_CREDIT", "amount": "500"},
        follow_redirects=True,
    )

    assert "has <strong>₱500.00</strong> of store credit" in page
    assert '<option value="STORE_CREDIT">Store credit</option>' in page
    assert over.status_code == 422
    assert "Ana Reyes has ₱500.00 of store credit: a store-credit payment of " in (
        over.text
    )
    assert 'data-testid="balance">₱500.00' in paid.text
    assert counter.balance(buyer) == 0


def test_the_payment_form_offers_no_store_credit_to_a_customer_without_any(
    client, counter, login_as
):
    mouse = counter.product("Logitech M331", 500_00, on_hand=5)
    buyer = counter.customer("Ana Reyes", credit_limit=5_000_00)
    login_as("SALES")
    owed = ring_up(
        client,
        counter,
        [line(mouse)],
        [],
        customer_id=str(buyer),
        charge_to_account="y",
        due_date=soon(),
    )

    page = client.get(f"/sales/{owed}").text

    assert 'data-testid="payment-form"' in page
    assert "STORE_CREDIT" not in page
    assert 'data-testid="store-credit"' not in page


# The counter -------------------------------------------------------------------------


def test_the_counter_reports_a_customers_store_credit(client, counter, with_credit):
    buyer, _ = with_credit

    answer = client.get(f"/pos/customers/{buyer}/store-credit")
    page = client.get("/pos/").text

    assert answer.json == {"customer_id": buyer, "balance_centavos": 500_00}
    assert client.get("/pos/customers/999999/store-credit").status_code == 404
    assert 'data-testid="pos-store-credit"' in page
    assert 'value="STORE_CREDIT" data-store-credit hidden disabled' in page


def test_a_technician_cannot_read_store_credit_at_the_counter(
    client, counter, login_as
):
    buyer = counter.customer("Ana Reyes")
    login_as("TECH")
    assert client.get(f"/pos/customers/{buyer}/store-credit").status_code == 403


def test_the_counter_takes_store_credit_and_the_receipt_names_it(
    client, counter, with_credit
):
    buyer, mouse = with_credit

    response = client.post_form(
        "/pos/checkout",
        checkout_form(
            [line(mouse, 2)],
            [pay("STORE_CREDIT", "500"), pay("CASH", "500", tendered="1,000")],
            customer_id=str(buyer),
        ),
    )
    sale = counter.sales()[-1]
    receipt = client.get(f"/sales/{sale.id}/receipt").text

    assert response.status_code == 302
    assert sorted(counter.ledger(sale.id)) == [
        ("CASH", 500_00),
        ("STORE_CREDIT", 500_00),
    ]
    assert "<th>Store credit</th>" in receipt
    assert counter.balance(buyer) == 0


def test_the_counter_refuses_store_credit_beyond_the_balance_or_without_a_customer(
    client, counter, with_credit
):
    buyer, mouse = with_credit

    over = client.post_form(
        "/pos/checkout",
        checkout_form(
            [line(mouse, 2)], [pay("STORE_CREDIT", "1,000")], customer_id=str(buyer)
        ),
    )
    walk_in = client.post_form(
        "/pos/checkout", checkout_form([line(mouse)], [pay("STORE_CREDIT", "500")])
    )

    assert over.status_code == 422
    assert (
        "Ana Reyes has ₱500.00 of store credit: a store-credit payment of ₱1,000.00 "
        "is more than that."
    ) in over.text
    assert walk_in.status_code == 422
    assert "Choose the customer whose store credit pays for this sale." in (
        walk_in.text
    )
    assert len(counter.sales()) == 1
    assert counter.balance(buyer) == 500_00
