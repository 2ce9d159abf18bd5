"""Customer factories: for service tests in the test's app context, and a seeder
that commits records for view tests before any request is made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from jcicons.auth.models import User
from jcicons.customers.checks import CustomerData
from jcicons.customers.models import Customer
from jcicons.customers.phones import normalise_mobile
from jcicons.customers.services import create_customer
from jcicons.extensions import db


def customer_data(name: str = "Juan Dela Cruz", **fields: Any) -> CustomerData:
    """Return service input with a mobile number unless one is given."""
    fields.setdefault("phones", ["0917 123 4567"])
    return CustomerData(name=name, **fields)


@pytest.fixture(name="customer_data")
def customer_data_fixture() -> Callable[..., CustomerData]:
    """Build service input for a customer (a mobile number unless given)."""
    return customer_data


@pytest.fixture
def staff(ctx: Flask, make_user: Callable[..., Any]) -> dict[str, User]:
    """One user of each role, loaded in the test's app context.

    Made before any customer: a user is committed in its own transaction, which
    would wait on the test's open one on SQLite.
    """
    users = {}
    for role in ("ADMIN", "SALES", "TECH"):
        user = db.session.get(User, make_user(role).id)
        assert user is not None
        users[role] = user
    return users


@pytest.fixture
def admin(staff: dict[str, User]) -> User:
    """An ADMIN user loaded in the test's app context."""
    return staff["ADMIN"]


@pytest.fixture
def make_customer(admin: User) -> Callable[..., Customer]:
    """Create a customer through the service (number sharing allowed)."""

    def create(name: str = "Juan Dela Cruz", **fields: Any) -> Customer:
        data = customer_data(name, **fields)
        return create_customer(data, admin, shared_ok=_all_numbers(data))

    return create


def _all_numbers(data: CustomerData) -> set[str]:
    return {normalise_mobile(p) for p in data.phones if p.strip()}


class CustomerSeeder:
    """Make customers for view tests, each step committed in its own app context."""

    def __init__(self, app: Flask, make_user: Callable[..., Any]) -> None:
        self.app = app
        self.make_user = make_user
        self.owner_id: int | None = None
        self.numbered = 0

    def _context(self) -> Any:
        if self.owner_id is None:
            self.owner_id = self.make_user("ADMIN", username="owner").id
        return self.app.app_context()

    def _owner(self) -> User:
        owner = db.session.get(User, self.owner_id)
        assert owner is not None
        return owner

    def customer(self, name: str = "Juan Dela Cruz", **fields: Any) -> int:
        """Create a customer and return its id."""
        with self._context():
            data = customer_data(name, **fields)
            customer = create_customer(data, self._owner(), _all_numbers(data))
            db.session.commit()
            return customer.id

    def many(self, count: int) -> list[int]:
        """Create `count` numbered customers in one transaction; return their ids."""
        with self._context():
            owner = self._owner()
            ids = []
            for n in range(self.numbered + 1, self.numbered + count + 1):
                data = customer_data(f"Customer {n:03d}", phones=[f"0917 000 {n:04d}"])
                ids.append(create_customer(data, owner).id)
            db.session.commit()
            self.numbered += count
            return ids

    def toggle(self, name: str, value: bool) -> None:
        """Switch a feature toggle, e.g. TECH_CAN_VIEW_DETAILS."""
        from jcicons.settings.services import update_settings

        with self._context():
            update_settings({name: value}, self._owner())
            db.session.commit()

    def load(self, customer_id: int) -> Customer:
        """Return a customer with its numbers, detached, for assertions."""
        with self._context():
            customer = db.session.get(Customer, customer_id)
            assert customer is not None
            customer.phones  # noqa: B018 - load before detaching
            db.session.expunge_all()
            return customer


@pytest.fixture
def people(app: Flask, make_user: Callable[..., Any]) -> CustomerSeeder:
    """Customers for view tests, made outside any request."""
    return CustomerSeeder(app, make_user)
