"""Request hooks: request id, session check, forced steps, screening, headers."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask, Response, flash, g, redirect, request, session, url_for
from flask_login import current_user

from jcicons.audit.security_log import record_security_event
from jcicons.auth.services import resolve_session, touch_session
from jcicons.clock import to_shop_time
from jcicons.extensions import db, login_manager
from jcicons.money import format_pesos
from jcicons.security.capabilities import CAPABILITIES, can
from jcicons.security.headers import STATIC_ENDPOINTS, apply_security_headers
from jcicons.security.screening import scan_fields

# Pages a user may still open while a forced step (new password, two-factor set-up)
# is pending.
ALWAYS_ALLOWED = STATIC_ENDPOINTS | {"main.health", "auth.logout", "auth.login"}
PASSWORD_STEP = ALWAYS_ALLOWED | {"account.change_password", "account.password_check"}
TWO_FACTOR_STEP = ALWAYS_ALLOWED | {
    "account.two_factor",
    "account.two_factor_setup",
    "account.two_factor_qr",
}


@login_manager.user_loader
def load_user(user_id: str) -> Any:
    """Return the user of the live server-side session named by the cookie."""
    token = session.get("sid")
    if not isinstance(token, str):
        return None
    row, reason = resolve_session(token)
    if row is None or str(row.user_id) != user_id:
        g.session_rejected = reason
        g.session_dirty = reason in {"expired", "idle", "inactive"}
        return None
    g.user_session = row
    g.session_dirty = touch_session(row)
    return row.user


def _assign_request_id() -> None:
    g.request_id = uuid.uuid4().hex[:16]


def _start_request() -> Any:
    if request.endpoint in STATIC_ENDPOINTS:
        return None
    user = current_user._get_current_object()
    if g.get("session_dirty"):
        # The one commit outside a view: session bookkeeping (last seen, idle
        # revocation), done before the view runs so nothing else is pending.
        db.session.commit()
    rejected = g.pop("session_rejected", None)
    if rejected is not None:
        session.clear()
        record_security_event("session_rejected", detail={"reason": rejected})
        if request.endpoint not in ALWAYS_ALLOWED:
            flash("Your session has ended. Please sign in again.", "warning")
    if user.is_authenticated:
        return _forced_steps(user)
    return None


def _forced_steps(user: Any) -> Any:
    endpoint = request.endpoint or ""
    if user.must_change_password and endpoint not in PASSWORD_STEP:
        flash("Choose a new password before you continue.", "warning")
        return redirect(url_for("account.change_password"))
    if (
        user.role == "ADMIN"
        and not user.has_two_factor
        and endpoint not in TWO_FACTOR_STEP
    ):
        from jcicons.settings.services import REQUIRE_ADMIN_TWO_FACTOR, current_settings

        if current_settings()[REQUIRE_ADMIN_TWO_FACTOR]:
            flash(
                "The shop requires two-factor sign-in for ADMIN accounts. "
                "Set it up to continue.",
                "warning",
            )
            return redirect(url_for("account.two_factor_setup"))
    return None


def _screen_input() -> None:
    fields = list(request.args.items(multi=True))
    if request.method in {"POST", "PUT", "PATCH", "DELETE"} and request.mimetype in {
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }:
        fields += list(request.form.items(multi=True))
    for finding in scan_fields(fields):
        record_security_event(
            "suspicious_input",
            detail={
                "field": finding.field,
                "family": finding.family,
                "fragment": finding.fragment,
            },
            persist=True,
        )


def _finish_request(response: Response) -> Response:
    from flask import current_app

    response.headers["X-Request-ID"] = g.get("request_id", "")
    return apply_security_headers(current_app, response)


def _template_globals() -> dict[str, Any]:
    from jcicons import __version__

    return {"can": can, "app_version": __version__, "capabilities": CAPABILITIES}


def register(app: Flask) -> None:
    """Install the hooks, template helpers and login settings on the app."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # server-side sessions do this job

    # First of all hooks, ahead of CSRFProtect's check (installed earlier), so that
    # a CSRF or 413 refusal shows and logs a request id too.
    app.before_request_funcs.setdefault(None, []).insert(0, _assign_request_id)
    app.before_request(_screen_input)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.context_processor(_template_globals)
    app.add_template_filter(format_pesos, "pesos")

    @app.template_filter("localtime")
    def localtime(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """Format an instant in the shop's time zone."""
        if value is None:
            return ""
        return to_shop_time(value).strftime(fmt)
