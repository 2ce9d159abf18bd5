"""Inventory pages: products, their stock history and adjustments, serial look-up,
and the JSON product search other screens use (routes attach to the blueprint)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.forms import new_form_key, query_int, show_domain_error
from jcicons.inventory.forms import (
    AdjustmentForm,
    ProductForm,
    product_form_data,
    split_lines,
)
from jcicons.inventory.models import (
    ADJUSTMENT_REASONS,
    REASON_LABELS,
    SERIAL_STATUS_LABELS,
    VAT_LABELS,
    MovementReason,
    Product,
    Receiving,
)
from jcicons.inventory.queries import (
    SORTS,
    MovementFilter,
    ProductFilter,
    autocomplete,
    category_choices,
    find_by_code,
    in_stock_serials,
    movement_query,
    product_query,
    serial_history,
    stock_value_centavos,
)
from jcicons.inventory.services import (
    ProductInvalid,
    adjust_stock,
    create_product,
    find_adjustment_by_key,
    list_categories,
    set_product_archived,
    update_product,
)
from jcicons.inventory.views import bp
from jcicons.inventory.views.references import movement_references
from jcicons.keyed import commit_once
from jcicons.money import format_pesos
from jcicons.security.capabilities import can, requires, signed_in_user

PER_PAGE = 50
MOVEMENTS_PER_PAGE = 25
STOCK_FILTERS = {
    "in": "In stock",
    "low": "Low",
    "out": "Out of stock",
    "service": "Services",
}
STATUS_FILTERS = {
    "active": "Active",
    "archived": "Archived",
    "all": "Active and archived",
}
SORT_LABELS = {
    "name": "Name",
    "sku": "SKU",
    "price": "Price, highest first",
    "stock": "On hand, lowest first",
    "newest": "Newest first",
}


def _product_or_404(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        abort(404)
    return product


def _list_filter() -> ProductFilter:
    args = request.args
    stock = args.get("stock", "")
    status = args.get("status", "active")
    sort = args.get("sort", "name")
    return ProductFilter(
        search=args.get("q", "")[:100],
        category_id=args.get("category", type=query_int),
        stock=stock if stock in STOCK_FILTERS else "",
        status=status if status in STATUS_FILTERS else "active",
        sort=sort if sort in SORTS else "name",
    )


@bp.get("/products")
@requires("inventory.view")
def products() -> ResponseReturnValue:
    """List products with one search box, filters, sorting and paging."""
    criteria = _list_filter()
    page = db.paginate(
        product_query(criteria),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    args = {
        "q": criteria.search,
        "category": criteria.category_id or "",
        "stock": criteria.stock,
        "status": criteria.status,
        "sort": criteria.sort,
    }
    return render_template(
        "inventory/products.html",
        page=page,
        criteria=criteria,
        args=args,
        filtered=bool(criteria.search or criteria.category_id or criteria.stock),
        categories=list_categories(include_archived=True),
        stock_filters=STOCK_FILTERS,
        status_filters=STATUS_FILTERS,
        sort_labels=SORT_LABELS,
        stock_value=stock_value_centavos() if can("inventory.view_costs") else None,
    )


@bp.get("/products/<int:product_id>")
@requires("inventory.view")
def product_detail(product_id: int) -> ResponseReturnValue:
    """Show a product, its stock and its movement history, newest first."""
    product = _product_or_404(product_id)
    movements = db.paginate(
        movement_query(MovementFilter(product_id=product.id)),
        per_page=MOVEMENTS_PER_PAGE,
        max_per_page=MOVEMENTS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "inventory/products_detail.html",
        product=product,
        movements=movements,
        references=movement_references(movements.items),
        serials=in_stock_serials(product.id) if product.is_serialized else [],
        reason_labels=REASON_LABELS,
        vat_labels=VAT_LABELS,
    )


def _product_form(product: Product | None = None) -> ProductForm:
    """Build the product form; the cost field only for those who may see costs."""
    form = ProductForm(data=product_form_data(product) if product else None)
    if not can("inventory.view_costs"):
        del form.cost
    choices = category_choices()
    if product is not None and product.category.is_archived:
        choices.append((product.category_id, f"{product.category.name} (archived)"))
    form.set_categories(choices)
    return form


def _render_product_form(form: ProductForm, product: Product | None) -> Any:
    status = 422 if request.method == "POST" else 200
    return render_template(
        "inventory/products_form.html", form=form, product=product
    ), status


@bp.route("/products/new", methods=["GET", "POST"])
@requires("inventory.edit")
def product_create() -> ResponseReturnValue:
    """Create a product (goods or a service)."""
    form = _product_form()
    if form.validate_on_submit():
        try:
            product = create_product(form.to_data(), signed_in_user())
        except ProductInvalid as exc:
            db.session.rollback()
            form.show_errors(exc.errors)
        else:
            db.session.commit()
            flash(f"{product.name} is saved as {product.sku}.", "success")
            return redirect(url_for("inventory.product_detail", product_id=product.id))
    return _render_product_form(form, None)


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@requires("inventory.edit")
def product_edit(product_id: int) -> ResponseReturnValue:
    """Change a product's details; only those who see costs may change the cost."""
    product = _product_or_404(product_id)
    form = _product_form(product)
    if form.validate_on_submit():
        try:
            changed = update_product(
                product, form.to_data(), signed_in_user(), can("inventory.view_costs")
            )
        except ProductInvalid as exc:
            db.session.rollback()
            form.show_errors(exc.errors)
        else:
            db.session.commit()
            flash(
                f"{product.name} is saved." if changed else "Nothing changed.",
                "success",
            )
            return redirect(url_for("inventory.product_detail", product_id=product.id))
    return _render_product_form(form, product)


def _set_archived(product_id: int, archived: bool) -> ResponseReturnValue:
    product = _product_or_404(product_id)
    try:
        set_product_archived(product, archived, signed_in_user())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        state = "archived: it keeps its history" if archived else "active again"
        flash(f"{product.name} is {state}.", "success")
    return redirect(url_for("inventory.product_detail", product_id=product.id))


@bp.post("/products/<int:product_id>/archive")
@requires("inventory.archive")
def product_archive(product_id: int) -> ResponseReturnValue:
    """Archive a product: no longer sold or received, never deleted."""
    return _set_archived(product_id, True)


@bp.post("/products/<int:product_id>/restore")
@requires("inventory.archive")
def product_restore(product_id: int) -> ResponseReturnValue:
    """Bring an archived product back."""
    return _set_archived(product_id, False)


def _adjust_prefill() -> dict[str, Any]:
    """Read a suggested adjustment from the address (a count links here with one)."""
    prefill: dict[str, Any] = {"idempotency_key": new_form_key()}
    quantity = request.args.get("quantity", type=query_int)
    if quantity is not None:
        prefill["quantity"] = quantity
    if request.args.get("reason") in {reason.value for reason in ADJUSTMENT_REASONS}:
        prefill["reason"] = request.args["reason"]
    prefill["note"] = request.args.get("note", "")[:500]
    return prefill


def _adjusted(product: Product) -> ResponseReturnValue:
    flash(
        f"Stock of {product.name} is now {product.on_hand} {product.unit}.", "success"
    )
    return redirect(url_for("inventory.product_detail", product_id=product.id))


@bp.route("/products/<int:product_id>/adjust", methods=["GET", "POST"])
@requires("inventory.edit")
def product_adjust(product_id: int) -> ResponseReturnValue:
    """Correct a product's stock by a signed quantity, with a reason.

    Each form carries an idempotency key: sent twice, it adjusts once.
    """
    product = _product_or_404(product_id)
    form = AdjustmentForm(data=_adjust_prefill() if request.method == "GET" else None)
    if form.is_submitted():
        valid = form.validate()
        earlier = find_adjustment_by_key(form.key()) if form.key() else None
        if earlier is not None:
            return _adjusted(earlier.product)
        form.renew_key_if_bad()
        if valid:
            try:
                adjustment = commit_once(
                    lambda: adjust_stock(
                        product,
                        form.quantity.data or 0,
                        MovementReason(form.reason.data),
                        signed_in_user(),
                        form.note.data or "",
                        split_lines(form.serials.data),
                        idempotency_key=form.key(),
                    ),
                    find_adjustment_by_key,
                    form.key(),
                )
            except DomainError as exc:
                db.session.rollback()
                show_domain_error(form, exc, default="quantity")
            else:
                return _adjusted(adjustment.product)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "inventory/adjust.html",
        form=form,
        product=product,
        serials=in_stock_serials(product.id) if product.is_serialized else [],
    ), status


def product_json(product: Product, with_cost: bool) -> dict[str, Any]:
    """Return what other screens need to know about a product (cost if allowed)."""
    item: dict[str, Any] = {
        "id": product.id,
        "sku": product.sku,
        "barcode": product.barcode,
        "name": product.name,
        "brand": product.brand,
        "model": product.model,
        "unit": product.unit,
        "price_centavos": product.price_centavos,
        "price": format_pesos(product.price_centavos),
        "vat_class": product.vat_class,
        "on_hand": product.on_hand,
        "is_service": product.is_service,
        "is_serialized": product.is_serialized,
        "url": url_for("inventory.product_detail", product_id=product.id),
    }
    if with_cost:
        item["cost_centavos"] = product.cost_centavos
        item["cost"] = format_pesos(product.cost_centavos)
    return item


@bp.get("/products/autocomplete")
@requires("inventory.view")
def product_autocomplete() -> ResponseReturnValue:
    """Return up to 10 active products matching ?q= by name, SKU or barcode."""
    with_cost = can("inventory.view_costs")
    found = autocomplete(request.args.get("q", ""))
    return jsonify({"products": [product_json(p, with_cost) for p in found]})


@bp.get("/products/lookup")
@requires("inventory.view")
def product_lookup() -> ResponseReturnValue:
    """Return the one active product whose barcode or SKU is exactly ?code=."""
    code = request.args.get("code", "").strip()[:64]
    product = find_by_code(code)
    if product is None:
        message = f"No active product has the barcode or SKU {code!r}."
        return jsonify({"error": message if code else "Scan or type a code."}), 404
    return jsonify({"product": product_json(product, can("inventory.view_costs"))})


@bp.get("/serials")
@requires("inventory.view")
def serials() -> ResponseReturnValue:
    """Find a unit by serial number or IMEI: its product, status and history."""
    serial = request.args.get("serial", "").strip()[:64]
    unit, movements = serial_history(serial) if serial else (None, [])
    receiving = None
    if unit is not None and unit.receiving_id is not None:
        receiving = db.session.get(Receiving, unit.receiving_id)
    return render_template(
        "inventory/serials.html",
        serial=serial,
        unit=unit,
        movements=movements,
        receiving=receiving,
        references=movement_references(movements),
        status_labels=SERIAL_STATUS_LABELS,
        reason_labels=REASON_LABELS,
    )
