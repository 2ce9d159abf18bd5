"""Error pages: plain language, a request id, nothing internal; JSON under /api/."""

from __future__ import annotations

import re

import pytest
from flask import Flask, abort
from sqlalchemy import select

from helpers import login
from jcicons.extensions import db
from jcicons.security.capabilities import public
from jcicons.settings.models import Setting

SECRET = "secret internals"
PLAIN_WORDS = {
    400: "could not be understood",
    403: "does not have access to this page",
    404: "There is nothing at this address",
    405: "cannot be used that way",
    413: "larger than the shop allows",
    429: "Wait a few minutes, then try again",
    500: "hit an unexpected problem and nothing was saved",
}
INTERNALS = ("Traceback", "RuntimeError", SECRET, "werkzeug", 'File "')


@pytest.fixture
def error_app(make_app) -> tuple[Flask, list[object]]:
    """An app with throw-away routes that fail on purpose, and what they saw."""
    application = make_app(PROPAGATE_EXCEPTIONS=False)
    seen: list[object] = []

    @public
    def fail_with(code: int) -> str:
        abort(code)

    @public
    def crash() -> str:
        db.session.add(Setting(key="SHOP_NAME", value="Half-saved Shop"))
        db.session.flush()
        raise RuntimeError(SECRET)

    def look_at_the_transaction(response):
        seen.append(db.session.scalar(select(Setting.value)))
        return response

    for prefix in ("", "/api"):
        application.add_url_rule(
            f"{prefix}/fail/<int:code>", f"fail{prefix}", fail_with
        )
        application.add_url_rule(f"{prefix}/crash", f"crash{prefix}", crash)
    application.after_request(look_at_the_transaction)
    return application, seen


def shown_request_id(response) -> str:
    match = re.search(r'data-testid="request-id">([0-9a-f]+)<', response.text)
    assert match, "no request id on the page"
    return match.group(1)


def assert_plain_page(response, code: int) -> None:
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert PLAIN_WORDS[code] in response.text
    assert shown_request_id(response) == response.headers["X-Request-ID"]
    assert not any(word in response.text for word in INTERNALS)


@pytest.mark.parametrize("code", sorted(PLAIN_WORDS))
def test_each_error_has_a_plain_page_with_the_request_id(error_app, code):
    application, _ = error_app
    assert_plain_page(application.test_client().get(f"/fail/{code}"), code)


@pytest.mark.parametrize("code", sorted(PLAIN_WORDS))
def test_each_error_under_the_api_is_json(error_app, code):
    application, _ = error_app
    response = application.test_client().get(f"/api/fail/{code}")
    assert response.status_code == code
    error = response.get_json()["error"]
    assert error["status"] == code
    assert PLAIN_WORDS[code] in error["message"]
    assert error["request_id"] == response.headers["X-Request-ID"]


def test_a_crash_shows_nothing_of_the_exception(error_app):
    application, _ = error_app
    assert_plain_page(application.test_client().get("/crash"), 500)


def test_a_crash_under_the_api_is_json_without_internals(error_app):
    application, _ = error_app
    response = application.test_client().get("/api/crash")
    assert response.status_code == 500
    assert response.get_json()["error"]["title"] == "Something went wrong"
    assert SECRET not in response.text
    assert "RuntimeError" not in response.text


def test_a_crash_rolls_back_what_the_request_had_written(error_app):
    application, seen = error_app
    application.test_client().get("/crash")
    assert seen == [None]
    with application.app_context():
        assert db.session.scalar(select(Setting)) is None


def test_a_crash_is_logged_server_side_in_full(error_app, caplog):
    application, _ = error_app
    application.test_client().get("/crash")
    assert SECRET in caplog.text
    assert "RuntimeError" in caplog.text


def test_an_unknown_address_is_a_plain_404(client):
    assert_plain_page(client.get("/no-such-page"), 404)


def test_an_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["title"] == "Page not found"


def test_a_missing_capability_is_a_plain_403(client, login_as):
    login_as("SALES")
    assert_plain_page(client.get("/admin/users/"), 403)


def test_the_wrong_method_is_a_plain_405_that_names_the_allowed_ones(client):
    response = client.get("/auth/logout")
    assert_plain_page(response, 405)
    assert "POST" in response.headers["Allow"]


def test_a_body_over_the_size_limit_is_a_plain_413(make_app):
    small = make_app(MAX_CONTENT_LENGTH=2048).test_client()
    response = small.post_form("/auth/login", {"username": "x" * 5000, "password": "y"})
    assert_plain_page(response, 413)


def test_too_many_failed_sign_ins_is_a_plain_429(client, make_user):
    user = make_user("TECH")
    for _ in range(5):
        assert login(client, user.username, "Wrong-Password-1").status_code == 422
    assert_plain_page(login(client, user.username, user.password), 429)
