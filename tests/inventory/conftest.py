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
def make_product(
    admin: User, make_category: Callable[..., Category]
) -> Callable[..., Product]:
    """Create a product through the service (category made when not given)."""
    categories: dict[str, Category] = {}

    def create(
        name: str = "ThinkPad T14", category: str = "Laptops", **fields: Any
    ) -> Product:
        if category not in categories:
            categories[category] = make_category(category)
        data = ProductData(
            name=name,
            category_id=categories[category].id,
            price_centavos=fields.pop("price_centavos", 100_00),
            **fields,
        )
        return create_product(data, admin)

    return create


class Seeder:
    """Make inventory records for view tests, each step committed in its own app
    context (requests are then made outside it)."""

    def __init__(self, app: Flask, make_user: Callable[..., Any]) -> None:
        self.app = app
        self.make_user = make_user
        self.owner_id: int | None = None
        self.categories: dict[str, int] = {}

    def _owner(self) -> User:
        owner = db.session.get(User, self.owner_id)
        assert owner is not None
        return owner

    def _context(self) -> Any:
        if self.owner_id is None:  # made before the context: make_user opens its own
            self.owner_id = self.make_user("ADMIN", username="owner").id
        return self.app.app_context()

    def category(self, name: str = "Laptops") -> int:
        """Return the id of a category, creating it the first time."""
        if name not in self.categories:
            with self._context():
                self.categories[name] = create_category(name, self._owner()).id
                db.session.commit()
        return self.categories[name]

    def product(
        self, name: str = "ThinkPad T14", category: str = "Laptops", **fields: Any
    ) -> int:
        """Create a product and return its id."""
        category_id = self.category(category)
        with self._context():
            fields.setdefault("price_centavos", 100_00)
            product = create_product(
                ProductData(name=name, category_id=category_id, **fields),
                self._owner(),
            )
            db.session.commit()
            return product.id

    def many(self, count: int, category: str = "Laptops", **fields: Any) -> list[int]:
        """Create `count` numbered products in one transaction; return their ids."""
        category_id = self.category(category)
        with self._context():
            owner = self._owner()
            ids = []
            for n in range(1, count + 1):
                data = ProductData(
                    name=f"Item {n:03d}", category_id=category_id, price_centavos=n
                )
                ids.append(create_product(data, owner).id)
            db.session.commit()
            return ids

    def receive(
        self, product_id: int, quantity: int, cost: int = 50_00, serials: Any = ()
    ) -> int:
        """Receive stock of one product and return the receiving's id."""
        from jcicons.clock import shop_today
        from jcicons.inventory.services import ReceivingLineData, receive_stock

        with self._context():
            line = ReceivingLineData(product_id, quantity, cost, list(serials))
            receiving = receive_stock(
                "Octagon Computer", "DR-100", shop_today(), [line], self._owner()
            )
            db.session.commit()
            return receiving.id

    def toggle(self, name: str, value: bool) -> None:
        """Switch a feature toggle, e.g. SALES_CAN_EDIT_INVENTORY."""
        from jcicons.settings.services import update_settings

        with self._context():
            update_settings({name: value}, self._owner())
            db.session.commit()

    def load(self, product_id: int) -> Product:
        """Return a product detached from any session, for assertions."""
        with self._context():
            product = db.session.get(Product, product_id)
            assert product is not None
            db.session.expunge(product)
            return product


@pytest.fixture
def seed(app: Flask, make_user: Callable[..., Any]) -> Seeder:
    """Inventory records for view tests, made outside any request."""
    return Seeder(app, make_user)
