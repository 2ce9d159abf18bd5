"""Sales pages: the sales list and its downloads, the sale page, payments on
balances, returns and voids (routes attach to the sales blueprint)."""

from __future__ import annotations

import logging
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select

from jcicons.clock import shop_zone
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.exports import MAX_EXPORT_ROWS, ExportColumn, Table
from jcicons.inventory.views.exchange import check_format, send_table
from jcicons.sales.forms_documents import (
    PaymentForm,
    ReturnForm,
    SaleFilterForm,
    VoidForm,
    parse_return_lines,
)
from jcicons.sales.models import METHOD_LABELS, PaymentMethod, Sale, SaleStatus
from jcicons.sales.queries import (
    balance_of,
    get_sale,
    get_user_names,
    list_sale_figures,
    list_sale_history,
    sale_list_query,
)
from jcicons.sales.services import (
    PaymentInput,
    collect_payment,
    return_items,
    sale_balance,
    store_credit_balance,
    void_sale,
)
from jcicons.sales.views import bp
from jcicons.security.capabilities import can, requires, signed_in_user

logger = logging.getLogger(__name__)

SALES_PER_PAGE = 50


def sale_or_404(sale_id: int) -> Sale:
    """Return the sale, or answer 404."""
    sale = get_sale(sale_id)
    if sale is None:
        abort(404)
    return sale


def method_label(method: str) -> str:
    """Return the words for a payment method code."""
    try:
        return METHOD_LABELS[PaymentMethod(method)]
    except ValueError:
        return method


# The list -------------------------------------------------------------------------


@bp.get("/")
@requires("sales.view")
def index() -> ResponseReturnValue:
    """List sales, newest first, searched, filtered and paged."""
    form = SaleFilterForm(request.args)
    page = db.paginate(
        sale_list_query(form.criteria()),
        per_page=SALES_PER_PAGE,
        max_per_page=SALES_PER_PAGE,
        error_out=False,
    )
    figures = list_sale_figures(page.items)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "sales/index.html",
        form=form,
        page=page,
        args=args,
        figures=figures,
        balance_of=balance_of,
        method_label=method_label,
    )


EXPORT_COLUMNS = [
    ExportColumn("invoice", width=14),
    ExportColumn("time", "datetime", width=17),
    ExportColumn("status", width=11),
    ExportColumn("customer", width=30),
    ExportColumn("cashier", width=14),
    ExportColumn("total", "pesos"),
    ExportColumn("paid", "pesos"),
    ExportColumn("returned", "pesos"),
    ExportColumn("balance", "pesos"),
    ExportColumn("methods", width=20),
]


@bp.get("/export.<fmt>")
@requires("reports.view")
def export(fmt: str) -> ResponseReturnValue:
    """Download the filtered sales list as CSV or XLSX (an export: ADMIN only)."""
    check_format(fmt)
    criteria = SaleFilterForm(request.args).criteria()
    query: Select[Any] = sale_list_query(criteria).limit(MAX_EXPORT_ROWS)
    sales: list[Sale] = list(db.session.scalars(query))
    figures = list_sale_figures(sales)
    rows = (
        [
            s.number,
            s.created_at,
            s.status,
            s.customer_name,
            s.cashier.username if s.cashier is not None else "",
            s.total_centavos,
            figures[s.id].paid_centavos,
            figures[s.id].returned_centavos,
            balance_of(s, figures[s.id]),
            ", ".join(method_label(m) for m in figures[s.id].methods),
        ]
        for s in sales
    )
    columns = [
        EXPORT_COLUMNS[0],
        ExportColumn(f"time ({shop_zone().key})", "datetime", width=17),
        *EXPORT_COLUMNS[2:],
    ]
    return send_table(Table("Sales", columns, rows), fmt, "sales")


# One sale -------------------------------------------------------------------------


def _has_customer(sale: Sale) -> bool:
    """Return True when the sale names a customer, who may hold store credit."""
    return sale.customer_id is not None


def _render_detail(
    sale: Sale, payment_form: PaymentForm | None = None, status: int = 200
) -> ResponseReturnValue:
    history = list_sale_history(sale)
    names = get_user_names(
        [sale.voided_by_id, sale.discount_approved_by_id]
        + [memo.created_by_id for memo in sale.credit_memos]
    )
    costs = can("inventory.view_costs")
    cost_total = sum(line.unit_cost_centavos * line.quantity for line in sale.lines)
    balance = sale_balance(sale)
    store_credit = 0
    if balance > 0 and sale.customer_id is not None:
        store_credit = store_credit_balance(sale.customer_id)
    # Store credit is offered when the customer has some; a sent form keeps its list.
    form = payment_form or PaymentForm(formdata=None, store_credit=store_credit > 0)
    return (
        render_template(
            "sales/detail.html",
            sale=sale,
            balance=balance,
            store_credit=store_credit,
            history=history,
            names=names,
            costs=costs,
            cost_total=cost_total,
            payment_form=form,
            void_form=VoidForm(formdata=None),
            method_label=method_label,
        ),
        status,
    )


@bp.get("/<int:sale_id>")
@requires("sales.view")
def detail(sale_id: int) -> ResponseReturnValue:
    """Show one invoice: lines, totals, payments, returns, balance and history."""
    return _render_detail(sale_or_404(sale_id))


@bp.post("/<int:sale_id>/payments")
@requires("sales.view")
def collect(sale_id: int) -> ResponseReturnValue:
    """Take a payment on a sale's open balance."""
    sale = sale_or_404(sale_id)
    form = PaymentForm(store_credit=_has_customer(sale))
    if not form.validate_on_submit():
        return _render_detail(sale, form, 422)
    payment = PaymentInput(
        PaymentMethod(form.method.data),
        form.amount.centavos or 0,
        form.reference.data or "",
        form.tendered.centavos,
    )
    try:
        collect_payment(sale, payment, signed_in_user())
    except DomainError as exc:
        db.session.rollback()
        form.amount.errors = [*form.amount.errors, exc.message]
        return _render_detail(sale_or_404(sale_id), form, 422)
    db.session.commit()
    logger.info("payment on %s by %s", sale.number, current_user.username)
    flash(f"Payment recorded on {sale.number}.", "success")
    return redirect(url_for("sales.detail", sale_id=sale.id))


@bp.route("/<int:sale_id>/return", methods=["GET", "POST"])
@requires("sales.return")
def return_sale(sale_id: int) -> ResponseReturnValue:
    """Take items back against a sale and issue a credit memo."""
    sale = sale_or_404(sale_id)
    if sale.status == SaleStatus.VOID:
        flash("This sale is void: nothing can be returned.", "warning")
        return redirect(url_for("sales.detail", sale_id=sale.id))
    form = ReturnForm(store_credit=_has_customer(sale))
    line_errors: dict[int, str] = {}
    if form.validate_on_submit():
        items, line_errors = parse_return_lines(request.form, sale.lines)
        if not line_errors:
            try:
                memo = return_items(
                    sale,
                    items,
                    form.reason.data or "",
                    PaymentMethod(form.refund_method.data),
                    signed_in_user(),
                    form.reference.data or "",
                )
            except DomainError as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
                sale = sale_or_404(sale_id)
            else:
                db.session.commit()
                flash(f"Return recorded as credit memo {memo.number}.", "success")
                return redirect(url_for("sales.detail", sale_id=sale.id))
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "sales/return.html", sale=sale, form=form, line_errors=line_errors
        ),
        status,
    )


@bp.post("/<int:sale_id>/void")
@requires("sales.void")
def void(sale_id: int) -> ResponseReturnValue:
    """Void a whole sale: restock it and refund its payments, with a reason."""
    sale = sale_or_404(sale_id)
    form = VoidForm()
    if not form.validate_on_submit():
        flash("Give the reason for voiding the sale.", "danger")
        return redirect(url_for("sales.detail", sale_id=sale.id))
    try:
        left_alone = void_sale(sale, form.reason.data or "", signed_in_user())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(f"{sale.number} is void.", "success")
        if left_alone:
            flash(
                f"Not put back in stock: {', '.join(left_alone)}. The stock record no "
                "longer has them as sold on this sale; check them in inventory.",
                "warning",
            )
    return redirect(url_for("sales.detail", sale_id=sale_id))
