"""Server-side sessions: revocation, replayed cookies, idle and absolute limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from helpers import STRONG_PASSWORD, login
from jcicons import clock
from jcicons.auth.models import User, UserSession
from jcicons.extensions import db

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
NEW_PASSWORD = "Kalamansi-Tricycle-73-Halo"


def is_signed_out(client) -> bool:
    """Return True when the client's next page is the sign-in page."""
    response = client.get("/")
    return response.status_code == 302 and response.headers["Location"].startswith(
        "/auth/login"
    )


def revoked_reasons(app, user_id: int) -> list[str | None]:
    with app.app_context():
        rows = db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id)
            .order_by(UserSession.id)
        )
        return [row.revoked_reason for row in rows]


@pytest.fixture
def admin_client(app, make_user):
    """A second browser signed in as an ADMIN."""
    admin = make_user("ADMIN", username="boss")
    other = app.test_client()
    assert login(other, admin.username, admin.password).status_code == 302
    return other


def test_lifetime_and_idle_limits_default_to_seven_days_and_eight_hours(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=7)
    assert app.config["SESSION_IDLE_TIMEOUT"] == timedelta(hours=8)


def test_cookie_captured_before_logout_is_refused(app, client, login_as, replay):
    account = login_as("SALES")
    captured = replay(client)
    assert not is_signed_out(captured)

    client.post_form("/auth/logout")

    assert is_signed_out(captured)
    assert revoked_reasons(app, account.id) == ["logout"]


def test_cookie_captured_before_a_password_change_is_refused(
    app, client, login_as, replay
):
    account = login_as("SALES")
    captured = replay(client)

    response = client.post_form(
        "/account/password",
        {
            "current_password": account.password,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert is_signed_out(captured)
    assert not is_signed_out(client)


def test_cookie_captured_before_an_admin_reset_is_refused(
    app, client, login_as, replay, admin_client
):
    account = login_as("TECH")
    captured = replay(client)

    response = admin_client.post_form(f"/admin/users/{account.id}/reset-password")

    assert response.status_code == 200
    assert is_signed_out(captured)
    assert is_signed_out(client)
    assert revoked_reasons(app, account.id) == ["password_reset"]


def test_cookie_captured_before_deactivation_is_refused(
    app, client, login_as, replay, admin_client
):
    account = login_as("SALES")
    captured = replay(client)

    response = admin_client.post_form(f"/admin/users/{account.id}/deactivate")

    assert response.status_code == 302
    assert is_signed_out(captured)
    assert revoked_reasons(app, account.id) == ["deactivated"]
    assert login(client, account.username, account.password).status_code == 422


def test_account_switched_off_in_the_database_is_signed_out_at_once(
    app, client, login_as
):
    account = login_as("SALES")
    with app.app_context():
        db.session.get(User, account.id).is_active = False
        db.session.commit()

    assert is_signed_out(client)
    assert revoked_reasons(app, account.id) == ["inactive"]


def test_tampered_cookie_is_not_a_session(app, client, login_as):
    login_as("SALES")
    cookie = client.get_cookie("jcicons").value
    client.set_cookie("jcicons", cookie[:-4] + "AAAA")
    assert is_signed_out(client)


def test_refused_session_is_explained_and_logged(
    client, login_as, replay, new_log_lines
):
    login_as("SALES")
    captured = replay(client)
    client.post_form("/auth/logout")

    page = captured.get("/", follow_redirects=True)

    assert "Your session has ended. Please sign in again." in page.text
    assert 'name="password"' in page.text
    rejected = [x for x in new_log_lines() if x["event"] == "session_rejected"]
    assert rejected[0]["detail"] == {"reason": "revoked:logout"}


@pytest.mark.parametrize(
    ("idle", "signed_in"),
    [
        (timedelta(hours=8) - timedelta(minutes=1), True),
        (timedelta(hours=8), False),
        (timedelta(hours=9), False),
    ],
)
def test_session_idle_for_eight_hours_is_signed_out(
    app, client, login_as, idle, signed_in
):
    clock.set_frozen(T0)
    account = login_as("SALES")

    clock.set_frozen(T0 + idle)

    assert is_signed_out(client) is not signed_in
    assert revoked_reasons(app, account.id) == [None if signed_in else "idle"]


def test_activity_pushes_the_idle_limit_back(client, login_as):
    clock.set_frozen(T0)
    login_as("SALES")
    clock.set_frozen(T0 + timedelta(hours=7))
    assert not is_signed_out(client)
    clock.set_frozen(T0 + timedelta(hours=14))
    assert not is_signed_out(client)


@pytest.mark.parametrize(
    ("age", "signed_in"),
    [
        (timedelta(days=7) - timedelta(minutes=1), True),
        (timedelta(days=7), False),
    ],
)
def test_busy_session_still_ends_after_seven_days(
    app, client, login_as, age, signed_in
):
    clock.set_frozen(T0)
    account = login_as("SALES")
    for hours in range(6, 168, 6):
        clock.set_frozen(T0 + timedelta(hours=hours))
        assert not is_signed_out(client)

    clock.set_frozen(T0 + age)

    assert is_signed_out(client) is not signed_in
    assert revoked_reasons(app, account.id) == [None if signed_in else "expired"]


def test_signed_out_user_can_sign_in_again_after_the_idle_limit(client, make_user):
    clock.set_frozen(T0)
    account = make_user("SALES", password=STRONG_PASSWORD)
    login(client, account.username, account.password)
    clock.set_frozen(T0 + timedelta(hours=10))
    assert is_signed_out(client)
    assert login(client, account.username, account.password).status_code == 302
    assert not is_signed_out(client)
