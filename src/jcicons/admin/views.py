"""Settings and toggles, audit trail search, security events."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms import Field

from jcicons.admin.forms import AuditFilterForm, LogoForm, SettingsForm
from jcicons.audit.models import AuditEvent, SecurityEvent
from jcicons.audit.security_log import record_security_event
from jcicons.audit.services import AuditFilter, audit_query, list_audit_actions
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.forms import ConfirmForm
from jcicons.security.capabilities import requires
from jcicons.settings.logo import remove_logo, save_logo
from jcicons.settings.services import (
    GENERAL_SETTING_KEYS,
    SHOP_LOGO,
    current_settings,
    update_settings,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50
SECURITY_EVENT_KINDS = (
    "login_failed",
    "login_locked",
    "permission_denied",
    "suspicious_input",
    "csrf_failed",
    "two_factor_failed",
    "failed_login_spike",
)


@bp.route("/settings", methods=["GET", "POST"])
@requires("settings.manage")
def settings() -> ResponseReturnValue:
    """Show and change the shop settings and feature toggles."""
    values = current_settings()
    form = SettingsForm(data=values)
    if form.validate_on_submit():
        changes = {key: getattr(form, key).data for key in GENERAL_SETTING_KEYS}
        changes["SHOP_NAME"] = (changes["SHOP_NAME"] or "").strip()
        changed = update_settings(changes, current_user._get_current_object())
        if changed:
            record_security_event("settings_changed", detail={"keys": sorted(changed)})
        db.session.commit()
        flash("Settings saved." if changed else "Nothing changed.", "success")
        return redirect(url_for("admin.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/settings.html", form=form), status


@bp.route("/logo", methods=["GET", "POST"])
@requires("settings.manage")
def logo() -> ResponseReturnValue:
    """Upload, replace or see the logo printed on receipts and forms."""
    form = LogoForm()
    if form.validate_on_submit():
        try:
            save_logo(form.logo.data.read(), current_user._get_current_object())
        except DomainError as exc:
            db.session.rollback()
            form.logo.errors = [*form.logo.errors, exc.message]
        else:
            record_security_event("settings_changed", detail={"keys": ["SHOP_LOGO"]})
            db.session.commit()
            flash("The logo is saved: it prints on receipts and forms.", "success")
            return redirect(url_for("admin.logo"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/logo.html",
        form=form,
        remove_form=ConfirmForm(formdata=None),
        logo_version=current_settings()[SHOP_LOGO],
    ), status


@bp.post("/logo/remove")
@requires("settings.manage")
def logo_remove() -> ResponseReturnValue:
    """Take the logo off the printed pages."""
    form = ConfirmForm()
    if form.validate_on_submit() and remove_logo(current_user._get_current_object()):
        record_security_event("settings_changed", detail={"keys": ["SHOP_LOGO"]})
        db.session.commit()
        flash("The logo is removed.", "success")
    return redirect(url_for("admin.logo"))


@bp.get("/audit")
@requires("audit.view")
def audit() -> ResponseReturnValue:
    """Search the audit trail by user, action, record and date range."""
    form = AuditFilterForm(request.args)
    form.validate()

    def valid(field: Field) -> Any:
        # A field with an error (a bad date) is left out; the others still apply.
        return None if field.errors else field.data

    criteria = AuditFilter(
        actor=valid(form.actor) or "",
        action=valid(form.action) or "",
        entity_type=valid(form.entity_type) or "",
        entity_id=valid(form.entity_id) or "",
        date_from=valid(form.date_from),
        date_to=valid(form.date_to),
    )
    page = db.paginate(
        audit_query(criteria), per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        args=args,
        actions=list_audit_actions(),
    )


@bp.get("/audit/<int:event_id>")
@requires("audit.view")
def audit_detail(event_id: int) -> ResponseReturnValue:
    """Show one audit row with its before and after values."""
    event = db.session.get(AuditEvent, event_id)
    if event is None:
        abort(404)
    return render_template("admin/audit_detail.html", event=event)


@bp.get("/security")
@requires("audit.view")
def security() -> ResponseReturnValue:
    """List recent security refusals and alerts, newest first."""
    kind = request.args.get("event", "")
    query = select(SecurityEvent).order_by(
        SecurityEvent.created_at.desc(), SecurityEvent.id.desc()
    )
    if kind in SECURITY_EVENT_KINDS:
        query = query.where(SecurityEvent.event == kind)
    page = db.paginate(query, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/security.html", page=page, kind=kind, kinds=SECURITY_EVENT_KINDS
    )
