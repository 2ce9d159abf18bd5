"""The stock pages run the same number of statements for a few rows or a full page."""

from __future__ import annotations

from datetime import date

import pytest

from helpers import count_statements
from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.inventory.models import MovementReason, Product, StockCount
from jcicons.inventory.services import (
    ReceivingLineData,
    adjust_stock,
    post_count,
    receive_stock,
    record_counted,
    start_count,
)


class Shop:
    """Stock history made straight through the services, committed at once."""

    def __init__(self, app, seed) -> None:
        self.app = app
        self.seed = seed
        self.seed.category("Laptops")  # makes the owner too

    def _owner(self) -> User:
        return db.session.get(User, self.seed.owner_id)

    def history(self, products: int, category: str = "Laptops") -> list[int]:
        """Make products, each received on a two-line receiving and adjusted."""
        ids = self.seed.many(products, category=category)
        with self.app.app_context():
            owner = self._owner()
            for product_id in ids:
                product = db.session.get(Product, product_id)
                lines = [
                    ReceivingLineData(product_id, 3, 100_00),
                    ReceivingLineData(product_id, 2, 120_00),
                ]
                receive_stock("Octagon", "DR-1", date(2026, 1, 5), lines, owner)
                adjust_stock(product, -1, MovementReason.DAMAGED, owner)
            db.session.commit()
        return ids

    def count(self, counted: int | None = None, post: bool = False) -> int:
        """Start a count of everything; optionally enter a figure and post it."""
        with self.app.app_context():
            count = start_count(None, self._owner())
            if counted is not None:
                record_counted(count, {line.id: counted for line in count.lines})
            if post:
                post_count(count, self._owner())
            db.session.commit()
            return count.id


@pytest.fixture
def shop(app, seed) -> Shop:
    return Shop(app, seed)


def same_statements(client, url: str, grow) -> tuple[int, int]:
    """Return the statements of one GET before and after `grow()` adds rows."""
    few = count_statements(client, url)
    grow()
    return few, count_statements(client, url)


def test_the_movement_ledger_runs_the_same_statements_for_3_or_50_rows(
    client, login_as, shop
):
    shop.history(1)
    shop.count(counted=9, post=True)
    login_as("ADMIN")

    few, many = same_statements(
        client, "/inventory/movements", lambda: shop.history(20, "RAM")
    )

    assert many == few


def test_low_stock_runs_the_same_statements_for_2_or_90_products(
    client, login_as, seed
):
    seed.many(2)
    login_as("ADMIN")

    few, many = same_statements(
        client, "/inventory/low-stock", lambda: seed.many(88, category="RAM")
    )

    assert many == few


def test_the_printable_low_stock_list_runs_the_same_statements(client, login_as, seed):
    seed.many(2)
    login_as("SALES")

    few, many = same_statements(
        client, "/inventory/low-stock?all=1", lambda: seed.many(40, category="RAM")
    )

    assert many == few


def test_the_receivings_list_runs_the_same_statements_for_1_or_30_receivings(
    client, login_as, shop
):
    shop.history(1)
    login_as("ADMIN")

    few, many = same_statements(
        client, "/inventory/receivings", lambda: shop.history(29, "RAM")
    )

    assert many == few


def test_the_counts_list_runs_the_same_statements_for_1_or_25_counts(
    client, login_as, shop
):
    shop.history(2)
    shop.count(counted=1, post=True)
    login_as("ADMIN")

    def grow() -> None:
        for n in range(24):
            shop.count(post=n % 2 == 0)

    few, many = same_statements(client, "/inventory/counts", grow)

    assert many == few


@pytest.mark.parametrize("post", [False, True], ids=["open", "posted"])
def test_a_count_page_runs_the_same_statements_for_2_or_60_products(
    app, client, login_as, shop, post
):
    shop.history(2)
    small = shop.count(counted=2, post=post)
    login_as("ADMIN")
    few = count_statements(client, f"/inventory/counts/{small}")
    shop.history(58, "RAM")
    large = shop.count(counted=2, post=post)

    many = count_statements(client, f"/inventory/counts/{large}")

    with app.app_context():
        assert len(db.session.get(StockCount, large).lines) == 60
    assert many == few


def test_a_count_review_runs_the_same_statements_for_2_or_60_differences(
    client, login_as, shop
):
    shop.history(2)
    small = shop.count(counted=7)
    login_as("ADMIN")
    few = count_statements(client, f"/inventory/counts/{small}/review")
    shop.history(58, "RAM")
    large = shop.count(counted=7)

    many = count_statements(client, f"/inventory/counts/{large}/review")

    assert many == few
