"""Fixtures for one's own account pages: other browsers and stored events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from helpers import Account, Client, login
from jcicons.audit.models import SecurityEvent
from jcicons.extensions import db


@pytest.fixture
def browser(app: Flask) -> Callable[..., Client]:
    """Open another browser, signed in as `account` when one is given."""

    def open_browser(account: Account | None = None, agent: str = "") -> Client:
        other: Client = app.test_client()  # type: ignore[assignment]
        if agent:
            other.environ_base["HTTP_USER_AGENT"] = agent
        if account is not None:
            response = login(other, account.username, account.password)
            assert response.status_code == 302
        return other

    return open_browser


@pytest.fixture
def stored_events(app: Flask) -> Callable[[str], list[dict[str, Any]]]:
    """Return the security events of one kind stored in the table, oldest first."""

    def read(event: str) -> list[dict[str, Any]]:
        with app.app_context():
            rows = db.session.scalars(
                select(SecurityEvent)
                .where(SecurityEvent.event == event)
                .order_by(SecurityEvent.id)
            )
            return [{"username": r.username, "detail": r.detail} for r in rows]

    return read


def is_signed_out(client: Client) -> bool:
    """Return True when the client's next page is the sign-in page."""
    response = client.get("/")
    location = response.headers.get("Location", "")
    return response.status_code == 302 and location.startswith("/auth/login")


@pytest.fixture
def signed_out() -> Callable[[Client], bool]:
    """Tell whether a client has been signed out."""
    return is_signed_out
