"""Setting up two-factor sign-in, and the shop's rule for ADMIN accounts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from helpers import login
from jcicons import clock
from jcicons.auth.models import RecoveryCode, User
from jcicons.extensions import db
from jcicons.settings.services import REQUIRE_ADMIN_TWO_FACTOR, update_settings

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


def shown_secret(page: str) -> str:
    match = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page)
    assert match, "no key on the set-up page"
    return match.group(1)


def shown_codes(page: str) -> list[str]:
    listing = page.split('data-testid="recovery-codes">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<li>([^<]+)</li>", listing)


def enrol(client) -> tuple[str, list[str]]:
    """Set up two-factor sign-in through the pages at the frozen time."""
    secret = shown_secret(client.get("/account/two-factor/setup").text)
    page = client.post_form(
        "/account/two-factor/setup", {"code": pyotp.TOTP(secret).at(clock.utcnow())}
    )
    assert page.status_code == 200
    return secret, shown_codes(page.text)


def stored_user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def require_admin_two_factor(app, admin_id: int, on: bool = True) -> None:
    with app.app_context():
        update_settings({REQUIRE_ADMIN_TWO_FACTOR: on}, db.session.get(User, admin_id))
        db.session.commit()


def test_setup_page_shows_a_qr_code_and_the_key(app, client, login_as):
    account = login_as("SALES")
    page = client.get("/account/two-factor/setup").text
    secret = shown_secret(page)

    assert 'src="/account/two-factor/qr.svg"' in page
    qr = client.get("/account/two-factor/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    assert qr.text.startswith("<svg")
    stored = stored_user(app, account.id).totp_secret_encrypted
    assert stored and secret not in stored


def test_a_pending_secret_under_a_retired_key_starts_the_setup_afresh(
    app, client, login_as, monkeypatch
):
    from jcicons.security.crypto import generate_key

    login_as("SALES")
    first = shown_secret(client.get("/account/two-factor/setup").text)
    monkeypatch.setitem(app.config, "ENCRYPTION_KEY", generate_key())

    page = client.get("/account/two-factor/setup")

    assert page.status_code == 200
    assert shown_secret(page.text) != first
    assert client.get("/account/two-factor/qr.svg").status_code == 200


def test_right_code_switches_two_factor_on_and_shows_ten_codes_once(
    app, client, login_as
):
    account = login_as("SALES")
    secret = shown_secret(client.get("/account/two-factor/setup").text)

    page = client.post_form(
        "/account/two-factor/setup", {"code": pyotp.TOTP(secret).now()}
    ).text

    codes = shown_codes(page)
    assert len(set(codes)) == 10
    assert "They are shown only this once." in page
    assert stored_user(app, account.id).has_two_factor
    assert codes[0] not in client.get("/account/two-factor").text
    assert "10 unused recovery code(s)" in client.get("/account/two-factor").text


def test_recovery_codes_are_stored_only_hashed(app, client, login_as):
    login_as("SALES")
    clock.set_frozen(T0)
    _, codes = enrol(client)
    with app.app_context():
        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10
    plain = {c for code in codes for c in (code, code.replace("-", ""))}
    assert not any(p in h for p in plain for h in hashes)


def test_wrong_code_leaves_two_factor_off_and_is_logged(
    app, client, login_as, stored_events
):
    account = login_as("SALES")
    clock.set_frozen(T0)
    secret = shown_secret(client.get("/account/two-factor/setup").text)
    late = pyotp.TOTP(secret).at(T0 + timedelta(minutes=10))

    response = client.post_form("/account/two-factor/setup", {"code": late})

    assert response.status_code == 422
    assert "That code is not right" in response.text
    assert shown_secret(response.text) == secret
    assert not stored_user(app, account.id).has_two_factor
    assert stored_events("two_factor_failed")[0]["detail"] == {"during": "enrolment"}


def test_after_setup_the_qr_code_is_gone_and_sign_in_asks_for_a_code(client, login_as):
    account = login_as("SALES")
    clock.set_frozen(T0)
    enrol(client)

    assert client.get("/account/two-factor/qr.svg").status_code == 404
    assert client.get("/account/two-factor/setup").headers["Location"] == (
        "/account/two-factor"
    )
    client.post_form("/auth/logout")
    response = login(client, account.username, account.password)
    assert response.headers["Location"] == "/auth/two-factor"


def test_new_recovery_codes_need_the_password(client, login_as):
    account = login_as("SALES")
    clock.set_frozen(T0)
    _, old = enrol(client)

    refused = client.post_form(
        "/account/two-factor/recovery-codes", {"password": "Wrong-Password-1"}
    )
    page = client.post_form(
        "/account/two-factor/recovery-codes", {"password": account.password}
    )

    assert refused.status_code == 302
    new = shown_codes(page.text)
    assert len(new) == 10
    assert not set(new) & set(old)


@pytest.mark.parametrize(("password_ok", "still_on"), [(True, False), (False, True)])
def test_switching_off_needs_the_password(app, client, login_as, password_ok, still_on):
    account = login_as("SALES")
    clock.set_frozen(T0)
    enrol(client)
    password = account.password if password_ok else "Wrong-Password-1"

    client.post_form("/account/two-factor/disable", {"password": password})

    assert stored_user(app, account.id).has_two_factor is still_on


@pytest.mark.parametrize(
    "page", ["/", "/account/", "/account/sessions", "/admin/users/", "/admin/settings"]
)
def test_required_two_factor_sends_an_admin_to_setup_from_every_page(
    app, client, login_as, page
):
    admin = login_as("ADMIN")
    require_admin_two_factor(app, admin.id)

    response = client.get(page)

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/two-factor/setup"


def test_required_two_factor_frees_the_admin_once_set_up(app, client, login_as):
    admin = login_as("ADMIN")
    require_admin_two_factor(app, admin.id)
    page = client.get("/", follow_redirects=True).text
    assert "The shop requires two-factor sign-in for ADMIN accounts." in page

    clock.set_frozen(T0)
    enrol(client)

    assert client.get("/").status_code == 200
    assert client.get("/admin/users/").status_code == 200


def test_required_two_factor_leaves_other_roles_alone(app, client, login_as, make_user):
    require_admin_two_factor(app, make_user("ADMIN").id)
    login_as("SALES")
    assert client.get("/").status_code == 200


def test_admin_cannot_switch_off_required_two_factor(app, client, login_as):
    admin = login_as("ADMIN")
    clock.set_frozen(T0)
    enrol(client)
    require_admin_two_factor(app, admin.id)
    assert "cannot be switched off" in client.get("/account/two-factor").text

    response = client.post_form(
        "/account/two-factor/disable",
        {"password": admin.password},
        follow_redirects=True,
    )

    assert "The shop requires two-factor sign-in for ADMIN accounts." in response.text
    assert stored_user(app, admin.id).has_two_factor


def test_admin_may_switch_off_when_the_rule_is_off(app, client, login_as):
    admin = login_as("ADMIN")
    clock.set_frozen(T0)
    enrol(client)
    require_admin_two_factor(app, admin.id, on=False)
    client.post_form("/account/two-factor/disable", {"password": admin.password})
    assert not stored_user(app, admin.id).has_two_factor
