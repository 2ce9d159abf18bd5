"""Changing one's own password, the forced change, and the strength check."""

from __future__ import annotations

import pytest

from helpers import STRONG_PASSWORD, login
from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.security.passwords import check_password

NEW_PASSWORD = "Kalamansi-Tricycle-73-Halo"


def change(client, current: str, new: str, confirm: str | None = None, **kwargs):
    return client.post_form(
        "/account/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
        **kwargs,
    )


def must_change(app, user_id: int) -> bool:
    with app.app_context():
        return db.session.get(User, user_id).must_change_password


def test_change_keeps_this_session_and_ends_the_others(
    client, login_as, browser, signed_out
):
    account = login_as("SALES")
    phone = browser(account)

    response = change(client, account.password, NEW_PASSWORD, follow_redirects=True)

    assert "Your password is changed." in response.text
    assert not signed_out(client)
    assert signed_out(phone)
    assert login(browser(), account.username, account.password).status_code == 422
    assert login(browser(), account.username, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("Wrong-Password-9", NEW_PASSWORD, None, "Your current password is not right."),
        (
            STRONG_PASSWORD,
            NEW_PASSWORD,
            "Other-Password-99",
            "The two new passwords differ.",
        ),
        (STRONG_PASSWORD, STRONG_PASSWORD, None, "differs from the current one"),
        (STRONG_PASSWORD, "Password1", None, "This is a very common password."),
        (STRONG_PASSWORD, "shortpw", None, "Add at least one capital letter (A-Z)."),
        ("", NEW_PASSWORD, None, "This field is required."),
    ],
)
def test_refused_change_says_why_and_keeps_the_old_password(
    client, login_as, browser, current, new, confirm, message
):
    account = login_as("SALES")
    response = change(client, current, new, confirm)
    assert response.status_code == 422
    assert message in response.text
    assert login(browser(), account.username, account.password).status_code == 302


def test_change_is_recorded_in_the_security_log(client, login_as, app):
    account = login_as("SALES")
    path = app.extensions["jcicons_security_log"]
    change(client, account.password, NEW_PASSWORD)
    with open(path, encoding="utf-8") as log:
        last = log.read().splitlines()[-1]
    assert '"event": "password_changed"' in last
    assert NEW_PASSWORD not in last


@pytest.mark.parametrize(
    "page",
    ["/", "/account/", "/account/sessions", "/account/two-factor", "/admin/users/"],
)
def test_forced_change_sends_every_page_to_the_password_form(client, login_as, page):
    login_as("SALES", must_change=True)
    response = client.get(page)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"


def test_forced_change_page_explains_and_frees_the_user_once_done(
    app, client, login_as
):
    account = login_as("TECH", must_change=True)
    page = client.get("/", follow_redirects=True)
    assert "Choose a new password before you continue." in page.text
    assert "Choose your own before you continue." in page.text

    assert change(client, account.password, NEW_PASSWORD).status_code == 302

    assert not must_change(app, account.id)
    assert client.get("/account/sessions").status_code == 200


def test_admin_reset_forces_a_change_at_the_next_sign_in(client, make_user, browser):
    admin = browser(make_user("ADMIN"))
    account = make_user("SALES")
    page = admin.post_form(f"/admin/users/{account.id}/reset-password").text
    one_time = page.split('data-testid="one-time-password">', 1)[1].split("<", 1)[0]

    login(client, account.username, one_time.strip())

    assert client.get("/").headers["Location"] == "/account/password"


def test_generated_first_password_forces_a_change(app, client):
    from jcicons.users.services import create_user

    with app.app_context():
        _, generated = create_user("nena", "Nena", None, "SALES", None)
        db.session.commit()
    login(client, "nena", generated)
    assert client.get("/").headers["Location"] == "/account/password"


@pytest.mark.parametrize(
    "password",
    [STRONG_PASSWORD, "Password1", "short", "Lorna-Bisikleta-42-lorna", "x" * 200],
)
def test_password_check_agrees_with_the_policy_during_a_forced_change(
    client, login_as, password
):
    login_as("SALES", username="lorna", full_name="Lorna Reyes", must_change=True)

    response = client.post_json("/account/password-check", {"password": password})

    assert response.status_code == 200
    verdict = check_password(password[:129], "lorna", "Lorna Reyes", "JC Icons")
    body = response.get_json()
    assert (body["ok"], body["score"], body["problems"]) == (
        verdict.ok,
        verdict.score,
        verdict.problems,
    )


@pytest.mark.parametrize("payload", [{}, {"password": 12345678}, ["Password1"]])
def test_password_check_needs_a_password_string(client, login_as, payload):
    login_as("SALES")
    response = client.post_json("/account/password-check", payload)
    assert response.status_code == 400
    assert response.get_json() == {"error": "Send a password to check."}


def test_password_check_needs_a_sign_in_and_a_csrf_token(client, login_as):
    assert (
        client.post_json("/account/password-check", {"password": "x"}).status_code
        == 302
    )
    login_as("SALES")
    assert (
        client.post("/account/password-check", json={"password": "x"}).status_code
        == 400
    )


def test_forced_user_can_still_sign_out(client, login_as):
    login_as("SALES", must_change=True)
    response = client.post_form("/auth/logout")
    assert response.headers["Location"] == "/auth/login"
