"""Sign in (with the throttle and the two-factor step) and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from jcicons.audit.security_log import check_failed_login_spike, record_security_event
from jcicons.auth.forms import LoginForm, TwoFactorForm
from jcicons.auth.models import User
from jcicons.auth.services import (
    InvalidCredentials,
    InvalidSecondFactor,
    authenticate,
    end_session,
    start_session,
    verify_second_factor,
)
from jcicons.clock import utcnow
from jcicons.extensions import db
from jcicons.security.capabilities import public, requires
from jcicons.security.ratelimit import client_ip, login_throttle

bp = Blueprint("auth", __name__, url_prefix="/auth")

PENDING_KEY = "two_factor_pending"
PENDING_SECONDS = 300


def safe_next(target: str | None) -> str | None:
    """Return `target` only when it is a path on this site, else None."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    return target


def _refuse_locked(username: str) -> ResponseReturnValue:
    record_security_event("login_locked", username=username[:64], persist=True)
    abort(429)


def _complete_login(user: User, next_url: str | None) -> ResponseReturnValue:
    """Start a fresh session (a new session id: no fixation) for the user."""
    session.clear()
    token = start_session(user, client_ip(), request.user_agent.string)
    session["sid"] = token
    session.permanent = True
    login_user(user)
    login_throttle.clear(user.username)
    record_security_event("login_succeeded", username=user.username, user_id=user.id)
    db.session.commit()
    return redirect(safe_next(next_url) or url_for("main.index"))


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    """Sign in with username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form, next_url=next_url), status

    username = (form.username.data or "").strip()
    ip = client_ip()
    if login_throttle.is_blocked(username, ip):
        return _refuse_locked(username)
    try:
        user = authenticate(username, form.password.data or "")
    except InvalidCredentials as exc:
        db.session.rollback()
        login_throttle.record_failure(username, ip)
        record_security_event(
            "login_failed",
            username=username[:64],
            user_id=exc.user.id if exc.user else None,
            detail={"reason": exc.reason},
            persist=True,
        )
        check_failed_login_spike()
        form.password.errors = [exc.message]
        return render_template("auth/login.html", form=form, next_url=next_url), 422

    if user.has_two_factor:
        db.session.commit()  # keeps an upgraded password hash
        session.clear()
        session[PENDING_KEY] = {
            "user_id": user.id,
            "at": utcnow().timestamp(),
            "next": next_url,
        }
        return redirect(url_for("auth.two_factor"))
    return _complete_login(user, next_url)


@bp.route("/two-factor", methods=["GET", "POST"])
@public
def two_factor() -> ResponseReturnValue:
    """Ask for the second factor after a correct password."""
    pending = session.get(PENDING_KEY)
    if (
        not isinstance(pending, dict)
        or utcnow().timestamp() - pending.get("at", 0) > PENDING_SECONDS
    ):
        session.pop(PENDING_KEY, None)
        flash("Sign in again to continue.", "info")
        return redirect(url_for("auth.login"))
    user = db.session.get(User, pending.get("user_id"))
    if user is None or not user.is_active:
        session.clear()
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    if not form.validate_on_submit():
        return render_template("auth/two_factor.html", form=form)

    ip = client_ip()
    if login_throttle.is_blocked(user.username, ip):
        return _refuse_locked(user.username)
    try:
        kind = verify_second_factor(user, form.code.data or "")
    except InvalidSecondFactor as exc:
        db.session.rollback()
        login_throttle.record_failure(user.username, ip)
        record_security_event(
            "two_factor_failed", username=user.username, user_id=user.id, persist=True
        )
        form.code.errors = [exc.message]
        return render_template("auth/two_factor.html", form=form), 422
    # Flash after the login: _complete_login clears the session, flashes included.
    response = _complete_login(user, pending.get("next"))
    if kind == "recovery_code":
        flash(
            "You signed in with a recovery code. Each code works once; make new ones "
            "on your two-factor page when you run low.",
            "warning",
        )
    return response


@bp.post("/logout")
@requires("dashboard.view")
def logout() -> ResponseReturnValue:
    """Sign out: end this server-side session and clear the cookie."""
    row = g.get("user_session")
    if row is not None:
        end_session(row, "logout")
    record_security_event("logout")
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
