"""Inventory pages: the movement ledger and low stock, with their downloads
(routes attach to the inventory blueprint)."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, or_, select

from jcicons.extensions import MAX_PAGE, db
from jcicons.forms import query_int
from jcicons.inventory.exports import (
    movement_table,
    purchase_list,
    purchase_list_page,
    purchase_list_total_centavos,
    purchase_table,
    reason_label,
)
from jcicons.inventory.forms_stock import CategoryFilterForm, MovementFilterForm
from jcicons.inventory.models import Product
from jcicons.inventory.queries import MovementFilter, movement_query
from jcicons.inventory.views import bp
from jcicons.inventory.views.exchange import check_format, send_table
from jcicons.inventory.views.references import movement_references
from jcicons.security.capabilities import can, requires

MOVEMENTS_PER_PAGE = 50


# The movement ledger ----------------------------------------------------------


def _product_by_code(code: str) -> Product | None:
    """Return the product (archived too) whose SKU or barcode is `code`."""
    return db.session.scalar(
        select(Product).where(
            or_(func.upper(Product.sku) == code.upper(), Product.barcode == code)
        )
    )


def _movement_filter(form: MovementFilterForm) -> MovementFilter:
    if not form.validate():
        return MovementFilter()
    criteria = MovementFilter(
        reason=form.reason.data or "",
        actor_id=int(form.actor.data) if (form.actor.data or "").isdigit() else None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    code = (form.product.data or "").strip()
    if code:
        product = _product_by_code(code)
        if product is None:
            form.product.errors = ["No product has that SKU or barcode."]
        criteria.product_id = product.id if product is not None else -1
    elif (form.product_id.data or "").isdigit():
        criteria.product_id = int(form.product_id.data)
    return criteria


@bp.get("/movements")
@requires("inventory.view")
def movements() -> ResponseReturnValue:
    """List every stock movement, newest first, filtered and paged."""
    form = MovementFilterForm(request.args)
    criteria = _movement_filter(form)
    page = db.paginate(
        movement_query(criteria),
        per_page=MOVEMENTS_PER_PAGE,
        max_per_page=MOVEMENTS_PER_PAGE,
        error_out=False,
    )
    references = movement_references(page.items)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "inventory/movements.html",
        form=form,
        page=page,
        args=args,
        references=references,
        reason_label=reason_label,
        costs=can("inventory.view_costs"),
    )


@bp.get("/movements/export.<fmt>")
@requires("reports.view")
def movements_export(fmt: str) -> ResponseReturnValue:
    """Download the filtered ledger as CSV or XLSX (an inventory report: ADMIN)."""
    check_format(fmt)
    criteria = _movement_filter(MovementFilterForm(request.args))
    table = movement_table(movement_query(criteria), can("inventory.view_costs"))
    return send_table(table, fmt, "stock-movements")


# Low stock ------------------------------------------------------------------------


def _low_stock_category() -> tuple[CategoryFilterForm, int | None]:
    form = CategoryFilterForm(request.args)
    return form, (form.category.data or None) if form.validate() else None


@bp.get("/low-stock")
@requires("inventory.view")
def low_stock() -> ResponseReturnValue:
    """List goods at or under their reorder level with how many to order."""
    form, category_id = _low_stock_category()
    costs = can("inventory.view_costs")
    show_all = request.args.get("all") == "1"
    if show_all:
        # The whole list in one page, for printing: slow with thousands of rows.
        lines = purchase_list(category_id)
        pager = None
    else:
        pager = purchase_list_page(
            category_id,
            min(request.args.get("page", 1, type=query_int), MAX_PAGE),
            LOW_STOCK_PER_PAGE,
        )
        lines = pager.items
    return render_template(
        "inventory/low_stock.html",
        form=form,
        lines=lines,
        pager=pager,
        show_all=show_all,
        category_id=category_id,
        costs=costs,
        total=purchase_list_total_centavos(category_id) if costs else None,
    )


LOW_STOCK_PER_PAGE = 100


@bp.get("/low-stock/export.<fmt>")
@requires("reports.view")
def low_stock_export(fmt: str) -> ResponseReturnValue:
    """Download the purchase list as CSV or XLSX (an inventory report: ADMIN)."""
    check_format(fmt)
    _, category_id = _low_stock_category()
    costs = can("inventory.view_costs")
    return send_table(
        purchase_table(purchase_list(category_id), costs), fmt, "purchase-list"
    )
