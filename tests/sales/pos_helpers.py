"""Helpers for the point-of-sale tests: a catalogue made through the services, and
the checkout form as the counter's script sends it."""

from __future__ import annotations

import json
import re
import secrets
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from jcicons.auth.models import User
from jcicons.clock import shop_today
from jcicons.customers.models import Customer
from jcicons.extensions import db
from jcicons.inventory.models import Category
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    create_category,
    create_product,
    receive_stock,
)
from jcicons.sales.models import Sale
from jcicons.settings.services import update_settings


class Counter:
    """Makes products, customers and settings, each in its own committed transaction."""

    def __init__(self, app: Any, admin_id: int) -> None:
        self.app = app
        self.admin_id = admin_id

    def product(
        self,
        name: str,
        price: int,
        on_hand: int = 0,
        serials: Any = None,
        **fields: Any,
    ) -> int:
        with self.app.app_context():
            admin = db.session.get(User, self.admin_id)
            category = db.session.scalar(
                select(Category).where(Category.name == "Goods")
            )
            category = category or create_category("Goods", admin)
            product = create_product(
                ProductData(
                    name=name, category_id=category.id, price_centavos=price, **fields
                ),
                admin,
            )
            on_hand = len(serials) if serials else on_hand
            if on_hand:
                line = ReceivingLineData(product.id, on_hand, 100_00, serials or [])
                receive_stock("Supplier", "DR-1", date(2026, 12, 1), [line], admin)
            db.session.commit()
            return product.id

    def customer(
        self, name: str = "Dela Cruz Trading", credit_limit: int = 0, **fields: Any
    ) -> int:
        with self.app.app_context():
            count = db.session.scalar(select(func.count()).select_from(Customer)) or 0
            row = Customer(
                code=f"C-P{count + 1:04d}",
                kind="BUSINESS",
                name=name,
                credit_limit_centavos=credit_limit,
                **fields,
            )
            db.session.add(row)
            db.session.commit()
            return row.id

    def settings(self, **values: Any) -> None:
        with self.app.app_context():
            update_settings(values, db.session.get(User, self.admin_id))
            db.session.commit()

    def sales(self) -> list[Sale]:
        with self.app.app_context():
            rows = list(db.session.scalars(select(Sale).order_by(Sale.id)))
            for row in rows:
                _ = (row.lines, row.payments)
                db.session.expunge(row)
            return rows


def soon() -> str:
    """Return a due date a month from today (shop time), as the form sends it."""
    return (shop_today() + timedelta(days=30)).isoformat()


def line(product_id: int, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    """Return one cart line as pos.js sends it."""
    return {"product_id": product_id, "quantity": quantity, **extra}


def pay(method: str, amount: str, **extra: str) -> dict[str, str]:
    """Return one payment row as the cashier typed it."""
    return {"method": method, "amount": amount, **extra}


def checkout_form(
    lines: list[dict[str, Any]],
    payments: list[dict[str, str]],
    key: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Return the checkout form: cart and payments as JSON, plus other fields."""
    return {
        "idempotency_key": key or secrets.token_urlsafe(16),
        "cart": json.dumps(lines),
        "payments": json.dumps(payments),
        "sale_discount_kind": "amount",
        **fields,
    }


def page_key(html: str) -> str:
    """Return the idempotency key the counter page was rendered with."""
    match = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="idempotency_key"', html
    )
    assert match, "no idempotency key on the page"
    return match.group(1)
