"""Sales factories: a priced catalogue with stock, and customers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask

from jcicons.auth.models import User
from jcicons.customers.models import Customer
from jcicons.extensions import db
from jcicons.inventory.models import Product
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    create_category,
    create_product,
    receive_stock,
)


@pytest.fixture
def admin(ctx: Flask, make_user: Callable[..., Any]) -> User:
    """An ADMIN loaded in the test's app context."""
    return db.session.get(User, make_user("ADMIN").id)


@pytest.fixture
def cashier(ctx: Flask, make_user: Callable[..., Any]) -> User:
    """A SALES user loaded in the test's app context."""
    return db.session.get(User, make_user("SALES").id)


@pytest.fixture
def stocked(admin: User) -> Callable[..., Product]:
    """Create a product with stock received at a cost."""
    categories: dict[str, int] = {}

    def create(
        name: str,
        price: int,
        on_hand: int = 0,
        cost: int = 0,
        serials: list[str] | None = None,
        **fields: Any,
    ) -> Product:
        category = fields.pop("category", "Goods")
        if category not in categories:
            categories[category] = create_category(category, admin).id
        product = create_product(
            ProductData(
                name=name,
                category_id=categories[category],
                price_centavos=price,
                **fields,
            ),
            admin,
        )
        if serials:
            on_hand = len(serials)
        if on_hand:
            receive_stock(
                "Supplier",
                "DR",
                date(2026, 12, 1),
                [ReceivingLineData(product.id, on_hand, cost, serials or [])],
                admin,
            )
        return product

    return create


@pytest.fixture
def customer(admin: User) -> Callable[..., Customer]:
    """Create a customer row directly (its own module tests its services)."""

    count = {"n": 0}

    def create(name: str = "Dela Cruz Trading", credit_limit: int = 0) -> Customer:
        count["n"] += 1
        row = Customer(
            code=f"C-T{count['n']:04d}",
            kind="BUSINESS",
            name=name,
            credit_limit_centavos=credit_limit,
        )
        db.session.add(row)
        db.session.flush()
        return row

    return create
