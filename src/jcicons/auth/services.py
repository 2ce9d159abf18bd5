"""Sign-in, server-side sessions, password changes and two-factor sign-in.

A session is a row in `user_sessions`; the browser's signed cookie carries only a
random token whose SHA-256 is stored. Revoking the row ends the session wherever
the cookie is replayed from.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

import pyotp
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from jcicons.audit.services import record_audit
from jcicons.auth.models import RecoveryCode, User, UserSession
from jcicons.clock import utcnow
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.security.crypto import DecryptionError, decrypt_text, encrypt_text
from jcicons.security.passwords import (
    check_password,
    hash_password,
    needs_rehash,
    verify_password,
)

logger = logging.getLogger(__name__)

TOUCH_INTERVAL = timedelta(seconds=60)
RECOVERY_CODE_COUNT = 10
TOTP_ISSUER = "JC Icons"


class InvalidCredentials(DomainError):
    """Wrong username or password; `reason` is for the log only, never shown."""

    def __init__(self, reason: str, user: User | None = None) -> None:
        super().__init__("The username or password is not right.")
        self.reason = reason
        self.user = user


class PasswordRejected(DomainError):
    """A new password breaks the policy; `problems` lists how to fix it."""

    def __init__(self, problems: list[str], field: str = "new_password") -> None:
        super().__init__(" ".join(problems), field=field)
        self.problems = problems


class InvalidSecondFactor(DomainError):
    """The authenticator or recovery code is wrong or was already used."""

    def __init__(self) -> None:
        super().__init__(
            "That code is not right, or it was already used.", field="code"
        )


def get_user_by_username(username: str) -> User | None:
    """Return the user with this username (usernames ignore case)."""
    return db.session.scalar(
        select(User).where(User.username == username.strip().lower())
    )


def authenticate(username: str, password: str) -> User:
    """Return the active user whose password matches.

    Raises InvalidCredentials with the same message for an unknown user, a wrong
    password and an inactive account. Upgrades a hash weaker than the policy.
    """
    user = get_user_by_username(username)
    if user is None:
        verify_password(None, password)
        raise InvalidCredentials("unknown_user")
    if not verify_password(user.password_hash, password):
        raise InvalidCredentials("wrong_password", user)
    if not user.is_active:
        raise InvalidCredentials("inactive", user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        logger.info("password hash of %s upgraded", user.username)
    return user


def hash_token(token: str) -> str:
    """Return the stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, ip: str | None, user_agent: str | None) -> str:
    """Open a new server-side session for a signed-in user; return its token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            user=user,
            token_hash=hash_token(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + current_app.config["PERMANENT_SESSION_LIFETIME"],
            ip=ip,
            user_agent=(user_agent or "")[:255],
        )
    )
    user.last_login_at = now
    db.session.flush()
    logger.info("session started for %s", user.username)
    return token


def rotate_session_token(row: UserSession) -> str:
    """Give a live session a new token and return it; the old cookie stops working."""
    token = secrets.token_urlsafe(32)
    row.token_hash = hash_token(token)
    return token


def resolve_session(token: str) -> tuple[UserSession | None, str]:
    """Return the live session for a token, or None and why it was refused.

    A session is refused when it is unknown, revoked, past its absolute lifetime,
    idle for longer than the idle timeout, or its user is inactive. A session found
    idle or past its lifetime is revoked on the spot.
    """
    row = db.session.scalar(
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == hash_token(token))
    )
    if row is None:
        return None, "unknown"
    if row.revoked_at is not None:
        return None, f"revoked:{row.revoked_reason}"
    now = utcnow()
    if now >= row.expires_at:
        end_session(row, "expired")
        return None, "expired"
    if now - row.last_seen_at >= current_app.config["SESSION_IDLE_TIMEOUT"]:
        end_session(row, "idle")
        return None, "idle"
    if not row.user.is_active:
        end_session(row, "inactive")
        return None, "inactive"
    return row, "ok"


def touch_session(row: UserSession) -> bool:
    """Record activity on a session at most once a minute; return True if written."""
    now = utcnow()
    if now - row.last_seen_at < TOUCH_INTERVAL:
        return False
    row.last_seen_at = now
    return True


def end_session(row: UserSession, reason: str) -> None:
    """Revoke one session."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_reason = reason[:32]


def end_user_sessions(user: User, reason: str, keep: UserSession | None = None) -> int:
    """Revoke every live session of a user except `keep`; return how many ended."""
    query = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason[:32])
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    result = db.session.execute(query.execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def list_live_sessions(user: User) -> list[UserSession]:
    """Return a user's sessions that are neither revoked nor expired, newest first."""
    now = utcnow()
    idle_since = now - current_app.config["SESSION_IDLE_TIMEOUT"]
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
                UserSession.last_seen_at > idle_since,
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def shop_name() -> str:
    """Return the shop's name, a word no password may lean on."""
    from jcicons.settings.services import SHOP_NAME, get_setting

    return str(get_setting(SHOP_NAME))


def validate_new_password(
    user_like: User | None, password: str, username: str = "", full_name: str = ""
) -> None:
    """Raise PasswordRejected unless the password meets the policy."""
    if user_like is not None:
        username = username or user_like.username
        full_name = full_name or user_like.full_name
    verdict = check_password(password, username, full_name, shop_name())
    if not verdict.ok:
        raise PasswordRejected(verdict.problems)


def set_password(user: User, password: str) -> None:
    """Store a new password hash (the policy is checked by the caller)."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()


def change_own_password(
    user: User,
    current_password: str,
    new_password: str,
    current_session: UserSession | None,
) -> int:
    """Change a user's own password and end their other sessions; return how many.

    Raises DomainError when the current password is wrong or the new one equals it,
    PasswordRejected when the new one breaks the policy.
    """
    if not verify_password(user.password_hash, current_password):
        raise DomainError(
            "Your current password is not right.", field="current_password"
        )
    if new_password == current_password:
        raise DomainError(
            "Choose a new password that differs from the current one.",
            field="new_password",
        )
    validate_new_password(user, new_password)
    set_password(user, new_password)
    was_forced = user.must_change_password
    user.must_change_password = False
    ended = end_user_sessions(user, "password_changed", keep=current_session)
    record_audit(
        user,
        "user.password_change",
        "user",
        user.id,
        None,
        {"forced": was_forced, "sessions_ended": ended},
    )
    logger.info("password of %s changed, %d other sessions ended", user.username, ended)
    return ended


# Two-factor sign-in (TOTP, RFC 6238) ---------------------------------------------


def begin_two_factor_enrolment(user: User) -> str:
    """Give the user a new pending TOTP secret and return it.

    Raises DomainError when two-factor sign-in is already on.
    """
    if user.has_two_factor:
        raise DomainError("Two-factor sign-in is already on.")
    secret = pyotp.random_base32()
    user.totp_secret_encrypted = encrypt_text(secret)
    user.totp_last_step = None
    return secret


def pending_totp_secret(user: User) -> str | None:
    """Return the secret being enrolled, or None when no enrolment is pending (or
    its secret was stored under an encryption key this server no longer has)."""
    if user.has_two_factor or not user.totp_secret_encrypted:
        return None
    return _readable_secret(user)


def _readable_secret(user: User) -> str | None:
    """Return the user's TOTP secret, or None when no configured key opens it."""
    try:
        return decrypt_text(user.totp_secret_encrypted or "")
    except DecryptionError:
        logger.error(
            "the two-factor secret of %s cannot be decrypted with ENCRYPTION_KEY",
            user.username,
        )
        return None


def provisioning_uri(user: User, secret: str) -> str:
    """Return the otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.username, issuer_name=TOTP_ISSUER
    )


def _matching_step(secret: str, code: str) -> int | None:
    """Return the time step a TOTP code belongs to (one step of drift allowed)."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(utcnow().timestamp()) // totp.interval
    for step in (now_step, now_step - 1, now_step + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(_normalise_recovery_code(code).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        # 80 random bits: far past offline guessing of the unsalted hash.
        raw = secrets.token_hex(10)
        code = "-".join(raw[i : i + 5] for i in range(0, 20, 5))
        codes.append(code)
        db.session.add(
            RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(code))
        )
    return codes


def confirm_two_factor_enrolment(user: User, code: str) -> list[str]:
    """Switch two-factor sign-in on once a code from the app matches.

    Returns the recovery codes, which are shown once and stored only hashed.
    Raises InvalidSecondFactor when the code does not match the pending secret.
    """
    secret = pending_totp_secret(user)
    if secret is None:
        raise DomainError("Start the set-up again: no enrolment is pending.")
    step = _matching_step(secret, code)
    if step is None:
        raise InvalidSecondFactor()
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    record_audit(
        user, "user.two_factor_enable", "user", user.id, None, {"two_factor": True}
    )
    logger.info("two-factor sign-in enabled for %s", user.username)
    return codes


def verify_second_factor(user: User, code: str) -> str:
    """Accept a fresh TOTP code or an unused recovery code; return which kind.

    A TOTP code already used (same or earlier time step) is refused, so a code seen
    over someone's shoulder cannot be replayed. When the secret was stored under a
    key this server no longer has, only a recovery code gets the user in. Raises
    InvalidSecondFactor.
    """
    if not user.has_two_factor or not user.totp_secret_encrypted:
        raise InvalidSecondFactor()
    secret = _readable_secret(user)
    step = _matching_step(secret, code) if secret is not None else None
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            raise InvalidSecondFactor()
        user.totp_last_step = step
        return "totp"
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        raise InvalidSecondFactor()
    row.used_at = utcnow()
    record_audit(user, "user.recovery_code_used", "user", user.id, None, None)
    return "recovery_code"


def count_unused_recovery_codes(user: User) -> int:
    """Return how many recovery codes the user has left."""
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def regenerate_recovery_codes(user: User, password: str) -> list[str]:
    """Replace the recovery codes after the password is confirmed."""
    if not verify_password(user.password_hash, password):
        raise DomainError("Your password is not right.", field="password")
    if not user.has_two_factor:
        raise DomainError("Two-factor sign-in is off.")
    codes = _new_recovery_codes(user)
    record_audit(user, "user.recovery_codes_regenerate", "user", user.id, None, None)
    return codes


def disable_two_factor(
    user: User, password: str, admin_two_factor_required: bool
) -> None:
    """Switch two-factor sign-in off after the password is confirmed.

    Raises DomainError for a wrong password, or for an ADMIN while the shop
    requires two-factor sign-in for ADMIN accounts.
    """
    if not verify_password(user.password_hash, password):
        raise DomainError("Your password is not right.", field="password")
    if admin_two_factor_required and user.role == "ADMIN":
        raise DomainError("The shop requires two-factor sign-in for ADMIN accounts.")
    user.totp_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    record_audit(
        user,
        "user.two_factor_disable",
        "user",
        user.id,
        {"two_factor": True},
        {"two_factor": False},
    )
    logger.info("two-factor sign-in disabled for %s", user.username)
