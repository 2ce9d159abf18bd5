"""Inventory factories: categories and products made through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.inventory.models import Category, Product
from jcicons.inventory.services import ProductData, create_category, create_product


@pytest.fixture
def admin(ctx: Flask, make_user: Callable[..., Any]) -> User:
    """An ADMIN user loaded in the test's app context."""
    account = make_user("ADMIN")
    user = db.session.get(User, account.id)
    assert user is not None
    return user


@pytest.fixture
def make_category(admin: User) -> Callable[..., Category]:
    """Create a category through the service."""

    def create(name: str = "Laptops") -> Category:
        return create_category(name, admin)

    return create


@pytest.fixture
def make_product(admin: User, make_category: Callable[..., Category]) -> Callable[..., Product]:
    """Create a product through the service (category made when not given)."""
    categories: dict[str, Category] = {}

    def create(name: str = "ThinkPad T14", category: str = "Laptops", **fields: Any) -> Product:
        if category not in categories:
            categories[category] = make_category(category)
        data = ProductData(name=name, category_id=categories[category].id,
                           price_centavos=fields.pop("price_centavos", 100_00), **fields)
        return create_product(data, admin)

    return create
