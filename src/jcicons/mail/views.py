"""ADMIN pages for outgoing e-mail: the mail server settings, a test, the log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from jcicons.audit.security_log import record_security_event
from jcicons.extensions import db, limiter
from jcicons.mail.forms import SendTestEmailForm, SmtpSettingsForm
from jcicons.mail.models import EmailStatus
from jcicons.mail.queries import email_log_query, list_email_kinds
from jcicons.mail.services import (
    SMTP_PLAIN_KEYS,
    get_smtp_settings,
    has_smtp_password,
    is_email_configured,
    save_smtp_settings,
    send_test_email,
)
from jcicons.security.capabilities import requires

bp = Blueprint("mail", __name__, url_prefix="/admin/email")

PER_PAGE = 50


def _settings_page(
    form: SmtpSettingsForm, test_form: SendTestEmailForm, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "mail/settings.html",
        form=form,
        test_form=test_form,
        has_password=has_smtp_password(),
        configured=is_email_configured(),
    ), status


@bp.route("", methods=["GET", "POST"])
@requires("settings.manage")
def settings() -> ResponseReturnValue:
    """Show and change the mail server settings."""
    form = SmtpSettingsForm(data=get_smtp_settings())
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _settings_page(form, SendTestEmailForm(formdata=None), status)
    changed = save_smtp_settings(
        {key: getattr(form, key).data for key in SMTP_PLAIN_KEYS},
        current_user._get_current_object(),
        new_password=form.SMTP_PASSWORD.data or "",
        clear_password=form.clear_password.data,
    )
    if changed:
        record_security_event("settings_changed", detail={"keys": sorted(changed)})
    db.session.commit()
    flash("E-mail settings saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("mail.settings"))


@bp.post("/test")
@requires("settings.manage")
@limiter.limit("20 per hour", key_func=lambda: f"mailtest:{current_user.get_id()}")
def send_test() -> ResponseReturnValue:
    """Send a test message through the saved settings and say how it went."""
    test_form = SendTestEmailForm()
    if not test_form.validate_on_submit():
        form = SmtpSettingsForm(formdata=None, data=get_smtp_settings())
        return _settings_page(form, test_form, 422)
    entry = send_test_email(
        test_form.recipient.data, current_user._get_current_object()
    )
    db.session.commit()
    if entry.status == EmailStatus.SENT:
        flash(f"Test e-mail sent to {entry.recipient}.", "success")
    elif entry.status == EmailStatus.SKIPPED:
        flash(
            "E-mail is not set up yet: save a mail server and sender first.", "warning"
        )
    else:
        flash(f"The test e-mail could not be sent. {entry.error}", "danger")
    return redirect(url_for("mail.settings"))


@bp.get("/log")
@requires("settings.manage")
def log() -> ResponseReturnValue:
    """List the e-mail the shop sent or tried to send, newest first."""
    status = request.args.get("status", "")
    if status not in set(EmailStatus):
        status = ""
    kind = request.args.get("kind", "")[:40]
    page = db.paginate(
        email_log_query(status, kind),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    args = {key: value for key, value in (("status", status), ("kind", kind)) if value}
    return render_template(
        "mail/log.html",
        page=page,
        args=args,
        status=status,
        kind=kind,
        statuses=list(EmailStatus),
        kinds=list_email_kinds(),
    )
