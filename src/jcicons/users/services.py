"""Create, change, deactivate and reset staff accounts.

Rules: usernames are 3-32 letters, digits or underscores and ignore case; an ADMIN
cannot deactivate or demote themselves; the last active ADMIN cannot be
deactivated or demoted. Every change is audited and ends sessions where it must.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, func, or_, select

from jcicons.audit.services import record_audit
from jcicons.auth.models import User
from jcicons.auth.services import end_user_sessions, set_password, validate_new_password
from jcicons.db import hold_rows
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.security.capabilities import Role
from jcicons.security.passwords import generate_password

logger = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_]{3,32}$")


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "is_active": user.is_active,
    }


def normalise_username(username: str) -> str:
    """Return the stored form of a username; raise DomainError when it is invalid."""
    username = username.strip()
    if not USERNAME_PATTERN.fullmatch(username):
        raise DomainError(
            "A username is 3 to 32 letters, digits or underscores (no spaces).",
            field="username",
        )
    return username.lower()


def normalise_email(email: str | None) -> str | None:
    """Return a normalised e-mail address, None when blank; DomainError when invalid."""
    if email is None or not email.strip():
        return None
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise DomainError(
            f"That e-mail address is not valid: {exc}", field="email"
        ) from exc


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError as exc:
        raise DomainError("Choose a role: ADMIN, SALES or TECH.", field="role") from exc


def count_active_admins() -> int:
    """Return how many active ADMIN accounts exist, holding their rows until commit.

    Two ADMINs who deactivate or demote each other at once take turns (a row lock on
    PostgreSQL, the write lock on SQLite), so the second sees the first's change and
    the last active ADMIN stays.
    """
    hold_rows(db.session, User, User.role == Role.ADMIN.value)
    admin_ids = db.session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN.value, User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    return len(admin_ids)


def create_user(
    username: str,
    full_name: str,
    email: str | None,
    role: str,
    actor: User | None,
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create an account; return it and the generated one-time password, if any.

    Without a password a random one is generated, shown once, and must be changed
    at first sign-in. Raises DomainError for a taken or invalid username, an
    invalid e-mail or role, and PasswordRejected for a weak password.
    """
    stored_username = normalise_username(username)
    if db.session.scalar(select(User.id).where(User.username == stored_username)):
        raise DomainError("That username is taken.", field="username")
    user = User(
        username=stored_username,
        full_name=full_name.strip(),
        email=normalise_email(email),
        role=_role(role).value,
        is_active=True,
    )
    generated = None
    if password is None:
        generated = generate_password()
        user.must_change_password = True
        set_password(user, generated)
    else:
        validate_new_password(None, password, stored_username, user.full_name)
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    record_audit(actor, "user.create", "user", user.id, None, _snapshot(user))
    logger.info(
        "user %s (%s) created by %s",
        user.username,
        user.role,
        actor.username if actor else "system",
    )
    return user, generated


def update_user(
    user: User, full_name: str, email: str | None, role: str, actor: User
) -> dict[str, Any]:
    """Change a user's name, e-mail and role; return the changed fields.

    Raises DomainError when an ADMIN demotes themselves or the last active ADMIN.
    """
    new_role = _role(role)
    before = _snapshot(user)
    if user.role == Role.ADMIN.value and new_role != Role.ADMIN:
        if user.id == actor.id:
            raise DomainError(
                "You cannot take the ADMIN role from yourself.", field="role"
            )
        if user.is_active and count_active_admins() <= 1:
            raise DomainError("The last active ADMIN must stay ADMIN.", field="role")
    user.full_name = full_name.strip()
    user.email = normalise_email(email)
    user.role = new_role.value
    after = _snapshot(user)
    changed = {key: value for key, value in after.items() if before[key] != value}
    if changed:
        if "role" in changed:
            end_user_sessions(user, "role_changed")
        record_audit(
            actor,
            "user.update",
            "user",
            user.id,
            {key: before[key] for key in changed},
            changed,
        )
        logger.info(
            "user %s changed by %s: %s", user.username, actor.username, sorted(changed)
        )
    return changed


def update_own_profile(user: User, full_name: str, email: str | None) -> bool:
    """Change one's own name and e-mail; return True when anything changed.

    Raises DomainError for an invalid e-mail address.
    """
    new_name, new_email = full_name.strip(), normalise_email(email)
    before = {"full_name": user.full_name, "email": user.email}
    after = {"full_name": new_name, "email": new_email}
    if before == after:
        return False
    user.full_name = new_name
    user.email = new_email
    record_audit(user, "user.profile_update", "user", user.id, before, after)
    return True


def deactivate_user(user: User, actor: User) -> None:
    """Deactivate an account and end its sessions at once.

    Raises DomainError for one's own account and for the last active ADMIN.
    """
    if user.id == actor.id:
        raise DomainError("You cannot deactivate your own account.")
    if not user.is_active:
        raise DomainError("That account is already inactive.")
    if user.role == Role.ADMIN.value and count_active_admins() <= 1:
        raise DomainError("The last active ADMIN cannot be deactivated.")
    user.is_active = False
    ended = end_user_sessions(user, "deactivated")
    record_audit(
        actor,
        "user.deactivate",
        "user",
        user.id,
        {"is_active": True},
        {"is_active": False, "sessions_ended": ended},
    )
    logger.info("user %s deactivated by %s", user.username, actor.username)


def reactivate_user(user: User, actor: User) -> None:
    """Let an inactive account sign in again."""
    if user.is_active:
        raise DomainError("That account is already active.")
    user.is_active = True
    record_audit(
        actor,
        "user.reactivate",
        "user",
        user.id,
        {"is_active": False},
        {"is_active": True},
    )
    logger.info("user %s reactivated by %s", user.username, actor.username)


def reset_password(user: User, actor: User | None) -> str:
    """Give a user a one-time password, end their sessions, and return it.

    The password is returned to be shown once; it is stored only as a hash and
    must be changed at the next sign-in. `actor` is None for the command line.
    """
    one_time = generate_password()
    set_password(user, one_time)
    user.must_change_password = True
    ended = end_user_sessions(user, "password_reset")
    record_audit(
        actor,
        "user.password_reset",
        "user",
        user.id,
        None,
        {"must_change_password": True, "sessions_ended": ended},
    )
    logger.info(
        "password of %s reset by %s",
        user.username,
        actor.username if actor else "the command line",
    )
    return one_time


def end_sessions_of(user: User, actor: User) -> int:
    """End every session of a user (ADMIN action); return how many ended."""
    ended = end_user_sessions(user, "ended_by_admin")
    record_audit(
        actor, "user.sessions_end", "user", user.id, None, {"sessions_ended": ended}
    )
    return ended


def users_query(
    search: str = "", role: str = "", status: str = ""
) -> Select[tuple[User]]:
    """Return the select for the users list, filtered and sorted by username."""
    query = select(User).order_by(User.username)
    term = search.strip().lower()
    if term:
        # autoescape: "_" is common in usernames and must not match any character.
        query = query.where(
            or_(
                User.username.contains(term, autoescape=True),
                func.lower(User.full_name).contains(term, autoescape=True),
                func.lower(User.email).contains(term, autoescape=True),
            )
        )
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    if status == "active":
        query = query.where(User.is_active.is_(True))
    elif status == "inactive":
        query = query.where(User.is_active.is_(False))
    return query


def ensure_first_admin(password: str | None) -> tuple[User | None, str | None]:
    """Create the `admin` account when no user exists yet.

    Returns the new user and the generated password (None when `password` was
    given or when users already exist).
    """
    if db.session.scalar(select(func.count()).select_from(User)):
        return None, None
    user, generated = create_user(
        "admin", "Administrator", None, Role.ADMIN.value, None, password
    )
    return user, generated
