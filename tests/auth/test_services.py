"""Sign-in rules at the service level: credentials, sessions, second factors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from helpers import STRONG_PASSWORD
from jcicons import clock
from jcicons.auth.models import RecoveryCode, UserSession
from jcicons.auth.services import (
    InvalidCredentials,
    InvalidSecondFactor,
    PasswordRejected,
    authenticate,
    begin_two_factor_enrolment,
    change_own_password,
    confirm_two_factor_enrolment,
    count_unused_recovery_codes,
    disable_two_factor,
    end_session,
    end_user_sessions,
    hash_token,
    list_live_sessions,
    regenerate_recovery_codes,
    resolve_session,
    rotate_session_token,
    start_session,
    touch_session,
    verify_second_factor,
)
from jcicons.auth.views import safe_next
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.security.crypto import decrypt_text
from jcicons.users.services import create_user

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
NEW_PASSWORD = "Kalamansi-Tricycle-73-Halo"


@pytest.fixture
def user(ctx):
    """A SALES user in the test's own session, with the clock frozen at T0."""
    clock.set_frozen(T0)
    created, _ = create_user("ana", "Ana Cruz", None, "SALES", None, STRONG_PASSWORD)
    return created


@pytest.fixture
def enrolled(user):
    """The user with two-factor sign-in on; returns (user, secret, codes)."""
    secret = begin_two_factor_enrolment(user)
    codes = confirm_two_factor_enrolment(user, pyotp.TOTP(secret).at(T0))
    return user, secret, codes


def at(offset_seconds: int) -> datetime:
    clock.set_frozen(T0 + timedelta(seconds=offset_seconds))
    return clock.utcnow()


# Credentials ----------------------------------------------------------------------


def test_authenticate_returns_the_user_for_the_right_password(user):
    assert authenticate("ANA", STRONG_PASSWORD) is user


@pytest.mark.parametrize(
    ("username", "password", "active", "reason"),
    [
        ("nobody", STRONG_PASSWORD, True, "unknown_user"),
        ("ana", "Wrong-Password-1", True, "wrong_password"),
        ("ana", STRONG_PASSWORD, False, "inactive"),
    ],
)
def test_authenticate_refusals_share_one_message(
    user, username, password, active, reason
):
    user.is_active = active
    with pytest.raises(InvalidCredentials) as refused:
        authenticate(username, password)
    assert refused.value.message == "The username or password is not right."
    assert refused.value.reason == reason


# Sessions -------------------------------------------------------------------------


def test_session_token_is_stored_only_as_its_hash(user):
    token = start_session(user, "10.0.0.5", "Firefox")
    row = db.session.scalar(select(UserSession))
    assert row.token_hash == hash_token(token) != token
    assert row.expires_at == T0 + timedelta(days=7)
    assert resolve_session(token) == (row, "ok")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda row: end_session(row, "logout"), "revoked:logout"),
        (lambda row: at(7 * 24 * 3600), "expired"),
        (lambda row: at(8 * 3600), "idle"),
        (lambda row: setattr(row.user, "is_active", False), "inactive"),
    ],
)
def test_session_is_refused_with_its_reason(user, change, reason):
    token = start_session(user, None, None)
    change(db.session.scalar(select(UserSession)))
    assert resolve_session(token) == (None, reason)
    assert resolve_session("made-up-token") == (None, "unknown")


def test_refused_idle_session_stays_revoked_when_the_user_returns(user):
    token = start_session(user, None, None)
    at(9 * 3600)
    resolve_session(token)
    at(0)
    assert resolve_session(token) == (None, "revoked:idle")


def test_activity_is_written_at_most_once_a_minute(user):
    start_session(user, None, None)
    row = db.session.scalar(select(UserSession))
    at(59)
    assert touch_session(row) is False
    at(60)
    assert touch_session(row) is True
    assert row.last_seen_at == T0 + timedelta(seconds=60)


def test_rotated_token_replaces_the_old_one(user):
    old = start_session(user, None, None)
    row = db.session.scalar(select(UserSession))
    new = rotate_session_token(row)
    assert resolve_session(old) == (None, "unknown")
    assert resolve_session(new) == (row, "ok")


def test_ending_a_users_sessions_can_keep_one(user):
    tokens = [start_session(user, None, f"agent {n}") for n in range(3)]
    keep = resolve_session(tokens[0])[0]
    assert end_user_sessions(user, "password_changed", keep=keep) == 2
    assert [resolve_session(t)[1] for t in tokens] == [
        "ok",
        "revoked:password_changed",
        "revoked:password_changed",
    ]


def test_live_session_list_leaves_out_ended_and_idle_ones(user):
    ended = resolve_session(start_session(user, None, "ended"))[0]
    end_session(ended, "logout")
    at(9 * 3600)
    start_session(user, None, "fresh")
    assert [row.user_agent for row in list_live_sessions(user)] == ["fresh"]


# Own password ---------------------------------------------------------------------


def test_password_change_ends_other_sessions_and_clears_the_forced_step(user):
    user.must_change_password = True
    here = resolve_session(start_session(user, None, "here"))[0]
    start_session(user, None, "elsewhere")

    assert change_own_password(user, STRONG_PASSWORD, NEW_PASSWORD, here) == 1

    assert authenticate("ana", NEW_PASSWORD) is user
    assert user.must_change_password is False
    assert [row.user_agent for row in list_live_sessions(user)] == ["here"]


@pytest.mark.parametrize(
    ("current", "new", "field", "message"),
    [
        ("Wrong-1-Password", NEW_PASSWORD, "current_password", "current password"),
        (STRONG_PASSWORD, STRONG_PASSWORD, "new_password", "differs"),
        (STRONG_PASSWORD, "Password1", "new_password", "too easy to guess"),
        (STRONG_PASSWORD, "Ana-Cruz-Kalamay-42", "new_password", "username"),
    ],
)
def test_password_change_refusals_name_the_field(user, current, new, field, message):
    with pytest.raises(DomainError) as refused:
        change_own_password(user, current, new, None)
    assert refused.value.field == field
    assert message in refused.value.message
    assert authenticate("ana", STRONG_PASSWORD) is user


def test_weak_new_password_lists_every_problem(user):
    with pytest.raises(PasswordRejected) as refused:
        change_own_password(user, STRONG_PASSWORD, "short", None)
    assert len(refused.value.problems) >= 3
    assert "Add at least one digit (0-9)." in refused.value.problems


# Two-factor -----------------------------------------------------------------------


def test_enrolment_stores_the_secret_encrypted_and_codes_hashed(enrolled):
    user, secret, codes = enrolled
    assert user.has_two_factor
    assert secret not in user.totp_secret_encrypted
    assert decrypt_text(user.totp_secret_encrypted) == secret
    assert len(set(codes)) == 10
    stored = [row.code_hash for row in db.session.scalars(select(RecoveryCode))]
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & set(stored)
    assert not any(c in h for c in codes for h in stored)


def test_enrolment_needs_a_matching_code(user):
    secret = begin_two_factor_enrolment(user)
    wrong = pyotp.TOTP(secret).at(T0 + timedelta(minutes=5))
    with pytest.raises(InvalidSecondFactor):
        confirm_two_factor_enrolment(user, wrong)
    assert not user.has_two_factor


def test_enrolment_cannot_start_twice(enrolled):
    with pytest.raises(DomainError, match="already on"):
        begin_two_factor_enrolment(enrolled[0])


@pytest.mark.parametrize(
    ("code_offset", "accepted"),
    [(30, True), (60, True), (0, False), (90, False), (-30, False)],
)
def test_totp_allows_one_step_of_drift_and_no_reuse(enrolled, code_offset, accepted):
    user, secret, _ = enrolled
    at(30)
    code = pyotp.TOTP(secret).at(T0 + timedelta(seconds=code_offset))
    if accepted:
        assert verify_second_factor(user, code) == "totp"
    else:
        with pytest.raises(InvalidSecondFactor):
            verify_second_factor(user, code)


def test_totp_code_older_than_the_last_used_one_is_refused(enrolled):
    user, secret, _ = enrolled
    at(60)
    assert verify_second_factor(user, pyotp.TOTP(secret).at(T0 + timedelta(seconds=90)))
    with pytest.raises(InvalidSecondFactor):
        verify_second_factor(user, pyotp.TOTP(secret).at(T0 + timedelta(seconds=60)))


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(enrolled, code):
    with pytest.raises(InvalidSecondFactor):
        verify_second_factor(enrolled[0], code)


def test_recovery_code_is_spent_on_use(enrolled):
    user, _, codes = enrolled
    assert verify_second_factor(user, codes[3]) == "recovery_code"
    assert count_unused_recovery_codes(user) == 9
    with pytest.raises(InvalidSecondFactor):
        verify_second_factor(user, codes[3])


def test_user_without_two_factor_has_no_second_factor(user):
    with pytest.raises(InvalidSecondFactor):
        verify_second_factor(user, "123456")


def test_new_recovery_codes_replace_the_old_ones(enrolled):
    user, _, old = enrolled
    new = regenerate_recovery_codes(user, STRONG_PASSWORD)
    assert count_unused_recovery_codes(user) == 10
    with pytest.raises(InvalidSecondFactor):
        verify_second_factor(user, old[0])
    assert verify_second_factor(user, new[0]) == "recovery_code"


def test_new_recovery_codes_need_the_password(enrolled):
    with pytest.raises(DomainError, match="password is not right"):
        regenerate_recovery_codes(enrolled[0], "Wrong-Password-1")


def test_switching_two_factor_off_needs_the_password_and_spends_codes(enrolled):
    user, _, _ = enrolled
    with pytest.raises(DomainError, match="password is not right"):
        disable_two_factor(user, "Wrong-Password-1", False)
    disable_two_factor(user, STRONG_PASSWORD, False)
    assert not user.has_two_factor
    assert user.totp_secret_encrypted is None
    assert count_unused_recovery_codes(user) == 0


def test_admin_cannot_switch_two_factor_off_while_the_shop_requires_it(ctx):
    clock.set_frozen(T0)
    admin, _ = create_user("boss", "Boss", None, "ADMIN", None, STRONG_PASSWORD)
    secret = begin_two_factor_enrolment(admin)
    confirm_two_factor_enrolment(admin, pyotp.TOTP(secret).at(T0))
    with pytest.raises(DomainError, match="requires two-factor"):
        disable_two_factor(admin, STRONG_PASSWORD, True)
    assert admin.has_two_factor


# Safe redirects -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account/sessions", "/account/sessions"),
        ("/repairs/?status=open", "/repairs/?status=open"),
        ("//evil.example", None),
        ("https://evil.example/", None),
        ("/\\evil.example", None),
        ("\\\\evil.example", None),
        ("javascript:alert(1)", None),
        ("/path\x00", None),
        ("/a\nb", None),
        ("evil.example", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_next_keeps_only_same_site_paths(target, expected):
    assert safe_next(target) == expected
