"""Shared fixtures: the app, a CSRF-aware client, users and sign-in helpers.

The app is built once per test session on SQLite (or on PostgreSQL when
TEST_DATABASE_URL is set); every test starts with empty tables and empty rate-limit
counters. With JCICONS_REQUIRE_ALL=1 (CI's PostgreSQL run) a test that needs
PostgreSQL, Redis or Chromium fails instead of being skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import delete

from helpers import (
    RATELIMIT_STORAGE_URI,
    STRONG_PASSWORD,
    TEST_DATABASE_URL,
    Account,
    Client,
    login,
)
from jcicons import clock, create_app
from jcicons.auth.models import User
from jcicons.extensions import db, limiter
from jcicons.mail.services import save_smtp_settings
from mail.smtp_helpers import SENDER, SmtpServer, authenticate, free_port


def app_environ(base: Path) -> dict[str, str]:
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
    application = create_app(environ=app_environ(app_base))
    application.test_client_class = Client
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(app_base: Path, app: Flask) -> Iterator[Callable[..., Flask]]:
    """Build another app on the same database with other settings."""
    built: list[Flask] = []

    def build(environ: dict[str, str] | None = None, **overrides: Any) -> Flask:
        env = {**app_environ(app_base), **(environ or {})}
        other = create_app(overrides=overrides, environ=env)
        other.test_client_class = Client
        built.append(other)
        return other

    yield build
    # Close each app's pool: a PostgreSQL connection left to the garbage collector
    # raises a ResourceWarning, which fails whichever test is running then.
    for other in built:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


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


# A real SMTP server on a free local port (aiosmtpd), and saved mail settings.


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Run an SMTP server that keeps what it receives, for one test."""
    server = SmtpServer("127.0.0.1", free_port())
    controller = Controller(
        server,
        hostname=server.host,
        port=server.port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield server
    controller.stop()


@pytest.fixture
def save_smtp(app, make_user) -> Callable[..., None]:
    """Save mail settings (security none, no sign-in unless given) as an ADMIN."""
    admin = make_user("ADMIN", username="owner")

    def save(port: int, password: str = "", **values: Any) -> None:
        settings = {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "SMTP_SECURITY": "none",
            "SMTP_USERNAME": "",
            "SMTP_SENDER_NAME": "JC Icons Cubao",
            "SMTP_SENDER_ADDRESS": SENDER,
            **values,
        }
        with app.app_context():
            save_smtp_settings(
                settings, db.session.get(User, admin.id), new_password=password
            )
            db.session.commit()

    return save
