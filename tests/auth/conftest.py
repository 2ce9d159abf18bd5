"""Fixtures for sign-in tests: security events, the session cookie, two-factor."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select

from helpers import Account, Client
from jcicons import clock
from jcicons.audit.models import SecurityEvent
from jcicons.auth.models import User
from jcicons.auth.services import (
    begin_two_factor_enrolment,
    confirm_two_factor_enrolment,
)
from jcicons.extensions import db

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
TOTP_STEP = timedelta(seconds=30)


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
            return [
                {"username": r.username, "user_id": r.user_id, "detail": r.detail}
                for r in rows
            ]

    return read


@pytest.fixture
def new_log_lines(app: Flask) -> Callable[[], list[dict[str, Any]]]:
    """Return the security log lines written since the test started."""
    path = app.extensions["jcicons_security_log"]
    with open(path, encoding="utf-8") as log:
        start = len(log.read())

    def read() -> list[dict[str, Any]]:
        with open(path, encoding="utf-8") as log:
            text = log.read()[start:]
        return [json.loads(line) for line in text.splitlines() if line]

    return read


@pytest.fixture
def session_of(app: Flask) -> Callable[[Client], dict[str, Any]]:
    """Return the decoded Flask session a client's cookie carries."""

    def decode(client: Client) -> dict[str, Any]:
        cookie = client.get_cookie("jcicons")
        if cookie is None:
            return {}
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        return dict(serializer.loads(cookie.value))

    return decode


@pytest.fixture
def replay(app: Flask) -> Callable[[Client], Client]:
    """Copy a client's session cookie into a fresh client (a captured cookie)."""

    def copy(client: Client) -> Client:
        cookie = client.get_cookie("jcicons")
        assert cookie is not None
        thief: Client = app.test_client()  # type: ignore[assignment]
        thief.set_cookie("jcicons", cookie.value)
        return thief

    return copy


@pytest.fixture
def two_factor_user(
    app: Flask, make_user: Callable[..., Account]
) -> Callable[..., tuple[Account, str, list[str]]]:
    """Create a user with two-factor sign-in on, enrolled at T0 (clock frozen)."""

    def create(role: str = "SALES", **kwargs: Any) -> tuple[Account, str, list[str]]:
        account = make_user(role, **kwargs)
        clock.set_frozen(T0)
        with app.app_context():
            user = db.session.get(User, account.id)
            assert user is not None
            secret = begin_two_factor_enrolment(user)
            codes = confirm_two_factor_enrolment(user, pyotp.TOTP(secret).at(T0))
            db.session.commit()
        return account, secret, codes

    return create
