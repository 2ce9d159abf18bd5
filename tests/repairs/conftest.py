"""Repair factories: staff, customers, the service catalogue, parts and tickets.

Every repair test runs on a frozen clock (10:00 in Manila on 15 June 2026) so
dates, warranties and ages come out the same on any day the suite runs. Users are
made before anything else: each is committed in its own transaction, which would
wait on the test's open one on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from jcicons import clock
from jcicons.auth.models import User
from jcicons.clock import shop_today
from jcicons.customers.checks import CustomerData
from jcicons.customers.models import Customer, CustomerDepartment
from jcicons.customers.phones import normalise_mobile
from jcicons.customers.services import create_customer
from jcicons.extensions import db
from jcicons.inventory.models import Product
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    create_category,
    create_product,
    receive_stock,
)
from jcicons.repairs.models import DeviceType, RepairTicket, ServiceType
from jcicons.repairs.services import (
    IntakeData,
    ServiceTypeData,
    create_service_type,
    create_ticket,
)

# 10:00 on Monday 15 June 2026 in Manila.
NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    clock.set_frozen(NOW)
    yield
    clock.set_frozen(None)


@dataclass
class Staff:
    """One user of each role, and a second technician, in the test's context."""

    admin: User
    sales: User
    tech: User
    other_tech: User


@pytest.fixture
def staff(ctx: Flask, make_user: Callable[..., Any]) -> Staff:
    """Create the shop's staff before any other record."""
    ids = [
        make_user("ADMIN").id,
        make_user("SALES").id,
        make_user("TECH", full_name="Rico Tech").id,
        make_user("TECH", full_name="Lea Tech").id,
    ]
    users = [db.session.get(User, user_id) for user_id in ids]
    return Staff(*users)


@pytest.fixture
def admin(staff: Staff) -> User:
    """The ADMIN of the shop."""
    return staff.admin


@pytest.fixture
def sales(staff: Staff) -> User:
    """A SALES user at the counter."""
    return staff.sales


@pytest.fixture
def tech(staff: Staff) -> User:
    """A technician."""
    return staff.tech


@pytest.fixture
def other_tech(staff: Staff) -> User:
    """Another technician."""
    return staff.other_tech


@pytest.fixture
def make_customer(admin: User) -> Callable[..., Customer]:
    """Create a customer through the service, with a mobile number."""
    count = {"n": 0}

    def create(
        name: str = "Juan Dela Cruz", mobile: str | None = None, **fields: Any
    ) -> Customer:
        count["n"] += 1
        number = mobile or f"0917 555 {count['n']:04d}"
        data = CustomerData(name=name, phones=[number], **fields)
        return create_customer(data, admin, shared_ok={normalise_mobile(number)})

    return create


@pytest.fixture
def make_department(admin: User) -> Callable[..., CustomerDepartment]:
    """Add a department row to a business customer."""

    def create(customer: Customer, name: str = "Accounting") -> CustomerDepartment:
        department = CustomerDepartment(customer_id=customer.id, name=name)
        db.session.add(department)
        db.session.flush()
        return department

    return create


@pytest.fixture
def make_service(admin: User) -> Callable[..., ServiceType]:
    """Add a service to the catalogue."""

    def create(
        name: str = "Reformat and OS install",
        price: int = 800_00,
        warranty_days: int = 30,
    ) -> ServiceType:
        return create_service_type(ServiceTypeData(name, price, warranty_days), admin)

    return create


@pytest.fixture
def stocked(admin: User) -> Callable[..., Product]:
    """Create a part with stock received today at a cost."""
    category: dict[str, int] = {}

    def create(
        name: str,
        price: int,
        on_hand: int = 0,
        cost: int = 0,
        serials: list[str] | None = None,
        **fields: Any,
    ) -> Product:
        if not category:
            category["id"] = create_category("Parts", admin).id
        product = create_product(
            ProductData(
                name=name, category_id=category["id"], price_centavos=price, **fields
            ),
            admin,
        )
        if serials:
            on_hand = len(serials)
        if on_hand:
            line = ReceivingLineData(product.id, on_hand, cost, serials or [])
            receive_stock("Supplier", "DR-1", shop_today(), [line], admin)
        return product

    return create


@pytest.fixture
def make_ticket(
    admin: User, make_customer: Callable[..., Customer]
) -> Callable[..., RepairTicket]:
    """Open a ticket for a laptop (a customer is made unless one is given)."""

    def create(actor: User | None = None, **fields: Any) -> RepairTicket:
        if "customer_id" not in fields:
            fields["customer_id"] = make_customer().id
        fields.setdefault("device_type", DeviceType.LAPTOP)
        fields.setdefault("problem", "Does not boot past the logo.")
        return create_ticket(IntakeData(**fields), actor or admin)

    return create
