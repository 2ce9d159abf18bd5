"""The e-mail settings page, the test button and the e-mail log page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from jcicons.audit.models import AuditEvent
from jcicons.extensions import db
from jcicons.mail.models import EmailLog
from jcicons.mail.views import PER_PAGE
from jcicons.settings.models import Setting
from jcicons.settings.services import get_settings
from mail.smtp_helpers import SMTP_PASS, SMTP_USER, free_port

HOSTILE_PASSWORD = "<script>alert(1)</script>' OR '1'='1"


def smtp_form(**changes: str) -> dict[str, str]:
    """Return the e-mail settings form as a browser sends it."""
    return {
        "SMTP_HOST": "smtp.gmail.com",
        "SMTP_PORT": "587",
        "SMTP_SECURITY": "starttls",
        "SMTP_USERNAME": SMTP_USER,
        "SMTP_PASSWORD": "",
        "SMTP_SENDER_NAME": "JC Icons",
        "SMTP_SENDER_ADDRESS": "shop@jcicons.ph",
        **changes,
    }


def stored(app) -> dict:
    with app.app_context():
        return get_settings()


def audit_text(app) -> str:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent))
        return " ".join(f"{row.before} {row.after}" for row in rows)


def log_row_cells(html: str) -> list[list[str]]:
    """Return the text of each e-mail log row's cells."""
    rows = re.findall(r'<tr data-testid="email-row">(.*?)</tr>', html, re.S)
    return [[text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in rows]  # fmt: skip


def text_of(cell: str) -> str:
    return re.sub(r"<[^>]+>", "", cell).strip()


def add_log_rows(app, count: int, start: datetime, **values) -> None:
    with app.app_context():
        for n in range(count):
            row = {
                "recipient": f"customer{n}@gmail.com",
                "subject": f"Message {n}",
                "kind": "repair_ready",
                "status": "SENT",
                "actor_username": "system",
                **values,
            }
            db.session.add(EmailLog(created_at=start + timedelta(minutes=n), **row))
        db.session.commit()


@pytest.mark.parametrize("role", ["SALES", "TECH"])
@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/admin/email"), ("POST", "/admin/email"), ("GET", "/admin/email/log"),
     ("POST", "/admin/email/test")],
)  # fmt: skip
def test_only_admins_reach_the_email_pages(app, client, login_as, role, method, url):
    login_as(role)

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post_form(url, smtp_form(recipient="x@jcicons.ph"))

    assert response.status_code == 403
    assert stored(app)["SMTP_HOST"] == ""


def test_saving_stores_the_settings_with_the_password_encrypted(app, client, login_as):
    login_as("ADMIN", username="boss")

    response = client.post_form(
        "/admin/email", smtp_form(SMTP_PASSWORD=SMTP_PASS), follow_redirects=True
    )

    assert "E-mail settings saved." in response.text
    assert "A password is stored." in response.text
    values = stored(app)
    assert (values["SMTP_HOST"], values["SMTP_PORT"], values["SMTP_SECURITY"]) == (
        "smtp.gmail.com", 587, "starttls",
    )  # fmt: skip
    with app.app_context():
        assert SMTP_PASS not in db.session.get(Setting, "SMTP_PASSWORD").value
    assert SMTP_PASS not in response.text
    assert SMTP_PASS not in audit_text(app)
    assert "(new value)" in audit_text(app)


def test_the_password_never_comes_back_in_the_page(app, client, login_as):
    login_as("ADMIN")
    client.post_form("/admin/email", smtp_form(SMTP_PASSWORD=SMTP_PASS))

    page = client.get("/admin/email").text
    invalid = client.post_form(
        "/admin/email", smtp_form(SMTP_PASSWORD=SMTP_PASS, SMTP_PORT="0")
    )

    assert SMTP_PASS not in page
    assert invalid.status_code == 422
    assert SMTP_PASS not in invalid.text


def test_a_hostile_password_is_neither_screened_nor_logged(app, client, login_as):
    login_as("ADMIN")
    log = Path(app.extensions["jcicons_security_log"])
    before = log.read_text()

    client.post_form("/admin/email", smtp_form(SMTP_PASSWORD=HOSTILE_PASSWORD))

    written = log.read_text()[len(before) :]
    assert "settings_changed" in written
    assert "suspicious_input" not in written
    assert "OR '1'" not in written


def test_a_blank_password_keeps_it_and_the_box_removes_it(app, client, login_as):
    login_as("ADMIN")
    client.post_form("/admin/email", smtp_form(SMTP_PASSWORD=SMTP_PASS))

    kept = client.post_form("/admin/email", smtp_form(), follow_redirects=True)
    cleared = client.post_form(
        "/admin/email", smtp_form(clear_password="y"), follow_redirects=True
    )

    assert "Nothing changed." in kept.text
    assert "No password is stored." in cleared.text
    assert stored(app)["SMTP_PASSWORD"] == ""


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SMTP_PORT": "70000"}, "Enter the port, a number from 1 to 65535"),
        ({"SMTP_PORT": ""}, "Enter the port, a number from 1 to 65535"),
        ({"SMTP_HOST": "http://smtp.gmail.com"}, "without http:// or a port"),
        ({"SMTP_SENDER_ADDRESS": "shop at jcicons"}, "Enter a valid e-mail address"),
        ({"SMTP_SENDER_ADDRESS": ""}, "Enter the address the e-mail comes from."),
        ({"SMTP_USERNAME": "", "SMTP_PASSWORD": "x"}, "Enter the username that goes"),
        ({"SMTP_PASSWORD": "x", "clear_password": "y"}, "not both"),
        ({"SMTP_SECURITY": "tls"}, "Not a valid choice"),
    ],
)
def test_bad_settings_give_the_form_back_with_a_clear_message(
    app, client, login_as, changes, message
):
    login_as("ADMIN")

    response = client.post_form("/admin/email", smtp_form(**changes))

    assert response.status_code == 422
    assert message in response.text
    assert stored(app)["SMTP_HOST"] == ""


def test_an_empty_host_switches_email_off(app, client, login_as):
    login_as("ADMIN")

    response = client.post_form(
        "/admin/email",
        smtp_form(SMTP_HOST="", SMTP_SENDER_ADDRESS=""),
        follow_redirects=True,
    )

    assert "E-mail is off until a mail server" in response.text


def test_the_test_button_sends_and_says_so(app, client, login_as, smtp_server):
    login_as("ADMIN")
    client.post_form(
        "/admin/email",
        smtp_form(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(smtp_server.port),
            SMTP_SECURITY="none",
            SMTP_USERNAME="",
        ),
    )

    response = client.post_form(
        "/admin/email/test", {"recipient": "boss@jcicons.ph"}, follow_redirects=True
    )

    assert "Test e-mail sent to boss@jcicons.ph." in response.text
    (got,) = smtp_server.received
    assert got.rcpt_tos == ["boss@jcicons.ph"]


def test_the_test_button_shows_the_failure_in_plain_words(app, client, login_as):
    login_as("ADMIN")
    port = free_port()
    client.post_form(
        "/admin/email",
        smtp_form(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_SECURITY="none"),
    )

    response = client.post_form(
        "/admin/email/test", {"recipient": "boss@jcicons.ph"}, follow_redirects=True
    )

    assert "The test e-mail could not be sent." in response.text
    assert f"127.0.0.1 port {port} refused the connection" in response.text


def test_the_test_button_without_settings_sends_nothing(app, client, login_as):
    login_as("ADMIN")

    response = client.post_form(
        "/admin/email/test", {"recipient": "boss@jcicons.ph"}, follow_redirects=True
    )

    assert "E-mail is not set up yet" in response.text
    with app.app_context():
        assert [r.status for r in db.session.scalars(select(EmailLog))] == ["SKIPPED"]


def test_the_test_button_needs_a_valid_address(client, login_as):
    login_as("ADMIN")

    response = client.post_form("/admin/email/test", {"recipient": "boss"})

    assert response.status_code == 422
    assert "Enter a valid e-mail address" in response.text


def test_the_log_lists_newest_first_in_shop_time(app, client, login_as):
    login_as("ADMIN")
    add_log_rows(app, 1, datetime(2026, 3, 1, 16, 30, tzinfo=UTC))
    add_log_rows(
        app, 1, datetime(2026, 3, 2, 1, 0, tzinfo=UTC), recipient="ana@yahoo.com",
        subject="Daily sales", kind="daily_summary", status="FAILED",
        error="The mail server refused the connection.",
    )  # fmt: skip

    cells = log_row_cells(client.get("/admin/email/log").text)

    assert cells == [
        ["2026-03-02 09:00:00", "ana@yahoo.com", "Daily sales", "daily summary",
         "FAILED", "system", "The mail server refused the connection."],
        ["2026-03-02 00:30:00", "customer0@gmail.com", "Message 0", "repair ready",
         "SENT", "system", ""],
    ]  # fmt: skip


def test_the_log_filters_by_status_and_kind(app, client, login_as):
    login_as("ADMIN")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    add_log_rows(app, 3, start)
    add_log_rows(app, 2, start, status="FAILED", subject="Bad")
    add_log_rows(app, 1, start, status="FAILED", kind="test", subject="Test")

    failed = log_row_cells(client.get("/admin/email/log?status=FAILED").text)
    failed_tests = log_row_cells(
        client.get("/admin/email/log?status=FAILED&kind=test").text
    )

    assert sorted(row[2] for row in failed) == ["Bad", "Bad", "Test"]
    assert [row[2] for row in failed_tests] == ["Test"]


def test_the_log_pages_at_its_page_size(app, client, login_as):
    login_as("ADMIN")
    add_log_rows(app, PER_PAGE + 1, datetime(2026, 3, 1, tzinfo=UTC))

    first = client.get("/admin/email/log").text
    second = client.get("/admin/email/log?page=2").text

    assert len(log_row_cells(first)) == PER_PAGE
    assert log_row_cells(first)[0][2] == f"Message {PER_PAGE}"
    assert [row[2] for row in log_row_cells(second)] == ["Message 0"]
    assert f"{PER_PAGE + 1} in all · page 2 of 2" in second


def test_the_empty_log_says_so(client, login_as):
    login_as("ADMIN")

    assert "No e-mail has been sent yet." in client.get("/admin/email/log").text
    assert (
        "No e-mail matches these filters."
        in client.get("/admin/email/log?status=FAILED").text
    )


def test_the_admin_menu_links_the_email_pages(client, login_as):
    login_as("ADMIN")

    page = client.get("/").text

    assert 'href="/admin/email"' in page
    assert 'href="/admin/email/log"' in page
