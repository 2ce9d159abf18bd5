"""Users admin: list, create, edit, deactivate, reactivate, reset, end sessions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from jcicons.audit.security_log import record_security_event
from jcicons.auth.models import User
from jcicons.auth.services import list_live_sessions
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.forms import ConfirmForm
from jcicons.security.capabilities import Role, requires
from jcicons.users.forms import UserCreateForm, UserEditForm
from jcicons.users.services import (
    create_user,
    deactivate_user,
    end_sessions_of,
    reactivate_user,
    reset_password,
    update_user,
    users_query,
)

bp = Blueprint("users", __name__, url_prefix="/admin/users")

PER_PAGE = 25


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _apply_error(form: object, exc: DomainError) -> None:
    field = getattr(form, exc.field or "", None)
    if field is not None:
        field.errors = [exc.message]
    else:
        flash(exc.message, "danger")


@bp.get("/")
@requires("users.manage")
def index() -> ResponseReturnValue:
    """List accounts with search, role and status filters, and paging."""
    search = request.args.get("q", "")[:100]
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    page = db.paginate(
        users_query(search, role, status),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "users/index.html",
        page=page,
        search=search,
        role=role,
        status=status,
        roles=list(Role),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("users.manage")
def create() -> ResponseReturnValue:
    """Create an account and show its one-time password once."""
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user, one_time = create_user(
                form.username.data or "",
                form.full_name.data or "",
                form.email.data,
                form.role.data or "",
                current_user._get_current_object(),
            )
        except DomainError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            record_security_event(
                "user_created", detail={"target": user.username, "role": user.role}
            )
            db.session.commit()
            return render_template(
                "users/one_time_password.html",
                user=user,
                password=one_time,
                created=True,
            )
    status = 422 if request.method == "POST" else 200
    return render_template("users/form.html", form=form, user=None), status


@bp.get("/<int:user_id>")
@requires("users.manage")
def detail(user_id: int) -> ResponseReturnValue:
    """Show an account, its live sessions and the actions on it."""
    user = _get_user(user_id)
    return render_template(
        "users/detail.html",
        user=user,
        sessions=list_live_sessions(user),
        form=ConfirmForm(),
    )


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@requires("users.manage")
def edit(user_id: int) -> ResponseReturnValue:
    """Change an account's name, e-mail and role."""
    user = _get_user(user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        try:
            changed = update_user(
                user,
                form.full_name.data or "",
                form.email.data,
                form.role.data or "",
                current_user._get_current_object(),
            )
        except DomainError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            if changed:
                record_security_event(
                    "user_changed",
                    detail={"target": user.username, "fields": sorted(changed)},
                )
            db.session.commit()
            flash(f"{user.username} is saved.", "success")
            return redirect(url_for("users.detail", user_id=user.id))
    status = 422 if request.method == "POST" else 200
    return render_template("users/form.html", form=form, user=user), status


def _account_action(user_id: int, action: str) -> ResponseReturnValue:
    user = _get_user(user_id)
    actor = current_user._get_current_object()
    try:
        if action == "deactivate":
            deactivate_user(user, actor)
            message = f"{user.username} is deactivated and signed out everywhere."
        elif action == "reactivate":
            reactivate_user(user, actor)
            message = f"{user.username} can sign in again."
        else:
            ended = end_sessions_of(user, actor)
            message = f"{ended} session(s) of {user.username} ended."
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("users.detail", user_id=user.id))
    event = {"deactivate": "user_deactivated", "reactivate": "user_reactivated"}.get(
        action, "session_ended"
    )
    record_security_event(event, detail={"target": user.username})
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("users.detail", user_id=user.id))


@bp.post("/<int:user_id>/deactivate")
@requires("users.manage")
def deactivate(user_id: int) -> ResponseReturnValue:
    """Deactivate an account (not one's own, not the last ADMIN)."""
    return _account_action(user_id, "deactivate")


@bp.post("/<int:user_id>/reactivate")
@requires("users.manage")
def reactivate(user_id: int) -> ResponseReturnValue:
    """Let an inactive account sign in again."""
    return _account_action(user_id, "reactivate")


@bp.post("/<int:user_id>/end-sessions")
@requires("users.manage")
def end_sessions(user_id: int) -> ResponseReturnValue:
    """Sign an account out everywhere."""
    return _account_action(user_id, "end-sessions")


@bp.post("/<int:user_id>/reset-password")
@requires("users.manage")
def reset(user_id: int) -> ResponseReturnValue:
    """Give an account a one-time password, shown once on this response only."""
    user = _get_user(user_id)
    one_time = reset_password(user, current_user._get_current_object())
    record_security_event("password_reset", detail={"target": user.username})
    db.session.commit()
    return render_template(
        "users/one_time_password.html", user=user, password=one_time, created=False
    )
