"""The security events page: failed logins, lockouts, denials, suspicious input."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from helpers import login
from jcicons.audit.models import SecurityEvent
from jcicons.extensions import db


def rows(page: str) -> list[str]:
    """Return the table rows of the page as plain text, one string each."""
    body = re.search(r"<tbody>(.*)</tbody>", page, re.S)
    if body is None:
        return []
    found = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in found]


@pytest.fixture
def stranger(app):
    """A second browser, at the sign-in page."""
    return app.test_client()


@pytest.mark.parametrize("role", ["SALES", "TECH"])
def test_sales_and_tech_are_refused_and_the_refusal_is_recorded(
    client, login_as, app, role
):
    login_as(role, username="juan")

    response = client.get("/admin/security")

    assert response.status_code == 403
    assert "Not allowed" in response.text
    with app.app_context():
        [denial] = db.session.scalars(select(SecurityEvent)).all()
    assert (denial.event, denial.username, denial.path) == (
        "permission_denied",
        "juan",
        "/admin/security",
    )
    assert denial.detail == {"capability": "audit.view"}


def test_failed_login_is_listed_with_user_address_and_reason(
    client, login_as, stranger
):
    login(stranger, "ghost", "Wrong-Password-1")
    login_as("ADMIN")

    page = client.get("/admin/security").text

    [row] = rows(page)
    assert "login failed ghost 127.0.0.1 /auth/login reason: unknown_user" in row
    assert "1 in all" in page


def test_lockout_permission_denial_and_suspicious_input_are_listed(
    client, login_as, make_user, stranger
):
    clerk = make_user("SALES", username="ana")
    for _ in range(6):
        login(stranger, "pedro", "Wrong-Password-1")
    login(stranger, clerk.username, clerk.password)
    stranger.get("/admin/users/")
    stranger.get("/?q=' OR 1=1 --")
    login_as("ADMIN")

    listed = rows(client.get("/admin/security").text)

    def shown(text: str) -> int:
        return sum(text in row for row in listed)

    assert shown("login failed pedro 127.0.0.1 /auth/login") == 5
    assert shown("login locked pedro") == 1
    assert shown("permission denied ana 127.0.0.1 /admin/users/") == 1
    assert shown("capability: users.manage") == 1
    assert shown("suspicious input ana") == 1
    assert shown("field: q; family: sql") == 1


@pytest.mark.parametrize(
    ("kind", "count"),
    [("login_failed", 2), ("login_locked", 1), ("suspicious_input", 1), ("", 4)],
)
def test_events_can_be_filtered_by_kind(app, client, login_as, kind, count):
    at = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    with app.app_context():
        for event in (
            "login_failed",
            "login_failed",
            "login_locked",
            "suspicious_input",
        ):
            db.session.add(SecurityEvent(event=event, created_at=at, username="x"))
        db.session.commit()
    login_as("ADMIN")

    page = client.get(f"/admin/security?event={kind}").text

    listed = rows(page)
    assert len(listed) == count
    assert all(kind.replace("_", " ") in row for row in listed)
    assert f"{count} in all" in page


def test_newest_events_come_first_in_shop_time(app, client, login_as):
    with app.app_context():
        for hour, name in ((1, "older"), (3, "newer")):
            db.session.add(
                SecurityEvent(
                    event="login_failed",
                    username=name,
                    created_at=datetime(2026, 3, 10, hour, 0, tzinfo=UTC),
                )
            )
        db.session.commit()
    login_as("ADMIN")

    listed = rows(client.get("/admin/security?event=login_failed").text)

    assert listed[0].startswith("2026-03-10 11:00:00 login failed newer")
    assert listed[1].startswith("2026-03-10 09:00:00 login failed older")


def test_hostile_usernames_are_shown_escaped(client, login_as, stranger):
    login(stranger, "<script>alert(1)</script>", "Wrong-Password-1")
    login_as("ADMIN")

    page = client.get("/admin/security?event=login_failed").text

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_empty_log_says_so(client, login_as):
    login_as("ADMIN")
    page = client.get("/admin/security?event=login_locked").text
    assert "No security events of this kind." in page
