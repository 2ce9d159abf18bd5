"""The point of sale: the counter screen, cart pricing and checkout.

The cart lives in the browser; every figure it shows comes from /pos/price, and
checkout prices everything again from the catalogue. Only the payment amounts the
cashier typed are taken from the form.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import (
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from jcicons.clock import shop_today
from jcicons.customers.services import resolve_customer
from jcicons.exceptions import DomainError, NotFound
from jcicons.extensions import db
from jcicons.inventory.models import Product
from jcicons.inventory.queries import in_stock_serials
from jcicons.main.errors import render_error
from jcicons.sales.approval import approve_on_the_spot
from jcicons.sales.forms import CheckoutForm, parse_cart, parse_discount, parse_payments
from jcicons.sales.models import METHOD_LABELS, Sale
from jcicons.sales.pricing import Totals
from jcicons.sales.services import (
    CheckoutRequest,
    DiscountNeedsApproval,
    checkout,
    find_sale_by_key,
    latest_due_date,
    price_lines,
    store_credit_balance,
)
from jcicons.sales.views import pos_bp
from jcicons.security.capabilities import Role, Toggle, requires, signed_in_user
from jcicons.settings.services import current_settings

logger = logging.getLogger(__name__)

SWITCHED_OFF = (
    "The point of sale is switched off. Your account does not have access to this "
    "page while it is off; an ADMIN can switch it on again in Admin, Settings."
)


@pos_bp.errorhandler(403)
def _refused(error: Exception) -> ResponseReturnValue:
    """Say plainly when the counter is refused because the POS is switched off."""
    settings = current_settings()
    counter_role = current_user.is_authenticated and current_user.role in {
        Role.ADMIN.value,
        Role.SALES.value,
    }
    if counter_role and not settings.get(Toggle.POS_ENABLED.value, True):
        return render_error(403, SWITCHED_OFF)
    return render_error(403)


def _render_counter(form: CheckoutForm, error: str = "", status: int = 200) -> Any:
    settings = current_settings()
    today = shop_today()
    return render_template(
        "pos/index.html",
        form=form,
        error=error,
        due_dates=(today.isoformat(), latest_due_date(today).isoformat()),
        methods=METHOD_LABELS,
        vat_registered=bool(settings.get("VAT_REGISTERED", True)),
        discount_cap=settings.get("SALES_DISCOUNT_CAP_PERCENT", 10),
        needs_approval=form.approver_username.errors or error_needs_approval(error),
    ), status


def error_needs_approval(error: str) -> bool:
    """Return True when the message asks for an ADMIN's approval."""
    return "ADMIN must approve" in error


@pos_bp.get("/")
@requires("pos.use")
def index() -> ResponseReturnValue:
    """Show the counter screen, with a fresh idempotency key for this sale."""
    form = CheckoutForm(idempotency_key=secrets.token_urlsafe(24))
    return _render_counter(form)


def totals_json(totals: Totals, names: list[str]) -> dict[str, Any]:
    """Return the priced cart as the counter screen shows it."""
    return {
        "lines": [
            {
                "name": name,
                "gross_centavos": line.gross_centavos,
                "line_discount_centavos": line.line_discount_centavos,
                "sale_discount_centavos": line.sale_discount_centavos,
                "net_centavos": line.net_centavos,
            }
            for name, line in zip(names, totals.lines, strict=True)
        ],
        "subtotal_centavos": totals.subtotal_centavos,
        "line_discounts_centavos": totals.line_discounts_centavos,
        "sale_discount_centavos": totals.sale_discount_centavos,
        "total_centavos": totals.total_centavos,
        "vatable_sales_centavos": totals.vatable_sales_centavos,
        "vat_centavos": totals.vat_centavos,
        "exempt_sales_centavos": totals.exempt_sales_centavos,
        "zero_rated_sales_centavos": totals.zero_rated_sales_centavos,
    }


@pos_bp.post("/price")
@requires("pos.use")
def price() -> ResponseReturnValue:
    """Price the browser's cart from the catalogue (a preview; checkout re-prices)."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify({"error": 'Send JSON: {"lines": [...]}.'}), 400
    settings = current_settings()
    try:
        lines = parse_cart(payload.get("lines"))
        discount = parse_discount(
            str(payload.get("sale_discount_kind") or "amount"),
            str(payload.get("sale_discount_value") or ""),
        )
        resolved, totals = price_lines(
            lines, discount, bool(settings.get("VAT_REGISTERED", True))
        )
    except DomainError as exc:
        db.session.rollback()
        return jsonify({"error": exc.message}), 422
    return jsonify(totals_json(totals, [r.product.name for r in resolved]))


@pos_bp.get("/serials/<int:product_id>")
@requires("pos.use")
def serials(product_id: int) -> ResponseReturnValue:
    """Return the serial numbers of a product's units in stock."""
    if db.session.get(Product, product_id) is None:
        abort(404)
    return jsonify({"serials": in_stock_serials(product_id)})


@pos_bp.get("/customers/<int:customer_id>/store-credit")
@requires("pos.use")
def store_credit(customer_id: int) -> ResponseReturnValue:
    """Return the store credit a customer at the counter may spend (checkout checks
    it again)."""
    try:
        customer = resolve_customer(customer_id, signed_in_user())
    except NotFound:
        abort(404)
    balance = store_credit_balance(customer.id)
    return jsonify({"customer_id": customer.id, "balance_centavos": balance})


def _checkout_request(form: CheckoutForm) -> CheckoutRequest:
    return CheckoutRequest(
        idempotency_key=form.idempotency_key.data,
        lines=parse_cart(form.cart.data),
        payments=parse_payments(form.payments.data or "[]"),
        sale_discount=parse_discount(
            form.sale_discount_kind.data or "amount", form.sale_discount_value.data
        ),
        customer_id=form.customer_id.data,
        customer_name=form.customer_name.data or "",
        charge_to_account=bool(form.charge_to_account.data),
        due_date=form.due_date.data,
        notes=form.notes.data or "",
    )


def _receipt_redirect(sale: Sale) -> ResponseReturnValue:
    return redirect(url_for("sales.receipt", sale_id=sale.id, fresh=1))


@pos_bp.post("/checkout")
@requires("pos.use")
def checkout_sale() -> ResponseReturnValue:
    """Complete the sale once per form (idempotency key) and show its receipt."""
    form = CheckoutForm()
    if not form.validate_on_submit():
        return _render_counter(form, "Check the sale and send it again.", 422)
    existing = find_sale_by_key(form.idempotency_key.data)
    if existing is not None:
        return _receipt_redirect(existing)
    approver = approve_on_the_spot(form)
    if form.approver_username.errors:
        db.session.commit()  # keep the security event of the refused password
        return _render_counter(form, form.approver_username.errors[0], 422)
    try:
        sale = checkout(
            _checkout_request(form), signed_in_user(), current_settings(), approver
        )
        db.session.commit()
    except DiscountNeedsApproval as exc:
        db.session.rollback()
        return _render_counter(form, exc.message, 422)
    except DomainError as exc:
        db.session.rollback()
        return _render_counter(form, exc.message, 422)
    except IntegrityError:
        # Two sends of one form raced past the look-up; the other one made the sale.
        db.session.rollback()
        raced = find_sale_by_key(form.idempotency_key.data)
        if raced is None:
            raise
        return _receipt_redirect(raced)
    return _receipt_redirect(sale)
