"""Ledger rows name their documents by number and link them for those who may look."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from helpers import count_statements
from jcicons.auth.models import User
from jcicons.customers.models import Customer
from jcicons.extensions import db
from jcicons.inventory.models import MovementReason, Product, SerialUnit
from jcicons.inventory.stock import move_stock
from jcicons.repairs.models import RepairTicket
from jcicons.sales.models import Sale


@dataclass
class Documents:
    """A laptop whose stock went out on a sale and on a repair ticket."""

    product: int
    sale: int
    ticket: int


def sale_row(number: str) -> Sale:
    zero = dict.fromkeys(
        (
            "subtotal_centavos",
            "line_discounts_centavos",
            "sale_discount_centavos",
            "total_centavos",
            "vatable_sales_centavos",
            "vat_centavos",
            "exempt_sales_centavos",
            "zero_rated_sales_centavos",
        ),
        0,
    )
    return Sale(number=number, idempotency_key=number, vat_registered=True, **zero)


def ticket_row(number: str, customer_id: int) -> RepairTicket:
    return RepairTicket(
        number=number,
        status_token=f"token-{number}",
        customer_id=customer_id,
        device_type="LAPTOP",
        problem="No power.",
    )


def take(product: Product, owner: User, kind: str, document_id: int, n: int = 1):
    reason = MovementReason.SOLD if kind == "sale" else MovementReason.REPAIR_PART
    for _ in range(n):
        move_stock(product, -1, reason, owner, kind, document_id)


@pytest.fixture
def documents(app, seed) -> Documents:
    product_id = seed.product("ThinkPad T14")
    seed.receive(product_id, 30)
    with app.app_context():
        owner = db.session.get(User, seed.owner_id)
        product = db.session.get(Product, product_id)
        customer = Customer(code="C-000001", name="Juan Dela Cruz")
        sale = sale_row("INV-000042")
        db.session.add_all([customer, sale])
        db.session.flush()
        ticket = ticket_row("RT-000007", customer.id)
        db.session.add(ticket)
        db.session.flush()
        take(product, owner, "sale", sale.id)
        take(product, owner, "repair", ticket.id)
        db.session.commit()
        return Documents(product_id, sale.id, ticket.id)


def reference_cells(page: str) -> list[str]:
    table = page.split('data-testid="movements"', 1)[1].split("</table>")[0]
    rows = re.findall(r"<tr>\s*(<td.*?)</tr>", table, re.S)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[4].strip() for row in rows]


@pytest.mark.parametrize(
    ("role", "sale_linked", "repair_linked"),
    [("ADMIN", True, True), ("SALES", True, True), ("TECH", False, True)],
)
def test_the_product_page_names_sales_and_repairs_by_their_numbers(
    client, login_as, documents, role, sale_linked, repair_linked
):
    login_as(role)

    page = client.get(f"/inventory/products/{documents.product}").text
    repair, sale, received = reference_cells(page)

    sale_link = f'<a href="/sales/{documents.sale}">Sale INV-000042</a>'
    repair_link = f'<a href="/repairs/{documents.ticket}">Repair RT-000007</a>'
    assert sale == (sale_link if sale_linked else "Sale INV-000042")
    assert repair == (repair_link if repair_linked else "Repair RT-000007")
    assert "Receiving RCV-000001</a>" in received
    assert "Sale #" not in page and "Repair #" not in page


def test_the_ledger_page_links_the_invoice_and_the_ticket(client, login_as, documents):
    login_as("ADMIN")

    page = client.get("/inventory/movements").text

    assert f'<a href="/sales/{documents.sale}">Sale INV-000042</a>' in page
    assert f'<a href="/repairs/{documents.ticket}">Repair RT-000007</a>' in page


def test_the_ledger_export_names_the_invoice_and_the_ticket(
    client, login_as, documents
):
    login_as("ADMIN")

    response = client.get("/inventory/movements/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))

    assert [row["reference"] for row in rows] == [
        "Repair RT-000007",
        "Sale INV-000042",
        "Receiving RCV-000001",
    ]


def test_the_serial_page_names_the_sale_of_a_unit(app, client, login_as, seed):
    phone_id = seed.product("Galaxy A15", "Phones", is_serialized=True)
    seed.receive(phone_id, 1, serials=["IMEI-1"])
    with app.app_context():
        owner = db.session.get(User, seed.owner_id)
        phone = db.session.get(Product, phone_id)
        sale = sale_row("INV-000100")
        db.session.add(sale)
        db.session.flush()
        item = db.session.scalars(select(SerialUnit)).one()
        reason = MovementReason.SOLD
        move_stock(phone, -1, reason, owner, "sale", sale.id, serial_unit=item)
        item.status = "SOLD"
        db.session.commit()
        sale_id = sale.id
    login_as("SALES")

    page = client.get("/inventory/serials?serial=IMEI-1").text

    assert f'<a href="/sales/{sale_id}">Sale INV-000100</a>' in page


def test_the_product_page_reads_the_numbers_of_a_page_in_one_select(
    app, client, login_as, seed, documents
):
    login_as("ADMIN")
    url = f"/inventory/products/{documents.product}"
    few = count_statements(client, url)
    with app.app_context():
        owner = db.session.get(User, seed.owner_id)
        product = db.session.get(Product, documents.product)
        customer = db.session.scalars(select(Customer)).one()
        for n in range(8):
            sale = sale_row(f"INV-1{n:05d}")
            db.session.add(sale)
            db.session.flush()
            ticket = ticket_row(f"RT-1{n:05d}", customer.id)
            db.session.add(ticket)
            db.session.flush()
            take(product, owner, "sale", sale.id)
            take(product, owner, "repair", ticket.id)
        db.session.commit()

    many = count_statements(client, url)

    assert many == few
