"""Helpers shared by the tests: outside services, the CSRF-aware client, sign-in."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

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


@dataclass
class Account:
    """A user made by a factory, with the password it can sign in with."""

    id: int
    username: str
    role: str
    password: str


def login(client: Client, username: str, password: str, **kwargs: Any) -> Any:
    """Sign in through the real form."""
    return client.post_form(
        "/auth/login", {"username": username, "password": password}, **kwargs
    )


def count_statements(client: FlaskClient, url: str) -> int:
    """Return how many SQL statements one successful GET of `url` runs."""
    from sqlalchemy import event

    from jcicons.extensions import db

    with client.application.app_context():
        engine = db.engine
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert response.status_code == 200, response.status_code
    return len(seen)
