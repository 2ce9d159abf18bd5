"""Sales pages: the daily sales summary and the end-of-day cash count (routes
attach to the sales blueprint)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from jcicons.clock import shop_today
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.money import format_pesos
from jcicons.sales.cash import can_count_day, can_recount, record_cash_count
from jcicons.sales.forms_documents import CashCountForm, DayForm
from jcicons.sales.models import METHOD_LABELS
from jcicons.sales.queries import daily_summary, get_user_names
from jcicons.sales.views import bp
from jcicons.security.capabilities import requires


def _render_daily(
    day: date, count_form: CashCountForm | None = None, status: int = 200
) -> ResponseReturnValue:
    summary = daily_summary(day)
    names = get_user_names(
        [c.counted_by_id for c in summary.cash_counts]
        + [row.cashier_id for row in summary.cashier_cash]
    )
    counts = {c.counted_by_id: c for c in summary.cash_counts}
    mine = counts.get(current_user.id)
    form = count_form or CashCountForm(formdata=None, day=day)
    return (
        render_template(
            "sales/daily.html",
            day=day,
            summary=summary,
            names=names,
            counts=counts,
            methods=METHOD_LABELS,
            count_form=form,
            day_form=DayForm(formdata=None, day=day),
            my_count=mine,
            may_count=can_count_day(day),
            may_recount=mine is not None and can_recount(mine),
        ),
        status,
    )


@bp.get("/daily")
@requires("reports.daily")
def daily() -> ResponseReturnValue:
    """Show one business day's money by method, sales, returns, voids and counts."""
    form = DayForm(request.args)
    day = form.day.data if form.validate() and form.day.data else shop_today()
    return _render_daily(day)


@bp.post("/daily/cash-count")
@requires("reports.daily")
def cash_count() -> ResponseReturnValue:
    """Record or redo the cashier's drawer count against what the ledger expects."""
    form = CashCountForm()
    day: date = form.day.data or shop_today()
    if not form.validate_on_submit():
        return _render_daily(day, form, 422)
    actor: Any = current_user._get_current_object()
    try:
        count = record_cash_count(
            day, form.counted.centavos or 0, actor, form.note.data or ""
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        form.counted.errors = [*form.counted.errors, exc.message]
        return _render_daily(day, form, 422)
    except IntegrityError:
        # The same count sent twice at once: the other request recorded it.
        db.session.rollback()
        flash("Your cash count of that day is already recorded.", "info")
        return redirect(url_for("sales.daily", day=day.isoformat()))
    variance = format_pesos(count.variance_centavos)
    done = "Cash recount recorded" if count.recounted_at else "Cash count recorded"
    flash(f"{done}: variance {variance}.", "success")
    return redirect(url_for("sales.daily", day=day.isoformat()))
