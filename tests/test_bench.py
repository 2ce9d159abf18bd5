"""The benchmark's arithmetic (the benchmark itself runs with `make bench`)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from jcicons.bench import CHECKOUT, PAGES, fill_path
from jcicons.bench.load import Page, Result, checkout_body


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
    }
    paths = {page.label: fill_path(page.path, targets) for page in PAGES}
    assert paths["product with long history"] == "/inventory/products/7"
    assert paths["products, search by name"] == "/inventory/products?q=a%26b"
    assert paths["autocomplete"].endswith("?q=gal%20a")
    assert paths["sale"] == "/sales/12"
    assert paths["customers, search by name"] == "/customers/?q=Dela%20Cruz"


def test_the_sales_pages_and_checkout_are_measured():
    paths = {page.path.split("?")[0] for page in PAGES}
    assert {"/sales/", "/sales/daily", "/customers/", "/pos/"} <= paths
    assert CHECKOUT.path == "/pos/checkout"


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
