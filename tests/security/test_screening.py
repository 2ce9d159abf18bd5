"""Input screening: attack-shaped input is logged (never blocked), shop text is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from helpers import login
from jcicons.audit.models import SecurityEvent
from jcicons.extensions import db
from jcicons.security.screening import scan_fields, scan_value

HOSTILE = [
    ("' OR '1'='1", "sql"),
    ("1 UNION SELECT password FROM users", "sql"),
    ("'; DROP TABLE users; --", "sql"),
    ("admin'--", "sql"),
    ("' AND SLEEP(5)--", "sql"),
    ("' UNION ALL SELECT NULL,NULL--", "sql"),
    ("1; EXEC xp_cmdshell('dir')", "sql"),
    ("x'; UPDATE users SET role='ADMIN' WHERE '1'='1", "sql"),
    ("'; WAITFOR DELAY '0:0:5'", "sql"),
    ("1 AND 1=1 --", "sql"),
    ("<script>alert(1)</script>", "xss"),
    ("<img src=x onerror=alert(1)>", "xss"),
    ("javascript:alert(1)", "xss"),
    ("<svg onload=alert(document.cookie)>", "xss"),
    ("<iframe src=//evil.example>", "xss"),
    ("JaVaScRiPt:void(0)", "xss"),
]

ORDINARY = [
    "O'Reilly",
    "USB-C <5V>",
    "Select 3-way switch",
    "Dell Latitude 5420 i5/8GB/256GB",
    'Screen 15.6" FHD',
    "Tom & Jerry's Repair",
    "Drop-off 3pm",
    "Union Bank deposit",
    "SSD 1TB -- used",
    "Ink 664 (black) & (cyan)",
    "Clean fan; update BIOS",
    "Backup done; delete old partition",
    "Reinstall OS; create recovery USB",
    "Replaced LCD; insert new bezel clips",
    "Stuck in sleep (S3) after update",
    "Benchmark (Cinebench) score low",
    "Customer's 2nd unit -- rush",
    "Price <= 5000 and > 3000",
    "Order #1234 = paid",
    "Charger 19V/3.42A (Asus)",
    "Select from: black, silver",
]

PASSWORD_FIELDS = ["password", "current_password", "new_password", "confirm_password"]


def suspicious_events(app: Flask) -> list[SecurityEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(SecurityEvent)
                .where(SecurityEvent.event == "suspicious_input")
                .order_by(SecurityEvent.id)
            )
        )


def log_lines(app: Flask, response) -> list[str]:
    """Return the security log lines written while answering one response."""
    request_id = response.headers["X-Request-ID"]
    path = Path(app.extensions["jcicons_security_log"])
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if json.loads(line).get("request_id") == request_id
    ]


@pytest.mark.parametrize(("value", "family"), HOSTILE)
def test_attack_shaped_text_is_recognised(value, family):
    assert scan_value(value) == family


@pytest.mark.parametrize("value", ORDINARY)
def test_ordinary_shop_text_is_not_flagged(value):
    assert scan_value(value) is None


@pytest.mark.parametrize(
    "field", [*PASSWORD_FIELDS, "csrf_token", "admin_password", "SMTP_PASSWORD"]
)
def test_secret_fields_are_never_scanned(field):
    assert scan_fields([(field, "' OR '1'='1"), ("note", "fine")]) == []


def test_a_finding_names_the_field_and_family_with_a_short_fragment():
    (finding,) = scan_fields([("q", "<img src=x onerror=alert(1)>")])
    assert (finding.field, finding.family) == ("q", "xss")
    assert finding.fragment != "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize(("value", "family"), HOSTILE)
def test_a_hostile_query_is_logged_without_its_value_and_still_served(
    app, client, value, family
):
    response = client.get("/auth/login", query_string={"q": value})
    assert response.status_code == 200
    (event,) = suspicious_events(app)
    assert event.detail["field"] == "q"
    assert event.detail["family"] == family
    assert event.path == "/auth/login"
    assert value not in json.dumps(event.detail)
    lines = log_lines(app, response)
    assert any('"suspicious_input"' in line for line in lines)
    assert all(value not in line for line in lines)


@pytest.mark.parametrize("value", ORDINARY)
def test_an_ordinary_query_leaves_no_note(app, client, value):
    assert client.get("/auth/login", query_string={"q": value}).status_code == 200
    assert suspicious_events(app) == []


def test_a_hostile_form_field_is_logged_and_the_change_is_still_saved(
    app, client, login_as
):
    login_as("SALES")
    response = client.post_form("/account/", {"full_name": "<script>alert(1)</script>"})
    assert response.status_code == 302
    (event,) = suspicious_events(app)
    assert (event.detail["field"], event.detail["family"]) == ("full_name", "xss")
    page = client.get("/account/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_each_hostile_field_gets_its_own_event(app, client):
    client.get("/auth/login?q=' OR '1'='1&sort=javascript:alert(1)&page=2")
    found = {(e.detail["field"], e.detail["family"]) for e in suspicious_events(app)}
    assert found == {("q", "sql"), ("sort", "xss")}


def test_a_hostile_password_at_sign_in_is_neither_scanned_nor_logged(
    app, client, make_user
):
    user = make_user("SALES")
    response = login(client, user.username, "' OR '1'='1 --")
    assert response.status_code == 422
    assert suspicious_events(app) == []
    lines = log_lines(app, response)
    assert any('"login_failed"' in line for line in lines)
    assert all("OR '1'='1" not in line for line in lines)


@pytest.mark.parametrize(
    "name", ["passcode", "intake-passcode", "SMTP_PASSWORD", "reset_token", "secret"]
)
def test_fields_named_like_secrets_are_skipped_and_others_are_not(name):
    assert scan_fields([(name, "' OR 1=1 --")]) == []
    assert scan_fields([("problem", "' OR 1=1 --")]) != []


def test_hostile_new_passwords_are_not_scanned(app, client, login_as):
    login_as("TECH")
    hostile = "<script>alert(1)</script>Aa1"
    data = dict.fromkeys(
        ["current_password", "new_password", "confirm_password"], hostile
    )
    client.post_form("/account/password", data)
    assert suspicious_events(app) == []
