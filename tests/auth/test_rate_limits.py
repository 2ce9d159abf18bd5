"""The login throttle: failed attempts per username and per client address."""

from __future__ import annotations

import pytest

from helpers import login

WRONG = "Not-The-Password-0"


def fail(client, username: str, times: int, **kwargs) -> list[int]:
    """Try a wrong password `times` times; return the status codes."""
    return [login(client, username, WRONG, **kwargs).status_code for _ in range(times)]


def from_ip(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


@pytest.mark.parametrize("right_password", [True, False])
def test_sixth_attempt_for_a_username_is_refused_whatever_the_password(
    client, make_user, right_password
):
    account = make_user("SALES")
    assert fail(client, account.username, 5) == [422] * 5

    password = account.password if right_password else WRONG
    response = login(client, account.username, password)

    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "Wait a few minutes, then try again." in response.text
    assert client.get("/").headers["Location"].startswith("/auth/login")


def test_lockout_is_logged_as_login_locked(
    client, make_user, stored_events, new_log_lines
):
    account = make_user("SALES")
    fail(client, account.username, 5)
    login(client, account.username, account.password)

    [event] = stored_events("login_locked")
    assert event["username"] == account.username
    assert "login_locked" in [x["event"] for x in new_log_lines()]
    assert len(stored_events("login_failed")) == 5


def test_successful_login_clears_the_username_count(client, make_user):
    account = make_user("SALES")
    assert fail(client, account.username, 4) == [422] * 4
    assert login(client, account.username, account.password).status_code == 302
    client.post_form("/auth/logout")

    assert fail(client, account.username, 5) == [422] * 5
    assert login(client, account.username, account.password).status_code == 429


def test_username_count_ignores_case(client, make_user):
    account = make_user("SALES", username="ligaya")
    fail(client, "ligaya", 3)
    fail(client, "LIGAYA", 2)
    assert login(client, "Ligaya", account.password).status_code == 429


def test_locked_username_is_locked_from_every_address(client, make_user):
    account = make_user("SALES")
    fail(client, account.username, 5, **from_ip("10.0.0.1"))
    response = login(client, account.username, account.password, **from_ip("10.0.0.2"))
    assert response.status_code == 429


def test_one_locked_username_does_not_lock_a_colleague(client, make_user):
    victim = make_user("SALES")
    colleague = make_user("TECH")
    fail(client, victim.username, 5)
    assert login(client, colleague.username, colleague.password).status_code == 302


def test_address_spraying_many_usernames_is_stopped_after_twenty(
    app, client, make_user, stored_events
):
    account = make_user("SALES")
    assert app.config["LOGIN_LIMIT_PER_IP"] == "20 per 5 minutes"
    statuses = [login(client, f"guess{n}", WRONG).status_code for n in range(20)]
    assert statuses == [422] * 20

    assert login(client, account.username, account.password).status_code == 429
    assert stored_events("login_locked")[0]["username"] == account.username


def test_address_limit_leaves_other_addresses_alone(client, make_user):
    account = make_user("SALES")
    for n in range(20):
        login(client, f"guess{n}", WRONG, **from_ip("10.0.0.66"))
    response = login(client, account.username, account.password, **from_ip("10.0.0.7"))
    assert response.status_code == 302
