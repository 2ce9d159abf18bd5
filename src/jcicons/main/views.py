"""The dashboard and the health check."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from jcicons import __version__
from jcicons.audit.models import SecurityEvent
from jcicons.audit.security_log import SPIKE_WINDOW, count_recent_events
from jcicons.auth.models import User, UserSession
from jcicons.clock import utcnow
from jcicons.extensions import db
from jcicons.security.capabilities import can, public, requires
from jcicons.settings.logo import get_logo_png
from jcicons.settings.services import REQUIRE_ADMIN_TWO_FACTOR, current_settings

bp = Blueprint("main", __name__)

SUMMARY_EVENTS = (
    "login_failed",
    "login_locked",
    "permission_denied",
    "suspicious_input",
    "csrf_failed",
    "two_factor_failed",
)


def security_summary() -> dict[str, object]:
    """Return the ADMIN's security figures for the last 24 hours, in two queries."""
    since = utcnow() - timedelta(hours=24)
    counts = dict(
        db.session.execute(
            select(SecurityEvent.event, func.count())
            .where(
                SecurityEvent.created_at >= since,
                SecurityEvent.event.in_(SUMMARY_EVENTS),
            )
            .group_by(SecurityEvent.event)
        ).all()
    )
    recent_failures = count_recent_events("login_failed", SPIKE_WINDOW)
    threshold = current_app.config["FAILED_LOGIN_ALERT_THRESHOLD"]
    admins_without_2fa = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.role == "ADMIN",
            User.is_active.is_(True),
            User.totp_enabled_at.is_(None),
        )
    )
    return {
        "counts": {event: int(counts.get(event, 0)) for event in SUMMARY_EVENTS},
        "recent_failures": recent_failures,
        "spike": recent_failures > threshold,
        "threshold": threshold,
        "admins_without_2fa": int(admins_without_2fa or 0),
        "two_factor_required": bool(current_settings()[REQUIRE_ADMIN_TWO_FACTOR]),
        "live_sessions": int(
            db.session.scalar(
                select(func.count())
                .select_from(UserSession)
                .where(
                    UserSession.revoked_at.is_(None), UserSession.expires_at > utcnow()
                )
            )
            or 0
        ),
    }


@bp.get("/")
@requires("dashboard.view")
def index() -> ResponseReturnValue:
    """Show each role what it can do now; ADMIN also sees the security summary."""
    summary = security_summary() if can("audit.view") else None
    return render_template("main/index.html", summary=summary)


@bp.get("/shop-logo.png")
@requires("dashboard.view")
def shop_logo() -> ResponseReturnValue:
    """Return the shop's logo (re-encoded when it was uploaded), for printed pages."""
    png = get_logo_png()
    if png is None:
        abort(404)
    return Response(png, mimetype="image/png")


@bp.get("/health")
@public
def health() -> ResponseReturnValue:
    """Report whether the app and its database answer (503 when they do not)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("health check: database did not answer")
        return jsonify(
            status="unhealthy", database="unavailable", version=__version__
        ), 503
    return jsonify(status="healthy", database="ok", version=__version__)
