"""Printed documents beyond the plain receipt: the business buyer on the invoice,
the credit memo of a return, and the returns listed on the original invoice."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from jcicons.audit.models import AuditEvent
from jcicons.customers.models import Customer
from jcicons.extensions import db
from jcicons.sales.models import CreditMemo
from sales.pos_helpers import Counter, checkout_form, line, pay, soon

BUYER = {
    "business_name": "Santos Hardware",
    "tin": "123-456-789-00000",
    "address": "12 Rizal St, Cebu City",
}


@pytest.fixture
def counter(app, make_user) -> Counter:
    return Counter(app, make_user("ADMIN", username="owner").id)


def sell(client, counter: Counter, cart, payments, **fields) -> int:
    form = checkout_form(cart, payments, **fields)
    response = client.post_form("/pos/checkout", form)
    assert response.status_code == 302, response.text
    return counter.sales()[-1].id


class _TextOf(HTMLParser):
    """Collect the text inside the first element carrying a data-testid."""

    VOID = {"br", "hr", "img", "input", "meta", "link"}

    def __init__(self, testid: str) -> None:
        super().__init__()
        self.testid = testid
        self.depth = 0
        self.words: list[str] = []
        self.found = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.VOID:
            return
        if self.depth:
            self.depth += 1
        elif not self.found and dict(attrs).get("data-testid") == self.testid:
            self.found, self.depth = True, 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.words.extend(data.split())


def text_of(page: str, testid: str) -> str:
    """Return the words inside the element with this data-testid, tags dropped."""
    parser = _TextOf(testid)
    parser.feed(page)
    assert parser.found, f"no {testid} on the page"
    return " ".join(parser.words)


def test_the_a4_invoice_names_the_business_with_its_tin_and_address(
    app, client, counter, login_as
):
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    buyer = counter.customer("Ben Santos", **BUYER)
    login_as("SALES")
    sale_id = sell(
        client, counter, [line(mouse)], [pay("CASH", "899")], customer_id=str(buyer)
    )

    page = client.get(f"/sales/{sale_id}/receipt?paper=A4").text

    assert text_of(page, "receipt-buyer").startswith(
        "Sold to: Santos Hardware Attention: Ben Santos"
    )
    assert text_of(page, "receipt-buyer-tin") == "TIN: 123-456-789-00000"
    assert text_of(page, "receipt-buyer-address") == "Address: 12 Rizal St, Cebu City"


def test_the_invoice_keeps_the_buyer_as_they_were_at_checkout(
    app, client, counter, login_as
):
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    buyer = counter.customer("Ben Santos", **BUYER)
    login_as("SALES")
    sale_id = sell(
        client, counter, [line(mouse)], [pay("CASH", "899")], customer_id=str(buyer)
    )
    with app.app_context():
        moved = db.session.get(Customer, buyer)
        moved.business_name, moved.address = "Santos Builders", "Mandaue City"
        db.session.commit()

    a4 = client.get(f"/sales/{sale_id}/receipt?paper=A4").text
    thermal = client.get(f"/sales/{sale_id}/receipt?paper=80mm").text

    assert "Santos Hardware" in a4 and "12 Rizal St, Cebu City" in a4
    assert "Santos Builders" not in a4 and "Mandaue City" not in a4
    assert text_of(thermal, "receipt-buyer").startswith(
        "Customer: Santos Hardware Attn. Ben Santos"
    )
    assert text_of(thermal, "receipt-buyer-tin") == "TIN: 123-456-789-00000"
    assert "12 Rizal St" not in thermal  # a till roll carries no address


def test_a_walk_in_invoice_prints_no_tin_or_address(client, counter, login_as):
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    login_as("SALES")
    sale_id = sell(client, counter, [line(mouse)], [pay("CASH", "899")])

    page = client.get(f"/sales/{sale_id}/receipt?paper=A4").text

    assert text_of(page, "receipt-buyer") == "Sold to: Walk-in customer"
    assert "receipt-buyer-tin" not in page and "receipt-buyer-address" not in page


@pytest.fixture
def returned(client, counter, login_as) -> tuple[int, int]:
    """A sale of two mice and a cable by a business; one mouse comes back for cash.

    Returns the sale id and the credit memo id.
    """
    mouse = counter.product("Logitech M331", 899_00, on_hand=5)
    cable = counter.product("HDMI cable", 250_00, on_hand=5)
    buyer = counter.customer("Ben Santos", **BUYER)
    login_as("SALES")
    sale_id = sell(
        client,
        counter,
        [line(mouse, 2), line(cable)],
        [pay("CASH", "2,048")],
        customer_id=str(buyer),
    )
    mouse_line = counter.sales()[-1].lines[0]
    response = client.post_form(
        f"/sales/{sale_id}/return",
        {
            f"qty-{mouse_line.id}": "1",
            "refund_method": "CASH",
            "reason": "Scroll wheel sticks",
        },
    )
    assert response.status_code == 302, response.text
    with client.application.app_context():
        memo_id = db.session.scalar(select(CreditMemo.id))
    return sale_id, memo_id


@pytest.mark.parametrize("paper", ["80mm", "58mm", "A4"])
def test_the_credit_memo_prints_its_number_the_invoice_lines_refund_and_reason(
    client, returned, paper
):
    _, memo_id = returned

    page = client.get(f"/sales/credit-memos/{memo_id}?paper={paper}").text

    assert f'data-paper="{paper}"' in page
    assert "CREDIT MEMO" in page
    assert text_of(page, "memo-number") == "CM-000001"
    assert text_of(page, "memo-invoice") == "INV-000001"
    lines = text_of(page, "memo-lines")
    assert "Logitech M331" in lines and "₱899.00" in lines
    assert "HDMI cable" not in lines
    assert text_of(page, "memo-total") == "₱899.00"
    assert "Refunded by Cash" in text_of(page, "memo-refund")
    assert text_of(page, "memo-refund-method") == "Refund method: Cash"
    assert text_of(page, "memo-reason") == "Reason: Scroll wheel sticks"
    assert "Santos Hardware" in page
    assert "REPRINT" not in page


def test_a_credit_memo_on_an_unpaid_balance_says_it_lowered_the_balance(
    client, counter, login_as
):
    printer = counter.product("Epson L3210", 9_000_00, on_hand=2)
    buyer = counter.customer("Ben Santos", credit_limit=50_000_00, **BUYER)
    login_as("SALES")
    sale_id = sell(
        client,
        counter,
        [line(printer, 2)],
        [],
        customer_id=str(buyer),
        charge_to_account="y",
        due_date=soon(),
    )
    printer_line = counter.sales()[-1].lines[0]
    client.post_form(
        f"/sales/{sale_id}/return",
        {f"qty-{printer_line.id}": "1", "refund_method": "CASH", "reason": "Dented"},
    )
    with client.application.app_context():
        memo_id = db.session.scalar(select(CreditMemo.id))

    page = client.get(f"/sales/credit-memos/{memo_id}?paper=A4").text

    refund = text_of(page, "memo-refund")
    assert "Refunded by" not in refund
    assert "Taken off the balance owed ₱9,000.00" in refund


def test_a_credit_memo_reprint_is_marked_once_a_print_was_recorded(
    app, client, returned
):
    _, memo_id = returned

    first = client.post_json(f"/sales/credit-memos/{memo_id}/prints", {"paper": "A4"})
    page = client.get(f"/sales/credit-memos/{memo_id}?paper=A4").text

    assert first.json == {"number": "CM-000001", "copy": 1}
    assert "REPRINT (copy 2)" in page
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "credit_memo.print")
        ).all()
        assert [(r.entity_id, r.after["copy"]) for r in rows] == [(str(memo_id), 1)]
        assert (
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "sale.print")
            ).all()
            == []
        )


@pytest.mark.parametrize("paper", ["80mm", "A4"])
def test_the_original_invoice_lists_its_credit_memos(client, returned, paper):
    sale_id, _ = returned
    client.post_json(f"/sales/{sale_id}/receipt/prints", {"paper": paper})

    reprint = client.get(f"/sales/{sale_id}/receipt?paper={paper}").text

    assert "REPRINT (copy 2)" in reprint
    assert "INV-000001" in reprint
    returns = text_of(reprint, "receipt-returns")
    assert "CM-000001" in returns and "-₱899.00" in returns and "Cash" in returns


def test_an_invoice_without_returns_has_no_returns_block(client, counter, login_as):
    mouse = counter.product("Logitech M331", 899_00, on_hand=2)
    login_as("SALES")
    sale_id = sell(client, counter, [line(mouse)], [pay("CASH", "899")])

    assert "receipt-returns" not in client.get(f"/sales/{sale_id}/receipt").text


def test_the_sale_page_links_each_credit_memo_to_its_print(client, returned):
    sale_id, memo_id = returned

    page = client.get(f"/sales/{sale_id}").text

    assert f'href="/sales/credit-memos/{memo_id}"' in page
    assert f'href="/sales/{sale_id}/receipt"' in page


def test_a_technician_cannot_print_a_credit_memo(client, returned, login_as):
    _, memo_id = returned
    client.post_form("/auth/logout")
    login_as("TECH")

    assert client.get(f"/sales/credit-memos/{memo_id}").status_code == 403
    assert (
        client.post_json(f"/sales/credit-memos/{memo_id}/prints", {}).status_code == 403
    )


def test_an_unknown_credit_memo_is_a_404(client, login_as):
    login_as("SALES")

    assert client.get("/sales/credit-memos/999999").status_code == 404
