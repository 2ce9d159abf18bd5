"""Inventory pages: stock counts (routes attach to the inventory blueprint).

Counts are blind: the count sheet and the entry screen show no expected
quantities, so the people counting write down what they see. The differences
against on-hand appear only on the review, before posting.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, joinedload

from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.forms_stock import (
    CountPostForm,
    CountStartForm,
    parse_count_serials,
    parse_counted,
)
from jcicons.inventory.models import (
    Category,
    Product,
    StockCount,
    StockCountLine,
    StockMovement,
)
from jcicons.inventory.queries import in_stock_serials_of
from jcicons.inventory.services import (
    CountDifference,
    CountPosting,
    cancel_count,
    count_differences,
    post_count,
    record_counted,
    start_count,
)
from jcicons.inventory.views import bp
from jcicons.security.capabilities import requires, signed_in_user

COUNTS_PER_PAGE = 25
LINES_PER_PAGE = 100


def _count_or_404(count_id: int) -> StockCount:
    count = db.session.get(
        StockCount, count_id, options=[joinedload(StockCount.category)]
    )
    if count is None:
        abort(404)
    return count


def _lines_query(count: StockCount) -> Select[Any]:
    """Return a count's lines by category and product name, products loaded."""
    return (
        select(StockCountLine)
        .join(StockCountLine.product)
        .join(Product.category)
        .options(
            contains_eager(StockCountLine.product).contains_eager(Product.category)
        )
        .where(StockCountLine.count_id == count.id)
        .order_by(Category.name, Product.name, StockCountLine.id)
    )


def _progress(count: StockCount) -> tuple[int, int]:
    """Return (lines counted, lines in all) of a count."""
    counted, total = db.session.execute(
        select(func.count(StockCountLine.counted), func.count()).where(
            StockCountLine.count_id == count.id
        )
    ).one()
    return int(counted), int(total)


def _fingerprint(differences: list[CountDifference]) -> str:
    """Name a set of differences, so posting can tell that they changed."""
    text = ";".join(f"{d.line.id}:{d.difference}" for d in differences)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


# Stock counts -----------------------------------------------------------------


def _render_counts(form: CountStartForm, status: int = 200) -> ResponseReturnValue:
    page = db.paginate(
        select(StockCount)
        .options(joinedload(StockCount.category))
        .order_by(StockCount.id.desc()),
        per_page=COUNTS_PER_PAGE,
        max_per_page=COUNTS_PER_PAGE,
        error_out=False,
    )
    return render_template("inventory/counts.html", form=form, page=page), status


@bp.get("/counts")
@requires("inventory.edit")
def counts() -> ResponseReturnValue:
    """List stock counts, open ones first to hand, and start a new one."""
    return _render_counts(CountStartForm())


@bp.post("/counts/new")
@requires("inventory.edit")
def count_start() -> ResponseReturnValue:
    """Start a count of a category (or of everything) and go to its entry screen."""
    form = CountStartForm()
    if not form.validate_on_submit():
        return _render_counts(form, 422)
    try:
        count = start_count(
            form.category_id.data or None, signed_in_user(), form.note.data or ""
        )
    except DomainError as exc:
        db.session.rollback()
        form.category_id.errors = [exc.message]
        return _render_counts(form, 422)
    db.session.commit()
    flash(
        f"Count #{count.id} started with {len(count.lines)} products. Print the "
        "count sheet, count the shelves, then enter the figures here.",
        "success",
    )
    return redirect(url_for("inventory.count_detail", count_id=count.id))


@bp.route("/counts/<int:count_id>", methods=["GET", "POST"])
@requires("inventory.edit")
def count_detail(count_id: int) -> ResponseReturnValue:
    """Enter counted quantities a page at a time; a closed count shows its result."""
    count = _count_or_404(count_id)
    page = db.paginate(
        _lines_query(count),
        per_page=LINES_PER_PAGE,
        max_per_page=LINES_PER_PAGE,
        error_out=False,
    )
    entered: dict[int, Any] = {line.id: line.counted for line in page.items}
    errors: dict[int, str] = {}
    if request.method == "POST":
        if count.status != "OPEN":
            flash("This count is closed: its figures cannot change.", "warning")
            return redirect(url_for("inventory.count_detail", count_id=count.id))
        values, errors = parse_counted(request.form, page.items)
        if not errors:
            record_counted(count, values)
            db.session.commit()
            return _after_saving(count, page)
        entered = {
            line.id: request.form.get(f"line-{line.id}", "") for line in page.items
        }
    adjustments: dict[int, int] = {}
    if count.status == "POSTED":
        rows = db.session.execute(
            select(StockMovement.product_id, func.sum(StockMovement.quantity))
            .where(
                StockMovement.reference_type == "count",
                StockMovement.reference_id == count.id,
            )
            .group_by(StockMovement.product_id)
        )
        adjustments = {int(product_id): int(total) for product_id, total in rows}
    return render_template(
        "inventory/counts_detail.html",
        count=count,
        page=page,
        entered=entered,
        errors=errors,
        progress=_progress(count),
        adjustments=adjustments,
    ), (422 if errors else 200)


def _after_saving(count: StockCount, page: Any) -> ResponseReturnValue:
    action = request.form.get("action", "save")
    if action == "review":
        return redirect(url_for("inventory.count_review", count_id=count.id))
    counted, total = _progress(count)
    flash(f"Saved. {counted} of {total} products counted.", "success")
    number = page.next_num if action == "next" and page.has_next else page.page
    return redirect(
        url_for("inventory.count_detail", count_id=count.id, page=str(number))
    )


@bp.get("/counts/<int:count_id>/sheet")
@requires("inventory.edit")
def count_sheet(count_id: int) -> ResponseReturnValue:
    """Print the count sheet: product, SKU and an empty column to write counts in."""
    count = _count_or_404(count_id)
    lines = db.session.scalars(_lines_query(count)).all()
    return render_template("inventory/counts_sheet.html", count=count, lines=lines)


def _differences(count: StockCount) -> list[CountDifference]:
    """Return a count's differences, its lines and products read in one select."""
    return count_differences(count, list(db.session.scalars(_lines_query(count))))


@bp.get("/counts/<int:count_id>/review")
@requires("inventory.edit")
def count_review(count_id: int) -> ResponseReturnValue:
    """Show each difference between the counted figure and on-hand now."""
    count = _count_or_404(count_id)
    if count.status != "OPEN":
        return redirect(url_for("inventory.count_detail", count_id=count.id))
    differences = _differences(count)
    serialized = [d for d in differences if d.line.product.is_serialized]
    return render_template(
        "inventory/counts_review.html",
        count=count,
        differences=differences,
        serialized=serialized,
        plain=len(differences) - len(serialized),
        units=in_stock_serials_of(
            d.line.product_id for d in serialized if d.difference < 0
        ),
        progress=_progress(count),
        form=CountPostForm(shown=_fingerprint(differences)),
    )


def _posted_message(count: StockCount, posting: CountPosting) -> str:
    message = f"Count #{count.id} posted: {len(posting.adjusted)} stock adjustment(s)."
    if posting.unsettled:
        names = ", ".join(
            f"{d.line.product.name} ({d.difference:+d})" for d in posting.unsettled
        )
        message += (
            f" Still to settle unit by unit (Adjust stock, with the serial "
            f"numbers): {names}."
        )
    return message


@bp.post("/counts/<int:count_id>/post")
@requires("inventory.edit")
def count_post(count_id: int) -> ResponseReturnValue:
    """Post the reviewed differences as one batch of count corrections.

    Serialized products are posted with the serial numbers ticked or typed on the
    review; those left without are listed to settle by adjustment.
    """
    count = _count_or_404(count_id)
    review = url_for("inventory.count_review", count_id=count.id)
    form = CountPostForm()
    if not form.validate_on_submit():
        flash("Tick the box to confirm the differences before posting.", "warning")
        return redirect(review)
    differences = _differences(count)
    if form.shown.data != _fingerprint(differences):
        flash(
            "Stock changed since the review was shown: check the differences again.",
            "warning",
        )
        return redirect(review)
    serials = parse_count_serials(
        request.form,
        [d.line.id for d in differences if d.line.product.is_serialized],
    )
    try:
        posting = post_count(count, signed_in_user(), serials)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(review)
    db.session.commit()
    flash(
        _posted_message(count, posting),
        "warning" if posting.unsettled else "success",
    )
    return redirect(url_for("inventory.count_detail", count_id=count.id))


@bp.post("/counts/<int:count_id>/cancel")
@requires("inventory.edit")
def count_cancel(count_id: int) -> ResponseReturnValue:
    """Close a count without changing any stock."""
    count = _count_or_404(count_id)
    try:
        cancel_count(count, signed_in_user())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(f"Count #{count.id} cancelled; no stock changed.", "success")
    return redirect(url_for("inventory.counts"))
