"""The security log: JSON lines with fixed fields, no secrets, private files, and the
failed-login spike alert."""

from __future__ import annotations

import json
import logging
import logging.handlers
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

from helpers import STRONG_PASSWORD, login
from jcicons import clock
from jcicons.audit.models import SecurityEvent
from jcicons.audit.security_log import (
    PrivateRotatingFileHandler,
    record_security_event,
)
from jcicons.auth.models import User
from jcicons.auth.services import (
    begin_two_factor_enrolment,
    confirm_two_factor_enrolment,
)
from jcicons.extensions import db

FIELDS = [
    "time",
    "event",
    "username",
    "user_id",
    "ip",
    "method",
    "path",
    "request_id",
    "detail",
]
FROZEN = datetime(2031, 5, 6, 1, 15, tzinfo=UTC)


def security_handler() -> logging.handlers.RotatingFileHandler:
    for handler in logging.getLogger("jcicons.security").handlers:
        if getattr(handler, "_jcicons", False):
            assert isinstance(handler, logging.handlers.RotatingFileHandler)
            return handler
    raise AssertionError("the security log has no file handler")


@pytest.fixture
def log_file(app) -> Path:
    """The security log the app writes to."""
    return Path(security_handler().baseFilename)


@pytest.fixture
def new_lines(log_file: Path) -> Callable[[], list[str]]:
    """Read the lines written to the security log since the test began."""
    start = log_file.stat().st_size

    def read() -> list[str]:
        with log_file.open(encoding="utf-8") as handle:
            handle.seek(start)
            return handle.read().splitlines()

    return read


def events(lines: list[str]) -> list[dict]:
    return [json.loads(line) for line in lines]


def count_stored(app, event: str) -> int:
    with app.app_context():
        return int(
            db.session.scalar(
                select(func.count())
                .select_from(SecurityEvent)
                .where(SecurityEvent.event == event)
            )
            or 0
        )


def test_a_failed_login_writes_one_line_with_every_field(client, make_user, new_lines):
    account = make_user("SALES")
    clock.set_frozen(FROZEN)
    response = login(client, account.username, "Not-The-Password-55")
    (line,) = events(new_lines())
    assert list(line) == FIELDS
    assert line["time"] == "2031-05-06T01:15:00+00:00"
    assert (line["event"], line["username"]) == ("login_failed", account.username)
    assert (line["user_id"], line["ip"]) == (account.id, "127.0.0.1")
    assert (line["method"], line["path"]) == ("POST", "/auth/login")
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["detail"] == {"reason": "wrong_password"}


def test_a_permission_denial_is_logged_with_the_user(client, login_as, new_lines):
    account = login_as("SALES")
    assert client.get("/admin/users/").status_code == 403
    denied = [e for e in events(new_lines()) if e["event"] == "permission_denied"]
    assert len(denied) == 1
    assert (denied[0]["username"], denied[0]["user_id"]) == (
        account.username,
        account.id,
    )
    assert denied[0]["detail"] == {"capability": "users.manage"}


def test_suspicious_input_is_logged_with_the_field(client, new_lines):
    client.get("/auth/login", query_string={"q": "<script>alert(1)</script>"})
    (line,) = [e for e in events(new_lines()) if e["event"] == "suspicious_input"]
    assert line["detail"]["field"] == "q"
    assert line["detail"]["family"] == "xss"
    assert line["username"] is None


def enable_two_factor(app, user_id: int) -> str:
    """Switch on two-factor sign-in for a user; return the TOTP secret."""
    with app.app_context():
        user = db.session.get(User, user_id)
        secret = begin_two_factor_enrolment(user)
        confirm_two_factor_enrolment(
            user, pyotp.TOTP(secret).at(FROZEN, counter_offset=-1)
        )
        db.session.commit()
    return secret


def test_no_secret_ever_reaches_the_log(app, client, make_user, log_file, new_lines):
    account = make_user("SALES", password=STRONG_PASSWORD)
    clock.set_frozen(FROZEN)
    totp = pyotp.TOTP(enable_two_factor(app, account.id))
    good_code = totp.at(FROZEN)
    valid = {totp.at(FROZEN, counter_offset=step) for step in (-1, 0, 1)}
    wrong_code = next(c for c in ("246813", "975310", "112358") if c not in valid)
    guessed = "Guessed-Wrongly-Kalamansi-7781"
    new_password = "Bagong-Password-Adobo-2468"

    login(client, account.username, guessed)
    login(client, account.username, STRONG_PASSWORD)
    client.post_form("/auth/two-factor", {"code": wrong_code})
    assert client.post_form("/auth/two-factor", {"code": good_code}).status_code == 302
    changed = client.post_form(
        "/account/password",
        {
            "current_password": STRONG_PASSWORD,
            "new_password": new_password,
            "confirm_password": new_password,
        },
    )
    assert changed.status_code == 302
    with client.session_transaction() as session:
        session_token = session["sid"]
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    secrets = [guessed, STRONG_PASSWORD, new_password, session_token, cookie]
    secrets.append(client.csrf_token())

    text = log_file.read_text(encoding="utf-8")
    assert [secret for secret in secrets if secret in text] == []
    written = "\n".join(new_lines())
    assert {"login_failed", "two_factor_failed", "password_changed"} <= {
        line["event"] for line in events(new_lines())
    }
    assert [code for code in (good_code, wrong_code) if code in written] == []


def test_cr_lf_in_a_username_cannot_forge_a_line(app, new_lines):
    forged = 'mallory\r\n{"event": "login_succeeded", "username": "admin"}\n'
    with app.test_request_context("/auth/login", method="POST"):
        record_security_event("login_failed", username=forged)
    lines = new_lines()
    assert len(lines) == 1
    assert events(lines)[0]["username"] == forged


def test_cr_lf_through_the_web_cannot_forge_a_line(app, client, new_lines):
    forged = 'q\r\n{"event": "login_succeeded", "username": "admin"}'
    login(client, f"mallory{forged}", "whatever-it-is")
    client.get("/auth/login", query_string={forged: "<script>alert(1)</script>"})
    lines = events(new_lines())
    stored = count_stored(app, "login_failed") + count_stored(app, "suspicious_input")
    assert len(lines) == stored == 2
    assert [line["event"] for line in lines] == ["login_failed", "suspicious_input"]
    assert lines[1]["detail"]["field"] == forged


def test_log_file_and_folder_are_private(log_file):
    assert stat.S_IMODE(log_file.stat().st_mode) & ~0o640 == 0
    assert stat.S_IMODE(log_file.parent.stat().st_mode) & ~0o750 == 0


def test_log_rotates_by_size():
    handler = security_handler()
    assert handler.maxBytes > 0
    assert handler.backupCount > 0


def test_rotated_files_stay_private(tmp_path):
    handler = PrivateRotatingFileHandler(
        tmp_path / "security.log", maxBytes=100, backupCount=2, encoding="utf-8"
    )
    for number in range(5):
        handler.emit(logging.makeLogRecord({"msg": f"line {number} " + "x" * 60}))
    handler.close()
    files = sorted(tmp_path.iterdir())
    assert [path.name for path in files] == [
        "security.log",
        "security.log.1",
        "security.log.2",
    ]
    assert [stat.S_IMODE(path.stat().st_mode) for path in files] == [0o640] * 3


def fail_logins(client, count: int) -> None:
    for number in range(count):
        login(client, f"guess{number}", "Wrong-Password-123")


@pytest.mark.parametrize(("failures", "alerts"), [(10, 0), (11, 1), (14, 1)])
def test_failed_login_spike_stores_one_alert_above_ten(
    app, client, failures, alerts, new_lines
):
    fail_logins(client, failures)
    assert count_stored(app, "login_failed") == failures
    assert count_stored(app, "failed_login_spike") == alerts
    spikes = [e for e in events(new_lines()) if e["event"] == "failed_login_spike"]
    assert len(spikes) == alerts


def test_failures_older_than_five_minutes_do_not_count(app, client):
    clock.set_frozen(FROZEN)
    fail_logins(client, 6)
    clock.set_frozen(FROZEN + timedelta(minutes=5, seconds=1))
    fail_logins(client, 6)
    assert count_stored(app, "failed_login_spike") == 0


@pytest.mark.parametrize(("failures", "shown"), [(10, False), (11, True)])
def test_admin_dashboard_shows_the_spike_alert(app, make_user, failures, shown):
    fail_logins(app.test_client(), failures)
    admin = make_user("ADMIN")
    client = app.test_client()
    login(client, admin.username, admin.password)
    page = client.get("/")
    assert page.status_code == 200
    assert ('data-testid="spike-alert"' in page.text) is shown
    assert (f"{failures} failed sign-ins in the last 5 minutes" in page.text) is shown
