"""Inventory pages: receiving stock from suppliers (routes attach to the blueprint)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.forms import new_form_key
from jcicons.inventory.forms import ReceivingForm
from jcicons.inventory.models import Receiving, ReceivingLine
from jcicons.inventory.queries import receiving_query, serials_of_receiving
from jcicons.inventory.services import find_receiving_by_key, receive_stock
from jcicons.inventory.views import bp
from jcicons.keyed import commit_once
from jcicons.security.capabilities import requires

PER_PAGE = 50


@bp.get("/receivings")
@requires("inventory.view")
def receivings() -> ResponseReturnValue:
    """List receivings, newest first, with a search by number or supplier."""
    search = request.args.get("q", "")[:100]
    page = db.paginate(
        receiving_query(search),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("inventory/receivings.html", page=page, search=search)


@bp.get("/receivings/<int:receiving_id>")
@requires("inventory.view")
def receiving_detail(receiving_id: int) -> ResponseReturnValue:
    """Show a receiving: its lines, serial numbers and totals."""
    receiving = db.session.get(
        Receiving,
        receiving_id,
        options=[
            selectinload(Receiving.lines).joinedload(ReceivingLine.product),
            joinedload(Receiving.created_by),
        ],
    )
    if receiving is None:
        abort(404)
    return render_template(
        "inventory/receivings_detail.html",
        receiving=receiving,
        serials=serials_of_receiving(receiving.id),
    )


def _saved(receiving: Receiving) -> ResponseReturnValue:
    flash(f"Receiving {receiving.number} is saved.", "success")
    return redirect(url_for("inventory.receiving_detail", receiving_id=receiving.id))


def _show_error(form: ReceivingForm, exc: DomainError) -> None:
    field = getattr(form, exc.field or "", None)
    if field is not None and exc.field in {"supplier_name", "received_date"}:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


@bp.route("/receivings/new", methods=["GET", "POST"])
@requires("inventory.edit")
def receiving_create() -> ResponseReturnValue:
    """Receive a delivery: several products, their unit costs and serial numbers.

    Each form carries an idempotency key: sent twice, it receives once and shows
    the receiving it made.
    """
    form = ReceivingForm()
    if request.method == "GET":
        form.idempotency_key.data = new_form_key()
        if request.args.get("product"):
            form.lines.entries[0].form.product.data = request.args["product"][:64]
    if form.is_submitted():
        valid = form.validate()
        earlier = find_receiving_by_key(form.key()) if form.key() else None
        if earlier is not None:
            return _saved(earlier)
        form.renew_key_if_bad()
        lines = form.line_data()  # marks every line's problems, even on a bad form
        day = form.received_date.data
        if valid and lines is not None and day is not None:
            try:
                receiving = commit_once(
                    lambda: receive_stock(
                        form.supplier_name.data or "",
                        form.supplier_document.data or "",
                        day,
                        lines,
                        current_user._get_current_object(),
                        form.note.data or "",
                        idempotency_key=form.key(),
                    ),
                    find_receiving_by_key,
                    form.key(),
                )
            except DomainError as exc:
                db.session.rollback()
                _show_error(form, exc)
            else:
                return _saved(receiving)
    status = 422 if request.method == "POST" else 200
    return render_template("inventory/receivings_form.html", form=form), status
