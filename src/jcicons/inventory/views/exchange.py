"""Inventory pages: product import and export, downloads, and barcode labels
(routes attach to the inventory blueprint)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from jcicons.clock import utcnow
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.exports import (
    Table,
    export_filename,
    import_template,
    product_table,
    write_table,
)
from jcicons.inventory.forms_stock import (
    ImportConfirmForm,
    ImportUploadForm,
    LabelPickForm,
    parse_label_quantities,
    product_filter,
)
from jcicons.inventory.import_files import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    read_upload,
)
from jcicons.inventory.imports import (
    COST_COLUMN,
    check_rows,
    discard_import_batch,
    get_import_batch,
    import_products,
    save_import_batch,
)
from jcicons.inventory.labels import code128_svg, label_code, label_sheets
from jcicons.inventory.models import ImportBatch, Product
from jcicons.inventory.queries import ProductFilter, category_choices, product_query
from jcicons.inventory.views import bp
from jcicons.security.capabilities import can, requires, signed_in_user

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PREVIEW_VALID_ROWS = 20
LABEL_PICKER_ROWS = 200


def check_format(fmt: str) -> None:
    """Answer 404 for a download format other than csv or xlsx."""
    if fmt not in EXPORT_TYPES:
        abort(404)


def send_table(table: Table, fmt: str, stem: str) -> Response:
    """Return a table as a CSV or XLSX download named after today's shop date."""
    check_format(fmt)
    response = Response(write_table(table, fmt), mimetype=EXPORT_TYPES[fmt])
    name = export_filename(stem, fmt, utcnow())
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Import -----------------------------------------------------------------------


def _render_upload(form: ImportUploadForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "inventory/import.html",
        form=form,
        columns=COLUMNS,
        max_rows=MAX_ROWS,
        max_megabytes=MAX_FILE_BYTES // (1024 * 1024),
    ), status


@bp.route("/import", methods=["GET", "POST"])
@requires("inventory.edit")
def import_upload() -> ResponseReturnValue:
    """Offer the upload form; read an uploaded file, keep its rows, show the preview."""
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _render_upload(form, 422 if request.method == "POST" else 200)
    upload = form.file.data
    try:
        parsed = read_upload(upload.filename or "", upload.read(MAX_FILE_BYTES + 1))
    except DomainError as exc:
        form.file.errors = [exc.message]
        return _render_upload(form, 422)
    batch = save_import_batch(
        parsed,
        upload.filename or "",
        signed_in_user(),
        may_set_cost=can("inventory.view_costs"),
    )
    db.session.commit()
    return redirect(url_for("inventory.import_preview", token=batch.token))


def _batch_or_restart(token: str) -> ImportBatch | None:
    try:
        return get_import_batch(token, signed_in_user())
    except DomainError as exc:
        flash(exc.message, "warning")
        return None


@bp.get("/import/<token>")
@requires("inventory.edit")
def import_preview(token: str) -> ResponseReturnValue:
    """Show every row's problems, and the first good rows, before importing."""
    batch = _batch_or_restart(token)
    if batch is None:
        return redirect(url_for("inventory.import_upload"))
    costs = can("inventory.view_costs")
    results = check_rows(batch.rows, may_set_cost=costs)
    valid = [r for r in results if r.is_valid]
    return render_template(
        "inventory/import_preview.html",
        batch=batch,
        invalid=[r for r in results if not r.is_valid],
        valid=valid[:PREVIEW_VALID_ROWS],
        valid_count=len(valid),
        total=len(results),
        columns=COLUMNS,
        form=ImportConfirmForm(),
        costs_ignored=not costs and COST_COLUMN in batch.ignored_columns,
    )


@bp.post("/import/<token>/confirm")
@requires("inventory.edit")
def import_confirm(token: str) -> ResponseReturnValue:
    """Create the previewed products in one go (optionally skipping bad rows)."""
    batch = _batch_or_restart(token)
    if batch is None:
        return redirect(url_for("inventory.import_upload"))
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("inventory.import_preview", token=token))
    try:
        outcome = import_products(
            batch,
            signed_in_user(),
            bool(form.skip_invalid.data),
            may_set_cost=can("inventory.view_costs"),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("inventory.import_preview", token=token))
    db.session.commit()
    skipped = (
        f" {len(outcome.skipped_lines)} row(s) skipped."
        if outcome.skipped_lines
        else ""
    )
    flash(f"{len(outcome.created)} product(s) imported.{skipped}", "success")
    return redirect(url_for("inventory.products", sort="newest"))


@bp.post("/import/<token>/cancel")
@requires("inventory.edit")
def import_cancel(token: str) -> ResponseReturnValue:
    """Forget an uploaded file without importing anything."""
    batch = _batch_or_restart(token)
    if batch is not None:
        discard_import_batch(batch)
        db.session.commit()
        flash("The upload was discarded; nothing was imported.", "info")
    return redirect(url_for("inventory.import_upload"))


@bp.get("/import/template.<fmt>")
@requires("inventory.edit")
def import_template_download(fmt: str) -> ResponseReturnValue:
    """Download an empty import file with every column and two example rows."""
    check_format(fmt)
    return send_table(import_template(), fmt, "product-import-template")


# Export -----------------------------------------------------------------------


@bp.get("/export")
@requires("inventory.view")
def export() -> ResponseReturnValue:
    """Offer downloads of the product list, the ledger and the purchase list.

    The downloads are inventory reports (`reports.view`), so the menu offers the
    page to ADMIN only; anyone else who opens it is told so.
    """
    return render_template(
        "inventory/export.html",
        criteria=product_filter(request.args),
        categories=category_choices(),
        costs=can("inventory.view_costs"),
    )


@bp.get("/export/products.<fmt>")
@requires("reports.view")
def export_products(fmt: str) -> ResponseReturnValue:
    """Download the product list, filtered as on the product list (an inventory
    report: ADMIN)."""
    check_format(fmt)
    table = product_table(product_filter(request.args), can("inventory.view_costs"))
    return send_table(table, fmt, "products")


# Labels -----------------------------------------------------------------------


@bp.get("/labels")
@requires("inventory.view")
def labels() -> ResponseReturnValue:
    """Pick products and how many labels of each to print."""
    form = LabelPickForm(request.args)
    criteria = ProductFilter(status="active")
    if form.validate():
        criteria.search = form.q.data or ""
        criteria.category_id = form.category.data or None
    products = db.session.scalars(
        product_query(criteria)
        .where(Product.is_service.is_(False))
        .limit(LABEL_PICKER_ROWS)
    ).all()
    quantities, _ = parse_label_quantities(request.args)
    return render_template(
        "inventory/labels.html",
        form=form,
        products=products,
        quantities=quantities,
        limit=LABEL_PICKER_ROWS,
    )


@bp.get("/labels/sheet")
@requires("inventory.view")
def labels_sheet() -> ResponseReturnValue:
    """Show the chosen labels on A4 sheets of 3 x 8, ready to print."""
    quantities, clean = parse_label_quantities(request.args)
    start = request.args.get("start", "1")
    try:
        if not clean or not start.isdigit():
            raise DomainError("Label quantities and the start are whole numbers.")
        sheets = label_sheets(quantities, int(start))
    except DomainError as exc:
        flash(exc.message, "warning")
        values: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("inventory.labels", **values))
    return render_template("inventory/labels_sheet.html", sheets=sheets)


@bp.get("/labels/<int:product_id>/barcode.svg")
@requires("inventory.view")
def barcode_svg(product_id: int) -> ResponseReturnValue:
    """Serve a product's Code 128 barcode (its barcode, or else its SKU) as SVG."""
    product = db.session.get(Product, product_id)
    if product is None:
        abort(404)
    svg = code128_svg(label_code(product))
    return Response(str(svg), mimetype="image/svg+xml")
