"""Read-only selects for customers: who a user may see, the list, the pickers.

Every read of customers starts from `visible_customers`, so the rule of who may
see whom lives in one place and holds for lists, searches and pages alike.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from jcicons.customers.models import Customer, CustomerNote, CustomerPhone
from jcicons.customers.phones import search_digits
from jcicons.customers.scopes import tech_may_see
from jcicons.db import contains_pattern
from jcicons.extensions import db
from jcicons.security.capabilities import Role

if TYPE_CHECKING:
    from jcicons.auth.models import User

MAX_TERM = 100
PICKER_LIMIT = 10


def visible_customers(viewer: User, include_merged: bool = False) -> Select[Customer]:
    """Return the select of the customers `viewer` may see (merged ones hidden).

    ADMIN and SALES see every customer. A TECH sees only the customers of the
    repairs assigned to them.
    """
    query = select(Customer)
    if not include_merged:
        query = query.where(Customer.merged_into_id.is_(None))
    if viewer.role == Role.TECH:
        query = query.where(tech_may_see(viewer.id))
    return query


def merged_family_ids(customer_id: int) -> Select[tuple[int]]:
    """Return the select of a customer's id and of every customer merged into it.

    Merges chain (A into B, then B into C), so the ids come from a recursive select;
    other modules use it to count a merged customer's records for the one it joined.
    """
    family = (
        select(Customer.id)
        .where(Customer.id == customer_id)
        .cte("merged_family", recursive=True)
    )
    merged = aliased(Customer)
    family = family.union(select(merged.id).where(merged.merged_into_id == family.c.id))
    return select(family.c.id)


def search_condition(term: str) -> ColumnElement[bool] | None:
    """Return the condition matching a search box's text, or None for no text.

    One box finds a name, a business name, an e-mail address, a customer code or
    a mobile number typed in any format (0917-123-4567, +63 917..., 4567).
    """
    term = " ".join(term.split())[:MAX_TERM]
    if not term:
        return None
    like = contains_pattern(term)
    conditions: list[ColumnElement[bool]] = [
        func.lower(Customer.name).like(like, escape="\\"),
        func.lower(Customer.business_name).like(like, escape="\\"),
        func.lower(Customer.email).like(like, escape="\\"),
        func.lower(Customer.code).like(like, escape="\\"),
    ]
    digits = search_digits(term)
    if digits:
        by_phone = select(CustomerPhone.customer_id).where(
            CustomerPhone.number.like(f"%{digits}%")
        )
        conditions.append(Customer.id.in_(by_phone))
    return or_(*conditions)


def customer_list_query(viewer: User, search: str = "") -> Select[Customer]:
    """Return the select behind the customer list: by name, phones loaded at once."""
    query = visible_customers(viewer).options(selectinload(Customer.phones))
    condition = search_condition(search)
    if condition is not None:
        query = query.where(condition)
    return query.order_by(func.lower(Customer.name), Customer.id)


def search_customers(
    viewer: User, term: str, limit: int = PICKER_LIMIT
) -> list[Customer]:
    """Return at most ten customers matching `term`, for pickers; none for no term."""
    condition = search_condition(term)
    if condition is None:
        return []
    query = (
        visible_customers(viewer)
        .options(selectinload(Customer.phones))
        .where(condition)
        .order_by(func.lower(Customer.name), Customer.id)
        .limit(min(limit, PICKER_LIMIT))
    )
    return list(db.session.scalars(query))


def get_visible_customer(
    viewer: User, customer_id: int, include_merged: bool = False
) -> Customer | None:
    """Return one customer `viewer` may see, or None."""
    return db.session.scalar(
        visible_customers(viewer, include_merged).where(Customer.id == customer_id)
    )


def find_visible_by_code(viewer: User, code: str) -> Customer | None:
    """Return the live customer with this code (C-000123) that `viewer` may see."""
    code = code.strip().upper()
    if not code:
        return None
    return db.session.scalar(visible_customers(viewer).where(Customer.code == code))


def visible_ids(viewer: User, customer_ids: Collection[int]) -> set[int]:
    """Return which of the given customers `viewer` may see."""
    if not customer_ids:
        return set()
    query = (
        visible_customers(viewer)
        .where(Customer.id.in_(customer_ids))
        .with_only_columns(Customer.id)
    )
    return {int(row) for row in db.session.scalars(query)}


def customers_with_numbers(
    numbers: Collection[str], exclude_id: int | None = None
) -> list[tuple[str, Customer]]:
    """Return (number, customer) for live customers holding any of the numbers."""
    if not numbers:
        return []
    query = (
        select(CustomerPhone.number, Customer)
        .join(Customer, Customer.id == CustomerPhone.customer_id)
        .where(
            CustomerPhone.number.in_(numbers),
            Customer.merged_into_id.is_(None),
        )
        .order_by(Customer.id)
    )
    if exclude_id is not None:
        query = query.where(Customer.id != exclude_id)
    return [(str(number), customer) for number, customer in db.session.execute(query)]


def possible_duplicates(viewer: User, customer: Customer) -> list[Customer]:
    """Return other live customers sharing a mobile number or the exact name."""
    numbers = select(CustomerPhone.number).where(
        CustomerPhone.customer_id == customer.id
    )
    sharing = select(CustomerPhone.customer_id).where(CustomerPhone.number.in_(numbers))
    query = (
        visible_customers(viewer)
        .options(selectinload(Customer.phones))
        .where(
            Customer.id != customer.id,
            or_(
                Customer.id.in_(sharing),
                func.lower(Customer.name) == customer.name.lower(),
            ),
        )
        .order_by(Customer.id)
        .limit(20)
    )
    return list(db.session.scalars(query))


def list_notes(customer_id: int) -> list[CustomerNote]:
    """Return a customer's notes, newest first, with their authors."""
    return list(
        db.session.scalars(
            select(CustomerNote)
            .options(joinedload(CustomerNote.author))
            .where(CustomerNote.customer_id == customer_id)
            .order_by(CustomerNote.created_at.desc(), CustomerNote.id.desc())
        )
    )
