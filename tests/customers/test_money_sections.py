"""The customer page's money: purchases, payments and totals over every record."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from helpers import count_statements
from jcicons import clock
from jcicons.auth.models import User
from jcicons.customers import queries as customer_queries
from jcicons.customers.models import Customer
from jcicons.customers.services import merge_customers
from jcicons.extensions import db
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    create_category,
    create_product,
    receive_stock,
)
from jcicons.sales.models import PaymentMethod, Sale
from jcicons.sales.services import (
    CartLine,
    CheckoutRequest,
    PaymentInput,
    ReturnInput,
    checkout,
    return_items,
    void_sale,
)

SETTINGS = {"VAT_REGISTERED": True, "SALES_DISCOUNT_CAP_PERCENT": 10}
LAST_MONTH = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def cash(amount: int) -> PaymentInput:
    return PaymentInput(PaymentMethod.CASH, amount)


class Counter:
    """Rings up sales, returns and voids, each committed in its own app context."""

    def __init__(self, app, admin_id: int) -> None:
        self.app = app
        self.admin_id = admin_id
        self.codes = 0

    def _admin(self) -> User:
        return db.session.get(User, self.admin_id)

    def product(self, name: str, price: int, on_hand: int = 100) -> int:
        with self.app.app_context():
            admin = self._admin()
            category = create_category(f"Goods {name}", admin)
            product = create_product(
                ProductData(name=name, category_id=category.id, price_centavos=price),
                admin,
            )
            line = ReceivingLineData(product.id, on_hand, 0, [])
            receive_stock("Supplier", "DR", date(2026, 10, 1), [line], admin)
            db.session.commit()
            return product.id

    def customer(self, name: str, credit_limit: int = 0) -> int:
        with self.app.app_context():
            self.codes += 1
            row = Customer(
                code=f"C-M{self.codes:04d}",
                name=name,
                credit_limit_centavos=credit_limit,
            )
            db.session.add(row)
            db.session.commit()
            return row.id

    def sell(self, customer_id: int, lines, payments, **kw) -> int:
        with self.app.app_context():
            request = CheckoutRequest(
                uuid.uuid4().hex, lines, payments, customer_id=customer_id, **kw
            )
            sale = checkout(request, self._admin(), SETTINGS)
            db.session.commit()
            return sale.id

    def give_back(
        self, sale_id: int, method: PaymentMethod = PaymentMethod.CASH
    ) -> None:
        """Return every unit of the sale's first line, refunded by `method`."""
        with self.app.app_context():
            sale = db.session.get(Sale, sale_id)
            line = sale.lines[0]
            item = ReturnInput(line.id, line.quantity)
            return_items(sale, [item], "Defective", method, self._admin())
            db.session.commit()

    def void(self, sale_id: int) -> None:
        with self.app.app_context():
            void_sale(db.session.get(Sale, sale_id), "Wrong item", self._admin())
            db.session.commit()

    def merge(self, kept_id: int, merged_id: int) -> None:
        with self.app.app_context():
            kept = db.session.get(Customer, kept_id)
            merge_customers(kept, db.session.get(Customer, merged_id), self._admin())
            db.session.commit()


@pytest.fixture
def counter(app, make_user) -> Counter:
    return Counter(app, make_user("ADMIN", username="shopkeeper").id)


@pytest.fixture
def mixed_account(counter) -> tuple[int, dict[str, int]]:
    """A customer with a paid sale, an overdue part-paid credit sale, a refunded
    return and a void sale; returns their id and the sale ids."""
    mouse = counter.product("Logitech M331", 1_000_00)
    buyer = counter.customer("Dela Cruz Trading", credit_limit=50_000_00)
    sales = {"paid": counter.sell(buyer, [CartLine(mouse, 1)], [cash(1_000_00)])}
    with clock.frozen_at(LAST_MONTH):
        sales["credit"] = counter.sell(
            buyer,
            [CartLine(mouse, 2)],
            [PaymentInput(PaymentMethod.GCASH, 500_00, "GC-7781")],
            charge_to_account=True,
            due_date=date(2026, 11, 15),
        )
    sales["returned"] = counter.sell(buyer, [CartLine(mouse, 1)], [cash(1_000_00)])
    counter.give_back(sales["returned"])
    sales["void"] = counter.sell(buyer, [CartLine(mouse, 1)], [cash(1_000_00)])
    counter.void(sales["void"])
    return buyer, sales


def figure(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]+)<', page)
    assert match, f"no {testid} on the page"
    return match.group(1).strip()


def balances(page: str) -> list[str]:
    return re.findall(r'data-balance="(-?\d+)"', page)


def test_the_totals_count_paid_credit_returned_and_void_sales_rightly(
    client, login_as, mixed_account
):
    buyer, _ = mixed_account
    login_as("SALES")

    page = client.get(f"/customers/{buyer}").text

    assert figure(page, "total-bought") == "₱4,000.00"
    assert figure(page, "total-paid") == "₱1,500.00"
    assert figure(page, "total-returned") == "₱1,000.00"
    assert figure(page, "open-balance") == "₱1,500.00"
    assert "₱1,500.00 on 1 sale past the due date" in page
    assert balances(page) == ["0", "0", "0", "150000"]


def test_purchases_link_to_the_sale_and_flag_the_overdue_credit_sale(
    client, login_as, mixed_account
):
    buyer, sales = mixed_account
    login_as("SALES")

    page = client.get(f"/customers/{buyer}").text

    numbers = re.findall(r'<tr data-sale="(INV-\d+)">', page)
    assert numbers == ["INV-000004", "INV-000003", "INV-000001", "INV-000002"]
    assert f'href="/sales/{sales["credit"]}">INV-000002</a>' in page
    assert page.count('data-testid="overdue-flag"') == 1
    assert "Overdue since 2026-11-15" in page
    assert "2026-11-02 10:00" in page  # 02:00 UTC is 10:00 in Manila


def test_payments_list_the_ledger_with_refunds_negative(
    client, login_as, mixed_account
):
    buyer, _ = mixed_account
    login_as("SALES")

    page = client.get(f"/customers/{buyer}").text

    amounts = re.findall(r'<tr data-amount="(-?\d+)">', page)
    assert sorted(int(a) for a in amounts) == [
        -1_000_00,
        -1_000_00,
        500_00,
        1_000_00,
        1_000_00,
        1_000_00,
    ]
    assert "GC-7781" in page and "GCash" in page
    assert "-₱1,000.00" in page and page.count(">Refund</span>") == 2


def test_a_merged_customers_sales_count_for_the_customer_they_joined(
    client, login_as, counter
):
    cable = counter.product("USB-C cable", 250_00)
    kept = counter.customer("Ana Reyes", credit_limit=10_000_00)
    duplicate = counter.customer("Ana Reyes")
    older = counter.customer("Ana M. Reyes")
    counter.sell(kept, [CartLine(cable, 1)], [cash(250_00)])
    counter.sell(duplicate, [CartLine(cable, 2)], [cash(500_00)])
    counter.sell(older, [CartLine(cable, 4)], [cash(1_000_00)])
    counter.merge(duplicate, older)
    counter.merge(kept, duplicate)
    login_as("SALES")

    page = client.get(f"/customers/{kept}").text

    assert figure(page, "total-bought") == "₱1,750.00"
    assert figure(page, "total-paid") == "₱1,750.00"
    assert len(re.findall(r'<tr data-sale="', page)) == 3


def test_paging_the_purchases_keeps_the_totals_of_every_sale(client, login_as, counter):
    cable = counter.product("USB-C cable", 100_00)
    buyer = counter.customer("Santos Enterprises")
    for _ in range(25):
        counter.sell(buyer, [CartLine(cable, 1)], [cash(100_00)])
    login_as("SALES")

    first = client.get(f"/customers/{buyer}").text
    second = client.get(f"/customers/{buyer}?sales_page=2").text

    assert len(re.findall(r'<tr data-sale="', first)) == 20
    assert len(re.findall(r'<tr data-sale="', second)) == 5
    for page in (first, second):
        assert figure(page, "total-bought") == "₱2,500.00"
        assert figure(page, "total-paid") == "₱2,500.00"
    assert f"/customers/{buyer}?sales_page=2&amp;payments_page=1" in first


def test_the_page_runs_as_many_statements_for_30_sales_as_for_2(
    client, login_as, counter
):
    cable = counter.product("USB-C cable", 100_00)
    buyer = counter.customer("Santos Enterprises")
    for _ in range(2):
        counter.sell(buyer, [CartLine(cable, 1)], [cash(100_00)])
    login_as("SALES")
    few = count_statements(client, f"/customers/{buyer}")

    for _ in range(28):
        counter.sell(buyer, [CartLine(cable, 1)], [cash(100_00)])

    assert count_statements(client, f"/customers/{buyer}") == few


def test_a_tech_with_details_sees_the_customer_but_no_money(
    client, login_as, people, mixed_account, monkeypatch
):
    buyer, _ = mixed_account
    people.toggle("TECH_CAN_VIEW_DETAILS", True)
    login_as("TECH")
    assert client.get(f"/customers/{buyer}").status_code == 404

    # Once repairs exist a TECH may open a customer of theirs: still no money.
    monkeypatch.setattr(
        customer_queries,
        "visible_customers",
        lambda viewer, include_merged=False: select(Customer),
    )
    response = client.get(f"/customers/{buyer}")

    assert response.status_code == 200
    assert "Dela Cruz Trading" in response.text
    for hidden in ("Open balance", "Total bought", "Purchases", "Payments", "INV-0"):
        assert hidden not in response.text


def test_the_store_credit_of_merged_customers_shows_and_goes_down_when_spent(
    client, login_as, counter
):
    mouse = counter.product("Logitech M331", 1_000_00)
    kept = counter.customer("Ana Reyes")
    duplicate = counter.customer("Ana Reyes")
    returned = counter.sell(duplicate, [CartLine(mouse, 1)], [cash(1_000_00)])
    counter.give_back(returned, PaymentMethod.STORE_CREDIT)
    counter.merge(kept, duplicate)
    login_as("SALES")

    before = client.get(f"/customers/{kept}").text
    counter.sell(
        kept,
        [CartLine(mouse, 1)],
        [PaymentInput(PaymentMethod.STORE_CREDIT, 400_00), cash(600_00)],
    )
    after = client.get(f"/customers/{kept}").text

    assert figure(before, "store-credit") == "₱1,000.00"
    assert figure(after, "store-credit") == "₱600.00"
    assert figure(after, "total-paid") == "₱1,000.00"
    assert after.count("<td>Store credit") == 2  # issued on the return, then spent
