"""Signing in with a second factor: authenticator codes and recovery codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from helpers import login
from jcicons import clock

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
LATER = T0 + timedelta(seconds=30)
REFUSAL = "That code is not right, or it was already used."


def code_at(secret: str, instant: datetime) -> str:
    return pyotp.TOTP(secret).at(instant)


def wrong_code(secret: str, instant: datetime) -> str:
    """Return a 6-digit code that matches no step near `instant`."""
    near = {code_at(secret, instant + timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)


@pytest.fixture
def signed_half_in(client, two_factor_user):
    """A two-factor user who has given the right password at LATER."""
    account, secret, codes = two_factor_user("SALES")
    clock.set_frozen(LATER)
    response = login(client, account.username, account.password)
    assert response.headers["Location"] == "/auth/two-factor"
    return account, secret, codes


def send_code(client, code: str):
    return client.post_form("/auth/two-factor", {"code": code})


def test_password_alone_does_not_sign_in_a_two_factor_user(
    client, signed_half_in, session_of
):
    assert client.get("/").headers["Location"].startswith("/auth/login")
    page = client.get("/auth/two-factor")
    assert page.status_code == 200
    assert "authenticator app" in page.text
    assert "_user_id" not in session_of(client)
    assert "sid" not in session_of(client)


def test_right_code_completes_the_sign_in(client, signed_half_in, session_of):
    _, secret, _ = signed_half_in
    response = send_code(client, code_at(secret, LATER))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert "two_factor_pending" not in session_of(client)


def test_wrong_code_is_refused_and_logged(client, signed_half_in, stored_events):
    account, secret, _ = signed_half_in
    response = send_code(client, wrong_code(secret, LATER))
    assert response.status_code == 422
    assert REFUSAL in response.text
    assert client.get("/").headers["Location"].startswith("/auth/login")
    assert stored_events("two_factor_failed") == [
        {"username": account.username, "user_id": account.id, "detail": {}}
    ]


def test_a_code_cannot_be_used_twice(client, signed_half_in):
    account, secret, _ = signed_half_in
    code = code_at(secret, LATER)
    assert send_code(client, code).status_code == 302
    client.post_form("/auth/logout")

    login(client, account.username, account.password)
    response = send_code(client, code)

    assert response.status_code == 422
    assert REFUSAL in response.text


def test_the_code_used_for_enrolment_cannot_sign_in(client, two_factor_user):
    account, secret, _ = two_factor_user("SALES")
    login(client, account.username, account.password)
    assert send_code(client, code_at(secret, T0)).status_code == 422


def test_next_step_code_works_after_thirty_seconds(client, signed_half_in):
    account, secret, _ = signed_half_in
    send_code(client, code_at(secret, LATER))
    client.post_form("/auth/logout")
    clock.set_frozen(LATER + timedelta(seconds=30))
    login(client, account.username, account.password)
    assert (
        send_code(client, code_at(secret, LATER + timedelta(seconds=30))).status_code
        == 302
    )


@pytest.mark.parametrize("shape", [str, str.upper, lambda c: c.replace("-", " ")])
def test_recovery_code_works_once(client, signed_half_in, shape):
    account, _, codes = signed_half_in
    response = send_code(client, shape(codes[0]))
    assert response.status_code == 302
    assert "signed in with a recovery code" in client.get("/").text
    client.post_form("/auth/logout")

    login(client, account.username, account.password)
    assert send_code(client, codes[0]).status_code == 422
    assert send_code(client, codes[1]).status_code == 302


def test_next_address_survives_the_second_step(client, two_factor_user):
    account, secret, _ = two_factor_user("SALES")
    clock.set_frozen(LATER)
    login(
        client,
        account.username,
        account.password,
        query_string={"next": "/account/sessions"},
    )
    response = send_code(client, code_at(secret, LATER))
    assert response.headers["Location"] == "/account/sessions"


def test_half_finished_sign_in_expires_after_five_minutes(client, signed_half_in):
    _, secret, _ = signed_half_in
    later = LATER + timedelta(minutes=5, seconds=1)
    clock.set_frozen(later)
    response = send_code(client, code_at(secret, later))
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/").headers["Location"].startswith("/auth/login")


def test_two_factor_page_without_a_password_first_goes_to_login(client):
    response = client.get("/auth/two-factor")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"


def test_wrong_codes_count_towards_the_lockout(client, signed_half_in, stored_events):
    account, secret, _ = signed_half_in
    bad = wrong_code(secret, LATER)
    assert [send_code(client, bad).status_code for _ in range(5)] == [422] * 5
    assert send_code(client, code_at(secret, LATER)).status_code == 429
    assert stored_events("login_locked")[0]["username"] == account.username


def test_a_secret_under_a_retired_key_leaves_the_recovery_codes_working(
    app, client, signed_half_in, monkeypatch
):
    from jcicons.security.crypto import generate_key

    _, secret, codes = signed_half_in
    monkeypatch.setitem(app.config, "ENCRYPTION_KEY", generate_key())

    refused = send_code(client, code_at(secret, LATER))
    recovered = send_code(client, codes[0])

    assert refused.status_code == 422
    assert REFUSAL in refused.text
    assert recovered.status_code == 302
    assert client.get("/").status_code == 200
