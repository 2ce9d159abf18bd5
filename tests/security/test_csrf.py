"""CSRF protection on every state-changing route in `app.url_map`, forms and JSON."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpers import login
from jcicons.audit.models import SecurityEvent
from jcicons.extensions import db

CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
RELOAD_TEXT = "reload the page"


def changing_routes(app: Flask) -> list[tuple[str, str]]:
    """Return (method, url) for every state-changing rule, ints filled in with 1."""
    adapter = app.url_map.bind("localhost")
    return [
        (method, adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, 1), method))
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) & CHANGING_METHODS)
    ]


def csrf_events(app: Flask, path: str | None = None) -> int:
    query = select(func.count()).where(SecurityEvent.event == "csrf_failed")
    if path is not None:
        query = query.where(SecurityEvent.path == path)
    with app.app_context():
        return int(db.session.scalar(query) or 0)


def is_csrf_refusal(response) -> bool:
    return response.status_code == 400 and RELOAD_TEXT in response.text.lower()


def bad_token(kind: str, app: Flask) -> dict[str, str]:
    """Return the form data that carries a missing or wrong token."""
    if kind == "missing":
        return {}
    if kind == "garbage":
        return {"csrf_token": "not-a-real-token"}
    return {"csrf_token": app.test_client().csrf_token()}  # another session's


def test_the_app_has_state_changing_routes_to_protect(app):
    assert ("POST", "/auth/login") in changing_routes(app)
    assert ("POST", "/admin/users/1/deactivate") in changing_routes(app)


@pytest.mark.parametrize("kind", ["missing", "garbage", "another-session"])
def test_every_change_without_a_valid_token_is_refused_and_logged(
    app, client, login_as, kind
):
    login_as("ADMIN")
    problems = []
    for method, url in changing_routes(app):
        response = client.open(url, method=method, data=bad_token(kind, app))
        if not is_csrf_refusal(response):
            problems.append(f"{method} {url}: {response.status_code}")
        elif csrf_events(app, urlsplit(url).path) != 1:
            problems.append(f"{method} {url}: no csrf_failed event")
    assert problems == []


def test_every_change_with_a_valid_token_passes_the_csrf_check(app, make_user):
    make_user("TECH", username="target")  # id 1 on SQLite: the subject of /<id>/ URLs
    admin = make_user("ADMIN")
    refused = []
    for method, url in changing_routes(app):
        client = app.test_client()  # a fresh session: a change may end the last one
        login(client, admin.username, admin.password)
        response = client.open(
            url, method=method, data={"csrf_token": client.csrf_token()}
        )
        if is_csrf_refusal(response):
            refused.append(f"{method} {url}")
    assert refused == []
    assert csrf_events(app) == 0


def test_the_refusal_page_explains_what_to_do(client, login_as):
    login_as("SALES")
    response = client.post("/account/", data={"full_name": "Ana Reyes"})
    assert response.status_code == 400
    assert "Reload the page and send it again." in response.text
    assert "CSRF" not in response.text
    request_id = response.headers["X-Request-ID"]
    assert request_id
    assert f'data-testid="request-id">{request_id}<' in response.text


def test_a_sign_in_without_a_token_is_refused_before_the_password_is_checked(
    app, client, make_user
):
    user = make_user("SALES")
    response = client.post(
        "/auth/login", data={"username": user.username, "password": user.password}
    )
    assert is_csrf_refusal(response)
    assert client.get("/").status_code == 302
    assert csrf_events(app, "/auth/login") == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-CSRFToken": "not-a-real-token"}],
    ids=["no-header", "wrong-header"],
)
def test_a_json_request_without_a_valid_header_token_is_refused(
    app, client, login_as, headers
):
    login_as("SALES")
    response = client.post(
        "/account/password-check",
        json={"password": "Tinola-Kalamansi-88"},
        headers=headers,
    )
    assert is_csrf_refusal(response)
    assert csrf_events(app, "/account/password-check") == 1


def test_a_json_request_with_the_header_token_is_answered(app, client, login_as):
    login_as("SALES")
    response = client.post_json(
        "/account/password-check", {"password": "Tinola-Kalamansi-88"}
    )
    assert response.status_code == 200
    assert set(response.get_json()) >= {"ok", "score", "problems"}
    assert csrf_events(app) == 0
