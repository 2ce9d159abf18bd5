"""The benchmark's arithmetic (the benchmark itself runs with `make bench`)."""

from __future__ import annotations

from jcicons.bench import PAGES, fill_path
from jcicons.bench.load import Page, Result


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
    targets = {"product_id": "7", "sku": "LAP-00001", "name": "a&b", "prefix": "gal a"}
    paths = {page.label: fill_path(page.path, targets) for page in PAGES}
    assert paths["product with long history"] == "/inventory/products/7"
    assert paths["products, search by name"] == "/inventory/products?q=a%26b"
    assert paths["autocomplete"].endswith("?q=gal%20a")
