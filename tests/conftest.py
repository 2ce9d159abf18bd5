"""Shared fixtures: the app, a CSRF-aware client, users and sign-in helpers.

The app is built once per test session on SQLite (or on PostgreSQL when
TEST_DATABASE_URL is set); every test starts with empty tables and empty rate-limit
counters. With JCICONS_REQUIRE_ALL=1 (CI's PostgreSQL run) a test that needs
PostgreSQL, Redis or Chromium fails instead of being skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete

from jcicons import clock, create_app
from jcicons.extensions import db, limiter

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
REQUIRE_ALL = os.environ.get("JCICONS_REQUIRE_ALL") == "1"
CHROMIUM = "/usr/bin/chromium"

STRONG_PASSWORD = "Sampaguita-Jeepney-42-Lumpia"


def skip_or_fail(reason: str) -> None:
    """Skip a test whose outside service is missing, or fail in CI's full run."""
    if REQUIRE_ALL:
        pytest.fail(f"required in this run: {reason}")
    pytest.skip(reason)


def needs_postgres() -> str:
    """Return the PostgreSQL URL, or skip (fail in CI) without one."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        skip_or_fail("TEST_DATABASE_URL does not point at PostgreSQL")
    return TEST_DATABASE_URL


def needs_redis() -> str:
    """Return the Redis URL, or skip (fail in CI) without one."""
    if not RATELIMIT_STORAGE_URI.startswith("redis"):
        skip_or_fail("RATELIMIT_STORAGE_URI does not point at Redis")
    return RATELIMIT_STORAGE_URI


def needs_chromium() -> str:
    """Return Chromium's path, or skip (fail in CI) without it."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} is not installed")
    return CHROMIUM


class Client(FlaskClient):
    """A test client that finds and sends the CSRF token by itself."""

    def csrf_token(self) -> str:
        """Return the CSRF token of the current session, from the page's meta tag."""
        response = self.get("/auth/login", follow_redirects=True)
        match = re.search(r'name="csrf-token" content="([^"]+)"', response.text)
        assert match, "no CSRF meta tag on the page"
        return match.group(1)

    def post_form(
        self, url: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        """POST a form with a valid CSRF token added."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=payload, **kwargs)

    def post_json(self, url: str, payload: Any, **kwargs: Any) -> Any:
        """POST JSON with the CSRF token in the X-CSRFToken header."""
        headers = {"X-CSRFToken": self.csrf_token(), **kwargs.pop("headers", {})}
        return self.post(url, json=payload, headers=headers, **kwargs)


def test_environ(base: Path) -> dict[str, str]:
    """Return the environment a test app is built from."""
    return {
        "JCICONS_ENV": "testing",
        "INSTANCE_PATH": str(base / "instance"),
        "LOG_DIR": str(base / "logs"),
        "RATELIMIT_STORAGE_URI": RATELIMIT_STORAGE_URI,
        "DATABASE_URL": TEST_DATABASE_URL or f"sqlite:///{base / 'test.db'}",
    }


@pytest.fixture(scope="session")
def app_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the test session's database, instance and logs."""
    return tmp_path_factory.mktemp("jcicons")


@pytest.fixture(scope="session")
def app(app_base: Path) -> Iterator[Flask]:
    """The application under test, with its tables created once."""
    application = create_app(environ=test_environ(app_base))
    application.test_client_class = Client
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(app_base: Path, app: Flask) -> Callable[..., Flask]:
    """Build another app on the same database with other settings."""

    def build(environ: dict[str, str] | None = None, **overrides: Any) -> Flask:
        env = {**test_environ(app_base), **(environ or {})}
        other = create_app(overrides=overrides, environ=env)
        other.test_client_class = Client
        return other

    return build


def _empty_tables(application: Flask) -> None:
    with application.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        limiter.reset()


@pytest.fixture(autouse=True)
def _clean_state(app: Flask) -> Iterator[None]:
    clock.set_frozen(None)
    _empty_tables(app)
    yield
    clock.set_frozen(None)
    _empty_tables(app)


@pytest.fixture
def client(app: Flask) -> Client:
    """A test client with its own cookie jar."""
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def runner(app: Flask) -> Any:
    """A runner for the `jcicons` commands."""
    return app.test_cli_runner()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An application context for service tests (no requests inside it)."""
    with app.app_context():
        yield app
        db.session.rollback()


@dataclass
class Account:
    """A user made by a factory, with the password it can sign in with."""

    id: int
    username: str
    role: str
    password: str


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Account]:
    """Create a user in its own transaction and return its sign-in details."""
    counter = {"n": 0}

    def create(
        role: str = "SALES",
        username: str | None = None,
        password: str = STRONG_PASSWORD,
        full_name: str = "",
        active: bool = True,
        must_change: bool = False,
        email: str | None = None,
    ) -> Account:
        from jcicons.users.services import create_user

        counter["n"] += 1
        name = username or f"{role.lower()}{counter['n']}"
        with app.app_context():
            user, _ = create_user(
                name, full_name or name.title(), email, role, None, password
            )
            user.is_active = active
            user.must_change_password = must_change
            db.session.commit()
            return Account(user.id, user.username, user.role, password)

    return create


def login(client: Client, username: str, password: str, **kwargs: Any) -> Any:
    """Sign in through the real form."""
    return client.post_form(
        "/auth/login", {"username": username, "password": password}, **kwargs
    )


@pytest.fixture
def login_as(
    client: Client, make_user: Callable[..., Account]
) -> Callable[..., Account]:
    """Create a user of a role and sign the client in as them."""

    def sign_in(role: str = "SALES", **kwargs: Any) -> Account:
        account = make_user(role, **kwargs)
        response = login(client, account.username, account.password)
        assert response.status_code == 302, response.text
        return account

    return sign_in
