"""Point-of-sale forms, and the parsing of the cart and payments the browser sends.

The browser keeps the cart and sends it as JSON: product ids, quantities, discounts
and serial numbers. Nothing it says about prices is read; the payments are the
amounts the cashier typed.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from jcicons.exceptions import DomainError
from jcicons.forms import BaseForm, DateField, IntegerField
from jcicons.money import MoneyError, parse_pesos
from jcicons.sales.models import PaymentMethod
from jcicons.sales.pricing import NO_DISCOUNT, Discount, DiscountKind
from jcicons.sales.services import MAX_LINES, CartLine, PaymentInput

MAX_PAYMENTS = 6
MAX_JSON_CHARS = 100_000


class CheckoutForm(BaseForm):
    """The counter's checkout: the cart and payments as JSON, plus who and how."""

    idempotency_key = HiddenField(
        validators=[DataRequired(), Length(max=64), Regexp(r"^[A-Za-z0-9_-]+$")]
    )
    cart = HiddenField(validators=[DataRequired("The cart is empty.")])
    payments = HiddenField(default="[]")
    sale_discount_kind = SelectField(
        "Sale discount",
        choices=[
            SelectChoice(DiscountKind.AMOUNT.value, "₱"),
            SelectChoice(DiscountKind.PERCENT.value, "%"),
        ],
        default=DiscountKind.AMOUNT.value,
    )
    sale_discount_value = StringField(
        "Sale discount", validators=[Optional(), Length(max=20)]
    )
    customer_id = IntegerField("Customer", validators=[Optional(), NumberRange(min=1)])
    customer_name = StringField(
        "Walk-in customer name", validators=[Optional(), Length(max=160)]
    )
    charge_to_account = BooleanField("Charge the balance to the customer's account")
    due_date = DateField("Due date", validators=[Optional()])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=500)])
    approver_username = StringField(
        "ADMIN username", validators=[Optional(), Length(max=32)]
    )
    approver_password = PasswordField(
        "ADMIN password", validators=[Optional(), Length(max=200)]
    )


def _load_json(text: str, what: str) -> Any:
    if len(text) > MAX_JSON_CHARS:
        raise DomainError(f"The {what} is too large.", field=what)
    try:
        return json.loads(text or "[]")
    except ValueError as exc:
        raise DomainError(
            f"The {what} could not be read; reload the page.", field=what
        ) from exc


def parse_discount(kind: str, value: str) -> Discount:
    """Return a discount from its kind and the typed value (pesos or per cent)."""
    text = (value or "").strip()
    if not text:
        return NO_DISCOUNT
    if kind == DiscountKind.PERCENT.value:
        try:
            percent = Decimal(text.rstrip("%").strip())
        except InvalidOperation as exc:
            raise DomainError(
                f"{text!r} is not a percentage.", field="discount"
            ) from exc
        if not percent.is_finite() or not 0 <= percent <= 100:
            raise DomainError("A discount is 0 to 100 per cent.", field="discount")
        return Discount(DiscountKind.PERCENT, percent=percent)
    if kind != DiscountKind.AMOUNT.value:
        raise DomainError("Choose an amount or a percentage.", field="discount")
    try:
        return Discount(DiscountKind.AMOUNT, parse_pesos(text))
    except MoneyError as exc:
        raise DomainError(str(exc), field="discount") from exc


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DomainError(f"The {what} must be a whole number.", field="lines")
    try:
        return int(value)
    except ValueError as exc:
        raise DomainError(f"The {what} must be a whole number.", field="lines") from exc


def parse_cart(data: Any) -> list[CartLine]:
    """Return the cart lines of the browser's cart (a JSON text or a list)."""
    items = _load_json(data, "cart") if isinstance(data, str) else data
    if not isinstance(items, list):
        raise DomainError("The cart could not be read; reload the page.", field="lines")
    if len(items) > MAX_LINES:
        raise DomainError(f"A sale has at most {MAX_LINES} lines.", field="lines")
    lines = []
    for item in items:
        if not isinstance(item, dict):
            raise DomainError("The cart could not be read.", field="lines")
        serials = item.get("serials") or []
        if not isinstance(serials, list):
            raise DomainError("The serial numbers could not be read.", field="lines")
        lines.append(
            CartLine(
                product_id=_int(item.get("product_id"), "product"),
                quantity=_int(item.get("quantity", 1), "quantity"),
                discount=parse_discount(
                    str(item.get("discount_kind") or DiscountKind.AMOUNT.value),
                    str(item.get("discount_value") or ""),
                ),
                serials=[str(s)[:64] for s in serials[:1000]],
            )
        )
    return lines


def _pesos(text: Any, what: str) -> int:
    try:
        return parse_pesos(str(text or ""))
    except MoneyError as exc:
        raise DomainError(f"{what}: {exc}", field="payments") from exc


def parse_payments(text: str) -> list[PaymentInput]:
    """Return the payments the cashier typed (method, amount, reference, tendered)."""
    items = _load_json(text, "payments")
    if not isinstance(items, list) or len(items) > MAX_PAYMENTS:
        raise DomainError("The payments could not be read.", field="payments")
    payments = []
    for item in items:
        if not isinstance(item, dict):
            raise DomainError("The payments could not be read.", field="payments")
        try:
            method = PaymentMethod(str(item.get("method") or ""))
        except ValueError as exc:
            raise DomainError(
                "Choose how the customer paid.", field="payments"
            ) from exc
        if not str(item.get("amount") or "").strip():
            continue
        tendered_text = str(item.get("tendered") or "").strip()
        tendered = None
        if method == PaymentMethod.CASH and tendered_text:
            tendered = _pesos(tendered_text, "Cash tendered")
        payments.append(
            PaymentInput(
                method=method,
                amount_centavos=_pesos(item.get("amount"), "Amount"),
                reference=str(item.get("reference") or "").strip()[:64],
                tendered_centavos=tendered,
            )
        )
    return payments
