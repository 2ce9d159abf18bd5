"""Signing in and out through the login form."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from helpers import STRONG_PASSWORD, login
from jcicons.auth.models import User, UserSession
from jcicons.extensions import db
from jcicons.security.passwords import hash_iterations

REFUSAL = "The username or password is not right."


def test_right_password_signs_in_and_opens_the_dashboard(client, make_user):
    account = make_user("SALES", full_name="Jose Rizal")
    response = login(client, account.username, account.password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Good day, Jose Rizal" in client.get("/").text


def test_username_ignores_case_and_surrounding_spaces(client, make_user):
    account = make_user("TECH", username="pedro")
    response = login(client, "  PEDRO ", account.password)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("reason", ["unknown_user", "wrong_password", "inactive"])
def test_every_refusal_gets_the_same_message_and_logs_its_reason(
    client, make_user, stored_events, new_log_lines, reason
):
    account = make_user("SALES", active=reason != "inactive")
    username = "nobody" if reason == "unknown_user" else account.username
    password = "Wrong-Password-99" if reason == "wrong_password" else STRONG_PASSWORD

    response = login(client, username, password)

    assert response.status_code == 422
    assert REFUSAL in response.text
    assert client.get("/").headers["Location"].startswith("/auth/login")
    expected_id = None if reason == "unknown_user" else account.id
    assert stored_events("login_failed") == [
        {"username": username, "user_id": expected_id, "detail": {"reason": reason}}
    ]
    [line] = [x for x in new_log_lines() if x["event"] == "login_failed"]
    assert (line["username"], line["detail"]) == (username, {"reason": reason})
    assert line["path"] == "/auth/login"


def test_the_log_never_holds_the_password_typed(client, make_user, new_log_lines):
    account = make_user("SALES")
    login(client, account.username, "Secret-Typo-Password-7")
    login(client, account.username, account.password)
    lines = new_log_lines()
    assert [x["event"] for x in lines][-2:] == ["login_failed", "login_succeeded"]
    assert "Secret-Typo-Password-7" not in str(lines)
    assert account.password not in str(lines)


def test_weaker_stored_hash_is_upgraded_at_the_next_login(app, client, make_user):
    account = make_user("SALES")
    with app.app_context():
        user = db.session.get(User, account.id)
        user.password_hash = generate_password_hash(
            account.password, method="pbkdf2:sha256:500"
        )
        db.session.commit()

    assert login(client, account.username, account.password).status_code == 302

    with app.app_context():
        stored = db.session.get(User, account.id).password_hash
    assert stored.startswith("pbkdf2:sha256:1000$")
    assert hash_iterations(stored) == app.config["PASSWORD_HASH_ITERATIONS"]
    assert check_password_hash(stored, account.password)


def test_failed_login_does_not_upgrade_the_hash(app, client, make_user):
    account = make_user("SALES")
    old = generate_password_hash(account.password, method="pbkdf2:sha256:500")
    with app.app_context():
        db.session.get(User, account.id).password_hash = old
        db.session.commit()
    login(client, account.username, "Not-The-Password-1")
    with app.app_context():
        assert db.session.get(User, account.id).password_hash == old


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/account\r\nSet-Cookie: x=1",
        "/\t/evil.example",
        "evil.example/account",
    ],
)
def test_hostile_next_addresses_fall_back_to_the_dashboard(client, make_user, target):
    account = make_user("SALES")
    response = login(
        client, account.username, account.password, query_string={"next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_same_site_next_address_is_followed(client, make_user):
    account = make_user("SALES")
    response = login(
        client,
        account.username,
        account.password,
        query_string={"next": "/account/sessions"},
    )
    assert response.headers["Location"] == "/account/sessions"


def test_login_page_keeps_only_a_safe_next_address(client):
    good = client.get("/auth/login", query_string={"next": "/account/sessions"})
    bad = client.get("/auth/login", query_string={"next": "//evil.example"})
    assert 'action="/auth/login?next=/account/sessions"' in good.text
    assert "evil.example" not in bad.text


def test_login_issues_a_new_session_token(app, client, make_user, session_of):
    account = make_user("SALES")
    client.get("/auth/login")
    before_cookie = client.get_cookie("jcicons").value
    before = session_of(client)

    login(client, account.username, account.password)

    after = session_of(client)
    assert client.get_cookie("jcicons").value != before_cookie
    assert "sid" not in before and after["sid"]
    assert after.get("csrf_token") != before["csrf_token"]
    with app.app_context():
        row = db.session.scalar(select(UserSession))
    assert row.token_hash == hashlib.sha256(after["sid"].encode()).hexdigest()


def test_each_sign_in_gets_its_own_session_row(app, client, make_user, session_of):
    account = make_user("SALES")
    login(client, account.username, account.password)
    first = session_of(client)["sid"]
    client.post_form("/auth/logout")
    login(client, account.username, account.password)

    assert session_of(client)["sid"] != first
    with app.app_context():
        rows = db.session.scalars(select(UserSession).order_by(UserSession.id)).all()
    assert len(rows) == 2
    assert rows[0].revoked_reason == "logout"
    assert rows[1].revoked_at is None


def test_cookie_planted_before_login_stays_anonymous(client, make_user, replay):
    account = make_user("SALES")
    client.get("/auth/login")
    planted = replay(client)

    login(client, account.username, account.password)

    assert client.get("/").status_code == 200
    assert planted.get("/").headers["Location"].startswith("/auth/login")


def test_signed_in_user_visiting_the_login_page_goes_to_the_dashboard(client, login_as):
    login_as("SALES")
    response = client.get("/auth/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logout_signs_out_and_says_so(client, login_as, stored_events):
    login_as("SALES")
    response = client.post_form("/auth/logout", follow_redirects=True)
    assert "You are signed out." in response.text
    assert client.get("/").headers["Location"].startswith("/auth/login")


def test_logout_needs_a_post_with_a_csrf_token(client, login_as):
    login_as("SALES")
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "data", [{"username": "", "password": "x"}, {"username": "a", "password": ""}]
)
def test_blank_fields_are_refused_without_signing_in(client, data, stored_events):
    response = client.post_form("/auth/login", data)
    assert response.status_code == 422
    assert "This field is required." in response.text
    assert stored_events("login_failed") == []


def test_login_without_a_csrf_token_is_refused(client, make_user):
    account = make_user("SALES")
    data = {"username": account.username, "password": account.password}
    response = client.post("/auth/login", data=data)
    assert response.status_code == 400
    assert client.get("/").headers["Location"].startswith("/auth/login")


def test_page_asked_for_before_sign_in_opens_after_it(client, make_user):
    account = make_user("SALES")
    bounce = client.get("/account/sessions")
    assert bounce.headers["Location"] == "/auth/login?next=%2Faccount%2Fsessions"

    response = login(
        client,
        account.username,
        account.password,
        query_string={"next": "/account/sessions"},
    )

    assert response.headers["Location"] == "/account/sessions"
