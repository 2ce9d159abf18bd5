"""The benchmark's arithmetic and targets (the benchmark itself runs with
`make bench`)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from jcicons.auth.models import User
from jcicons.bench import CHECKOUT, PAGES, fill_path, repair_targets
from jcicons.bench.load import Page, Result, checkout_body
from jcicons.demo.bulk import build_large_demo
from jcicons.extensions import db
from jcicons.repairs.models import RepairTicket


@pytest.fixture
def admin(ctx, make_user) -> User:
    """An ADMIN loaded in the test's app context, to build the shop under."""
    return db.session.get(User, make_user("ADMIN").id)


def test_percentiles_use_the_nearest_rank():
    result = Result(Page("x", "/x"), "/x", latencies=[n / 1000 for n in range(1, 101)])
    assert result.percentile(0.50) == 50.0
    assert result.percentile(0.95) == 95.0
    assert result.percentile(0.99) == 99.0
    assert Result(Page("x", "/x"), "/x", latencies=[0.004]).percentile(0.99) == 4.0


def test_throughput_counts_every_answer_over_the_wall_time():
    result = Result(Page("x", "/x"), "/x", latencies=[0.1] * 50, seconds=2.0)
    assert result.per_second == 25.0


def test_targets_are_url_encoded_into_the_paths():
    targets = {
        "product_id": "7",
        "sku": "LAP-00001",
        "name": "a&b",
        "prefix": "gal a",
        "sale_id": "12",
        "customer": "Dela Cruz",
        "serial": "NX/A5 01",
        "phone": "0917 123 4567",
        "technician_id": "3",
        "ticket_id": "41",
    }
    paths = {page.label: fill_path(page.path, targets) for page in PAGES}
    assert paths["product with long history"] == "/inventory/products/7"
    assert paths["products, search by name"] == "/inventory/products?q=a%26b"
    assert paths["autocomplete"].endswith("?q=gal%20a")
    assert paths["sale"] == "/sales/12"
    assert paths["customers, search by name"] == "/customers/?q=Dela%20Cruz"
    assert paths["repairs, search by serial"] == "/repairs/?q=NX/A5%2001"
    assert paths["repairs, search by customer phone"] == (
        "/repairs/?q=0917%20123%204567"
    )
    assert paths["repairs, one technician"] == "/repairs/?technician=3"
    assert paths["repair ticket"] == "/repairs/41"


def test_the_sales_pages_and_checkout_are_measured():
    paths = {page.path.split("?")[0] for page in PAGES}
    assert {"/sales/", "/sales/daily", "/customers/", "/pos/"} <= paths
    assert CHECKOUT.path == "/pos/checkout"


def test_the_busiest_repair_pages_are_measured():
    paths = {page.path for page in PAGES}
    assert {"/repairs/", "/repairs/unclaimed", "/repairs/{ticket_id}"} <= paths
    searches = {p.split("=")[-1] for p in paths if p.startswith("/repairs/?q=")}
    assert searches == {"{serial}", "{phone}"}
    assert "/repairs/?technician={technician_id}" in paths


def test_the_repair_targets_come_from_the_history(admin):
    build_large_demo(
        admin,
        seed=6,
        products=300,
        history_days=60,
        long_history_receipts=5,
        tickets=200,
        with_users=True,
    )

    targets = repair_targets()

    serial = db.session.scalar(
        select(RepairTicket).where(RepairTicket.serial_number == targets["serial"])
    )
    assert serial is not None and serial.status == "RELEASED"
    assert re.fullmatch(r"09\d\d \d{3} \d{4}", targets["phone"])
    technician = db.session.get(User, int(targets["technician_id"]))
    assert technician.role == "TECH"
    ticket = db.session.get(RepairTicket, int(targets["ticket_id"]))
    assert len(ticket.events) >= 8
    assert re.fullmatch(r"[\d,]+ repair tickets \([\d,]+ open\)", targets["described"])


def test_successes_per_second_leave_out_the_failures():
    result = Result(CHECKOUT, CHECKOUT.path, latencies=[0.1] * 40, errors=10)
    result.seconds = 2.0
    assert result.per_second == 20.0
    assert result.successes_per_second == 15.0


def test_every_checkout_form_is_a_new_sale():
    fields = {"cart": '[{"product_id": 3, "quantity": 1}]', "payments": "[]"}
    first = parse_qs(checkout_body(fields, "token"))
    second = parse_qs(checkout_body(fields, "token"))
    assert first["idempotency_key"] != second["idempotency_key"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", first["idempotency_key"][0])
    assert first["csrf_token"] == ["token"]
    assert first["cart"] == [fields["cart"]]
