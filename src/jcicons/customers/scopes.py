"""Which customers a TECH may see, decided by the module that assigns their work.

A TECH sees the customers of the repairs assigned to them. Repairs builds on
customers, never the other way round, so repairs hands customers that select when
the app is made (`register_tech_customers`). Until then a TECH sees no customer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, false

from jcicons.customers.models import Customer

TechCustomers = Callable[[int], Select[Any]]
_registered: list[TechCustomers] = []


def register_tech_customers(customer_ids_of: TechCustomers) -> None:
    """Give customers the select of a TECH's customers' ids, by the TECH's user id."""
    _registered[:] = [customer_ids_of]


def tech_may_see(user_id: int) -> ColumnElement[bool]:
    """Return the condition on customers that a TECH with `user_id` may see."""
    if not _registered:
        return false()
    return Customer.id.in_(_registered[0](user_id))
