"""Security headers, cookie flags, inline-free pages and the trusted-proxy rule."""

from __future__ import annotations

import re
import secrets
from html.parser import HTMLParser

import pytest
from flask import Flask
from sqlalchemy import select

from helpers import login
from jcicons.audit.models import SecurityEvent
from jcicons.extensions import db
from jcicons.security.capabilities import ACCESS_ATTRIBUTE, PUBLIC, role_can
from jcicons.settings.services import get_toggles

ANONYMOUS_URLS = ["/auth/login", "/", "/no-such-page", "/health", "/static/css/app.css"]
SIGNED_IN_URLS = ["/", "/account/", "/account/sessions", "/admin/settings"]
FORWARDED = {"X-Forwarded-For": "203.0.113.9"}


def production_app(make_app) -> Flask:
    """Build the production profile on the test database."""
    return make_app(
        {
            "JCICONS_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "PASSWORD_HASH_ITERATIONS": "1000",
        }
    )


def csp(response) -> dict[str, list[str]]:
    """Return the Content-Security-Policy as directive -> sources."""
    policy = response.headers["Content-Security-Policy"]
    directives = [part.split() for part in policy.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def assert_security_headers(response) -> None:
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    raw = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in raw
    assert "unsafe-eval" not in raw
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The default, or stricter on a page whose address holds a secret (/status/t/).
    assert response.headers["Referrer-Policy"] in {
        "strict-origin-when-cross-origin",
        "no-referrer",
    }
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert not re.search(r"\d", response.headers["Server"])
    assert "werkzeug" not in response.headers["Server"].lower()


@pytest.mark.parametrize("url", ANONYMOUS_URLS)
def test_every_anonymous_response_carries_the_security_headers(client, url):
    with client.get(url) as response:  # closing releases a static file
        assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("url", SIGNED_IN_URLS)
def test_every_signed_in_page_carries_the_headers_and_is_never_cached(
    client, login_as, url
):
    login_as("ADMIN")
    response = client.get(url)
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_an_error_page_carries_the_security_headers(client, login_as):
    login_as("TECH")
    response = client.get("/admin/users/")
    assert response.status_code == 403
    assert_security_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("url", ["/auth/login", "/health", "/static/js/app.js"])
def test_production_adds_hsts_of_at_least_a_year(make_app, url):
    client = production_app(make_app).test_client()
    with client.get(url, base_url="https://localhost") as response:
        hsts = response.headers["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 31_536_000
    assert "includeSubDomains" in hsts
    assert_security_headers(response)


class _PageAudit(HTMLParser):
    """Collect inline code and the page's script and stylesheet addresses."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            self.inline.append("<script> without src")
        if tag == "style":
            self.inline.append("<style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"{name}= on <{tag}>")
            if name in {"href", "src"} and (value or "").startswith("javascript:"):
                self.inline.append(f"javascript: URL on <{tag}>")
        if tag == "script" and values.get("src"):
            self.assets.append(values["src"] or "")
        if tag == "link" and values.get("rel") == "stylesheet":
            self.assets.append(values.get("href") or "")


def audit_page(html: str) -> _PageAudit:
    parser = _PageAudit()
    parser.feed(html)
    return parser


def reachable_pages(app: Flask, role: str, user_id: int) -> list[str]:
    """Return every argument-free (or user-id) GET page the role may open."""
    with app.app_context():
        toggles = get_toggles()
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTRIBUTE, None)
        if access is None or "GET" not in (rule.methods or set()):
            continue
        if access == PUBLIC or role_can(role, access, toggles):
            values = dict.fromkeys(rule.arguments, user_id)
            urls.append(adapter.build(rule.endpoint, values, "GET"))
    return urls


@pytest.mark.parametrize("role", ["ADMIN", "SALES", "TECH"])
def test_no_page_a_role_can_open_holds_inline_script_or_style(
    app, client, login_as, role
):
    account = login_as(role)
    found = {}
    for url in reachable_pages(app, role, account.id):
        with client.get(url, follow_redirects=True) as response:
            if response.mimetype == "text/html":
                found[url] = audit_page(response.text).inline
    assert len(found) >= 5
    assert {url: inline for url, inline in found.items() if inline} == {}


@pytest.mark.parametrize("role", ["ADMIN", "SALES", "TECH"])
def test_every_page_a_role_can_open_has_the_headers_and_is_never_cached(
    app, client, login_as, role
):
    account = login_as(role)
    for url in reachable_pages(app, role, account.id):
        with client.get(url) as response:
            assert_security_headers(response)
            assert "no-store" in response.headers.get("Cache-Control", ""), url


@pytest.mark.parametrize("url", ["/auth/login", "/no-such-page"])
def test_anonymous_pages_hold_no_inline_script_or_style(client, url):
    assert audit_page(client.get(url).text).inline == []


def test_the_one_time_password_page_holds_no_inline_script_or_style(
    client, login_as, make_user
):
    login_as("ADMIN")
    tech = make_user("TECH")
    response = client.post_form(f"/admin/users/{tech.id}/reset-password")
    assert "one-time" in response.text.lower()
    assert audit_page(response.text).inline == []


def test_bootstrap_and_the_app_assets_are_served_by_the_app(client):
    assets = audit_page(client.get("/auth/login").text).assets
    assert all(url.startswith("/") and not url.startswith("//") for url in assets)
    assert any(url.startswith("/assets/bootstrap.min.css?v=") for url in assets)
    assert any(url.startswith("/bootstrap/static/") for url in assets)
    for url in assets:
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert len(response.data) > 100
            assert_security_headers(response)


def session_cookie(response, name: str) -> str:
    (cookie,) = [
        c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")
    ]
    return cookie


def test_the_session_cookie_is_http_only_and_same_site_lax(client, make_user):
    user = make_user("SALES")
    cookie = session_cookie(login(client, user.username, user.password), "jcicons")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_sets_a_secure_host_only_session_cookie(make_app, make_user):
    user = make_user("SALES")
    client = production_app(make_app).test_client()
    page = client.get("/auth/login", base_url="https://localhost")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    response = client.post(
        "/auth/login",
        data={
            "username": user.username,
            "password": user.password,
            "csrf_token": token,
        },
        base_url="https://localhost",
        headers={"Referer": "https://localhost/auth/login"},
    )
    assert response.status_code == 302
    cookie = session_cookie(response, "__Host-jcicons")
    attributes = [part.strip() for part in cookie.split(";")]
    assert {"Secure", "HttpOnly", "Path=/", "SameSite=Lax"} <= set(attributes)
    assert not any(part.lower().startswith("domain=") for part in attributes)


def failed_login_ip(application: Flask) -> str | None:
    client = application.test_client()
    login(client, "nobody_here", "Wrong-Password-1", headers=FORWARDED)
    with application.app_context():
        return db.session.scalar(
            select(SecurityEvent.ip).where(SecurityEvent.event == "login_failed")
        )


def test_a_forwarded_address_is_ignored_without_trusted_proxies(app):
    assert failed_login_ip(app) == "127.0.0.1"


def test_the_forwarded_address_is_used_behind_one_trusted_proxy(make_app):
    assert failed_login_ip(make_app({"TRUSTED_PROXIES": "1"})) == "203.0.113.9"


def test_bootstrap_sheet_names_no_data_image_and_is_cached_by_version(client):
    assets = audit_page(client.get("/auth/login").text).assets
    (sheet,) = [url for url in assets if url.startswith("/assets/bootstrap.min.css")]
    with client.get(sheet) as response:
        css = response.text
        assert response.mimetype == "text/css"
        assert "immutable" in response.headers["Cache-Control"]
    assert ".form-check-input" in css
    assert "data:" not in css
    etag = sheet.split("v=")[1]
    with client.get(
        "/assets/bootstrap.min.css", headers={"If-None-Match": etag}
    ) as again:
        assert again.status_code == 304
        assert "immutable" not in again.headers.get("Cache-Control", "")
