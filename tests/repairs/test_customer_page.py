"""The customer page's repairs, devices and repair money, as each role may see them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask

from helpers import Account, count_statements
from jcicons.auth.models import User
from jcicons.clock import shop_today
from jcicons.customers.checks import CustomerData
from jcicons.customers.services import create_customer, merge_customers
from jcicons.extensions import db
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    create_category,
    create_product,
    receive_stock,
)
from jcicons.repairs.models import DeviceType, RepairStatus
from jcicons.repairs.services import (
    IntakeData,
    ServiceTypeData,
    create_service_type,
    create_ticket,
    release_ticket,
    take_payment,
)
from jcicons.sales.services import CartLine, CheckoutRequest, checkout
from jcicons.settings.services import update_settings
from repairs.repair_helpers import cash, walk_to

S = RepairStatus


@dataclass
class Shop:
    """Staff accounts and the customer whose page is looked at."""

    admin: Account
    sales: Account
    tech: Account
    other_tech: Account
    customer_id: int
    duplicate_id: int


def _user(account: Account) -> User:
    return db.session.get(User, account.id)


@pytest.fixture
def shop(app: Flask, make_user: Callable[..., Account]) -> Shop:
    """Ana has a repaired laptop released on credit, a phone in the shop for the
    other technician, a merged duplicate with a printer, and a phone bought here."""
    admin = make_user("ADMIN")
    sales = make_user("SALES")
    tech = make_user("TECH", full_name="Rico Tech")
    other_tech = make_user("TECH", full_name="Lea Tech")
    with app.app_context():
        actor = _user(admin)
        ana = create_customer(
            CustomerData(name="Ana Reyes", phones=["09171234567"]), actor
        )
        twin = create_customer(
            CustomerData(name="Ana M. Reyes", phones=["09181234567"]), actor
        )
        repaste = create_service_type(ServiceTypeData("Repaste", 1_200_00, 30), actor)
        laptop = create_ticket(
            IntakeData(
                customer_id=ana.id,
                device_type=DeviceType.LAPTOP,
                brand="Acer",
                model="Aspire 5",
                serial_number="NXA5SP000111",
                problem="Overheats.",
                service_type_ids=[repaste.id],
                technician_id=tech.id,
            ),
            actor,
        )
        walk_to(laptop, S.READY, actor)
        take_payment(laptop, cash(200_00), actor)
        release_ticket(laptop, "Ana Reyes", "", actor, True, "Pays on payday")
        create_ticket(
            IntakeData(
                customer_id=ana.id,
                device_type=DeviceType.PHONE,
                brand="Samsung",
                model="Galaxy A15",
                serial_number="IMEI350000000000001",
                problem="Cracked screen.",
                technician_id=other_tech.id,
            ),
            actor,
        )
        create_ticket(
            IntakeData(
                customer_id=twin.id,
                device_type=DeviceType.PRINTER,
                brand="Epson",
                model="L3210",
                problem="Paper jam.",
                deposit=cash(150_00),
            ),
            actor,
        )
        category = create_category("Phones", actor)
        phone = create_product(
            ProductData("realme C67", category.id, 9_990_00, is_serialized=True),
            actor,
        )
        receive_stock(
            "Supplier",
            "DR-9",
            shop_today(),
            [ReceivingLineData(phone.id, 1, 7_000_00, ["RMC67SERIAL01"])],
            actor,
        )
        checkout(
            CheckoutRequest(
                idempotency_key="phone-for-ana",
                lines=[CartLine(phone.id, 1, serials=["RMC67SERIAL01"])],
                payments=[cash(9_990_00)],
                customer_id=twin.id,
            ),
            actor,
            {"VAT_REGISTERED": True},
        )
        merge_customers(ana, twin, actor)
        db.session.commit()
        return Shop(admin, sales, tech, other_tech, ana.id, twin.id)


def _page(client, login_as_account, shop: Shop, account: Account, **args) -> str:
    login_as_account(account)
    response = client.get(f"/customers/{shop.customer_id}", query_string=args)
    assert response.status_code == 200
    return response.text


@pytest.fixture
def sign_in(client) -> Callable[[Account], None]:
    from helpers import login

    def go(account: Account) -> None:
        assert login(client, account.username, account.password).status_code == 302

    return go


def _tickets(html: str) -> list[str]:
    return re.findall(r'data-ticket="(RT-[0-9-]+)"', html)


def test_the_page_lists_every_repair_of_the_customer_and_the_merged_one(
    client, sign_in, shop
):
    html = _page(client, sign_in, shop, shop.sales)

    assert _tickets(html) == ["RT-2026-00003", "RT-2026-00002", "RT-2026-00001"]
    assert "on credit" in html


def test_the_open_balance_holds_what_the_credit_release_still_owes(
    client, sign_in, shop
):
    html = _page(client, sign_in, shop, shop.admin)

    # Repaste ₱1,200 less ₱200 paid: ₱1,000 owed; the printer's deposit owes nothing.
    owed = re.search(r'data-testid="open-balance">([^<]+)<', html)
    assert owed and owed.group(1) == "₱1,000.00"
    assert re.search(r'data-testid="repairs-owed">₱1,000.00 owed', html)
    totals = re.search(r'data-testid="repair-totals">([^<]+)', html)
    assert totals and totals.group(1).startswith(
        "₱1,200.00 charged on released tickets · ₱350.00 paid"
    )


def test_repair_payments_are_in_the_payments_list_with_their_ticket(
    client, sign_in, shop
):
    html = _page(client, sign_in, shop, shop.sales)

    payments = html.split('data-testid="payments"')[1].split("</table>")[0]
    assert "RT-2026-00001" in payments
    assert "RT-2026-00003" in payments
    assert re.findall(r'data-amount="(-?\d+)"', payments) == [
        "999000",
        "15000",
        "20000",
    ]


def test_devices_are_those_repaired_and_those_bought_here(client, sign_in, shop):
    html = _page(client, sign_in, shop, shop.sales)

    devices = html.split('data-testid="devices"')[1].split("</table>")[0]
    assert "Laptop Acer Aspire 5" in devices and "NXA5SP000111" in devices
    assert "Printer Epson L3210" in devices
    assert "realme C67" in devices and "RMC67SERIAL01" in devices
    assert "Bought here" in devices


def test_a_tech_sees_their_tickets_and_the_unassigned_queue_but_no_sales(
    app, client, sign_in, shop
):
    with app.app_context():
        update_settings({"TECH_CAN_VIEW_DETAILS": True}, _user(shop.admin))
        db.session.commit()

    html = _page(client, sign_in, shop, shop.tech)

    # Their laptop and the unassigned printer; not the other technician's phone.
    assert _tickets(html) == ["RT-2026-00003", "RT-2026-00001"]
    assert "Galaxy A15" not in html
    assert "realme C67" not in html  # purchases are sales records
    assert 'data-testid="open-balance"' not in html


def test_a_tech_without_the_toggle_cannot_open_the_customer(client, sign_in, shop):
    sign_in(shop.tech)

    assert client.get(f"/customers/{shop.customer_id}").status_code == 403


def test_a_tech_with_the_toggle_sees_the_balance_of_their_ticket(
    app, client, sign_in, shop
):
    with app.app_context():
        update_settings({"TECH_CAN_VIEW_DETAILS": True}, _user(shop.admin))
        db.session.commit()

    html = _page(client, sign_in, shop, shop.tech)

    rows = dict(re.findall(r'<tr data-ticket="([^"]+)">(.*?)</tr>', html, re.S))
    assert 'data-balance="100000"' in rows["RT-2026-00001"]  # their own laptop
    assert "data-balance" not in rows["RT-2026-00003"]  # the unassigned printer


def test_paging_the_repairs_keeps_the_other_sections_pages(client, sign_in, shop):
    html = _page(client, sign_in, shop, shop.sales, payments_page=1, repairs_page=1)

    assert "repairs_page=2" not in html  # three tickets fit one page
    assert "3 in all" in html


def test_the_page_costs_the_same_with_more_repairs(app, client, sign_in, shop):
    sign_in(shop.admin)
    url = f"/customers/{shop.customer_id}"
    few = count_statements(client, url)
    with app.app_context():
        actor = _user(shop.admin)
        for n in range(12):
            ticket = create_ticket(
                IntakeData(
                    customer_id=shop.customer_id,
                    device_type=DeviceType.MONITOR,
                    brand="Nvision",
                    model=f"N24{n}",
                    serial_number=f"NV{n:08d}",
                    problem="No display.",
                    deposit=cash(100_00),
                ),
                actor,
            )
            walk_to(ticket, S.READY, actor)
        db.session.commit()

    assert count_statements(client, url) == few
    assert len(_tickets(client.get(url).text)) == 15


def test_a_customer_without_repairs_says_so(app, client, sign_in, shop):
    with app.app_context():
        other = create_customer(
            CustomerData(name="Ben Cruz", phones=["09991112222"]), _user(shop.admin)
        )
        db.session.commit()
        other_id = other.id
    sign_in(shop.sales)

    html = client.get(f"/customers/{other_id}").text

    assert "No repairs yet." in html
    assert "No devices on record yet." in html


def test_the_daily_page_counts_repair_money_and_releases(client, sign_in, shop):
    # On 15 June the laptop's ₱200 and the printer's ₱150 deposit came in, and the
    # laptop went home on credit.
    sign_in(shop.sales)

    page = client.get("/sales/daily", query_string={"day": "2026-06-15"}).text

    assert re.search(r'data-testid="repairs-released">1<', page)
    assert re.search(r'data-testid="repairs-net">₱350.00<', page)
    # The phone sale's ₱9,990 and the repair cash are all in the drawer.
    assert re.search(r'data-testid="expected-cash">₱10,340.00<', page)
