"""Own profile, password change, live sessions and two-factor set-up."""

from __future__ import annotations

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from jcicons.account.forms import (
    ChangePasswordForm,
    PasswordConfirmForm,
    ProfileForm,
    TwoFactorConfirmForm,
)
from jcicons.audit.security_log import record_security_event
from jcicons.auth.models import UserSession
from jcicons.auth.services import (
    PasswordRejected,
    begin_two_factor_enrolment,
    change_own_password,
    confirm_two_factor_enrolment,
    count_unused_recovery_codes,
    disable_two_factor,
    end_session,
    end_user_sessions,
    list_live_sessions,
    pending_totp_secret,
    provisioning_uri,
    regenerate_recovery_codes,
    rotate_session_token,
    shop_name,
)
from jcicons.exceptions import DomainError
from jcicons.extensions import db, limiter
from jcicons.forms import ConfirmForm
from jcicons.security.capabilities import requires
from jcicons.security.passwords import MAX_LENGTH, check_password
from jcicons.settings.services import REQUIRE_ADMIN_TWO_FACTOR, current_settings
from jcicons.users.services import update_own_profile

bp = Blueprint("account", __name__, url_prefix="/account")


def _form_error(form: object, error: DomainError, default_field: str) -> None:
    field = getattr(form, error.field or default_field, None) or getattr(
        form, default_field
    )
    if isinstance(error, PasswordRejected):
        field.errors = list(error.problems)
    else:
        field.errors = [error.message]


@bp.route("/", methods=["GET", "POST"])
@requires("dashboard.view")
def profile() -> ResponseReturnValue:
    """Show and edit one's own name and e-mail."""
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        try:
            update_own_profile(user, form.full_name.data or "", form.email.data)
        except DomainError as exc:
            db.session.rollback()
            form.email.errors = [exc.message]
        else:
            db.session.commit()
            flash("Your profile is saved.", "success")
            return redirect(url_for("account.profile"))
    status = 422 if request.method == "POST" else 200
    return render_template("account/profile.html", form=form), status


@bp.route("/password", methods=["GET", "POST"])
@requires("dashboard.view")
def change_password() -> ResponseReturnValue:
    """Change one's own password (the current one is required)."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            ended = change_own_password(
                user,
                form.current_password.data or "",
                form.new_password.data or "",
                g.get("user_session"),
            )
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc, "new_password")
        else:
            record_security_event("password_changed", detail={"sessions_ended": ended})
            if g.get("user_session") is not None:
                # A copy of this browser's cookie taken before the change must die
                # with the old password; this browser stays signed in.
                session["sid"] = rotate_session_token(g.user_session)
            db.session.commit()
            flash(
                "Your password is changed. Other signed-in devices were signed out.",
                "success",
            )
            return redirect(url_for("main.index"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "account/change_password.html", form=form, forced=user.must_change_password
    ), status


@bp.post("/password-check")
@requires("dashboard.view")
@limiter.limit("60 per minute", key_func=lambda: f"pwcheck:{current_user.get_id()}")
def password_check() -> ResponseReturnValue:
    """Judge a candidate password with the same policy the server enforces."""
    payload = request.get_json(silent=True)
    password = payload.get("password") if isinstance(payload, dict) else None
    if not isinstance(password, str):
        return jsonify(error="Send a password to check."), 400
    user = current_user._get_current_object()
    verdict = check_password(
        password[: MAX_LENGTH + 1], user.username, user.full_name, shop_name()
    )
    return jsonify(verdict.as_dict())


@bp.get("/sessions")
@requires("dashboard.view")
def sessions() -> ResponseReturnValue:
    """List one's own signed-in devices."""
    user = current_user._get_current_object()
    current = g.get("user_session")
    return render_template(
        "account/sessions.html",
        sessions=list_live_sessions(user),
        current_id=current.id if current else None,
        form=ConfirmForm(),
    )


@bp.post("/sessions/<int:session_id>/end")
@requires("dashboard.view")
def end_one_session(session_id: int) -> ResponseReturnValue:
    """End one of one's own sessions."""
    row = db.session.scalar(
        select(UserSession).where(
            UserSession.id == session_id, UserSession.user_id == current_user.id
        )
    )
    if row is None:
        abort(404)
    end_session(row, "ended_by_user")
    record_security_event("session_ended", detail={"session_id": session_id})
    db.session.commit()
    flash("That session is ended.", "success")
    return redirect(url_for("account.sessions"))


@bp.post("/sessions/end-others")
@requires("dashboard.view")
def end_other_sessions() -> ResponseReturnValue:
    """End every session of one's own except this one."""
    ended = end_user_sessions(
        current_user._get_current_object(), "ended_by_user", keep=g.get("user_session")
    )
    record_security_event("session_ended", detail={"others": ended})
    db.session.commit()
    flash(f"{ended} other session(s) ended.", "success")
    return redirect(url_for("account.sessions"))


@bp.get("/two-factor")
@requires("dashboard.view")
def two_factor() -> ResponseReturnValue:
    """Show whether two-factor sign-in is on and what can be done about it."""
    user = current_user._get_current_object()
    return render_template(
        "account/two_factor.html",
        remaining=count_unused_recovery_codes(user) if user.has_two_factor else 0,
        required=bool(current_settings()[REQUIRE_ADMIN_TWO_FACTOR])
        and user.role == "ADMIN",
        password_form=PasswordConfirmForm(),
    )


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@requires("dashboard.view")
def two_factor_setup() -> ResponseReturnValue:
    """Enrol an authenticator app: show the QR code, then check its first code."""
    user = current_user._get_current_object()
    if user.has_two_factor:
        return redirect(url_for("account.two_factor"))
    form = TwoFactorConfirmForm()
    if form.validate_on_submit():
        try:
            codes = confirm_two_factor_enrolment(user, form.code.data or "")
        except DomainError as exc:
            db.session.rollback()
            record_security_event(
                "two_factor_failed", detail={"during": "enrolment"}, persist=True
            )
            form.code.errors = [exc.message]
        else:
            record_security_event("two_factor_enrolled")
            db.session.commit()
            return render_template("account/recovery_codes.html", codes=codes)
    secret = pending_totp_secret(user)
    if secret is None:
        secret = begin_two_factor_enrolment(user)
        db.session.commit()
    status = 422 if request.method == "POST" else 200
    return render_template(
        "account/two_factor_setup.html", form=form, secret=secret
    ), status


@bp.get("/two-factor/qr.svg")
@requires("dashboard.view")
def two_factor_qr() -> ResponseReturnValue:
    """Return the enrolment QR code as SVG, only while an enrolment is pending."""
    user = current_user._get_current_object()
    secret = pending_totp_secret(user)
    if secret is None:
        abort(404)
    svg = segno.make(provisioning_uri(user, secret), error="m").svg_inline(scale=5)
    return Response(svg, mimetype="image/svg+xml")


@bp.post("/two-factor/disable")
@requires("dashboard.view")
def two_factor_disable() -> ResponseReturnValue:
    """Switch two-factor sign-in off (password required)."""
    user = current_user._get_current_object()
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        try:
            disable_two_factor(
                user,
                form.password.data or "",
                bool(current_settings()[REQUIRE_ADMIN_TWO_FACTOR]),
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            record_security_event("two_factor_disabled")
            db.session.commit()
            flash("Two-factor sign-in is off.", "success")
    return redirect(url_for("account.two_factor"))


@bp.post("/two-factor/recovery-codes")
@requires("dashboard.view")
def two_factor_recovery_codes() -> ResponseReturnValue:
    """Replace the recovery codes (password required); show the new ones once."""
    user = current_user._get_current_object()
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        try:
            codes = regenerate_recovery_codes(user, form.password.data or "")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            return render_template("account/recovery_codes.html", codes=codes)
    return redirect(url_for("account.two_factor"))
