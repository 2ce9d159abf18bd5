"""Sending through a real SMTP server, the e-mail log, and the stored password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.mail.models import EmailLog, EmailStatus
from jcicons.mail.services import (
    has_smtp_password,
    is_email_configured,
    save_smtp_settings,
    send_email,
    send_test_email,
)
from jcicons.security.crypto import decrypt_text
from jcicons.settings.models import Setting
from mail.smtp_helpers import SMTP_PASS, SMTP_USER, free_port


@pytest.fixture
def owner(ctx, save_smtp) -> User:
    """The ADMIN who saves the settings (made by save_smtp)."""
    return db.session.scalars(select(User).filter_by(username="owner")).one()


def log_rows() -> list[EmailLog]:
    return list(db.session.scalars(select(EmailLog).order_by(EmailLog.id)))


def test_the_test_email_arrives_with_sender_recipient_subject_and_body(
    smtp_server, save_smtp, owner
):
    save_smtp(smtp_server.port)

    entry = send_test_email("boss@jcicons.ph", owner)

    assert entry.status == EmailStatus.SENT
    (got,) = smtp_server.received
    assert got.rcpt_tos == ["boss@jcicons.ph"]
    assert got.message["From"] == "JC Icons Cubao <shop@jcicons.ph>"
    assert got.message["To"] == "boss@jcicons.ph"
    assert got.message["Subject"] == "Test e-mail from JC Icons"
    assert got.message["Date"]
    assert got.message["Message-ID"] == entry.message_id
    assert "owner sent it from the e-mail settings page" in got.message.get_content()


def test_every_sent_message_is_logged_with_kind_actor_and_record(
    smtp_server, save_smtp, owner
):
    save_smtp(smtp_server.port)

    send_email(
        "juan@gmail.com", "Your laptop is ready", "Pick it up.", "repair_ready",
        actor=owner, related=("repair", 42),
    )  # fmt: skip

    (row,) = log_rows()
    assert (row.recipient, row.subject, row.kind, row.status, row.error) == (
        "juan@gmail.com", "Your laptop is ready", "repair_ready", "SENT", None,
    )  # fmt: skip
    assert (row.related_type, row.related_id) == ("repair", "42")
    assert (row.actor_id, row.actor_username) == (owner.id, "owner")
    assert row.created_at.tzinfo is not None


def test_an_html_body_travels_as_an_alternative_to_the_text(
    smtp_server, save_smtp, ctx
):
    save_smtp(smtp_server.port)

    send_email(
        "juan@gmail.com", "Summary", "Plain", "daily_summary", html_body="<b>Hi</b>"
    )

    message = smtp_server.received[0].message
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content().strip() == "Plain"
    assert message.get_body(("html",)).get_content().strip() == "<b>Hi</b>"
    assert log_rows()[0].actor_username == "system"


def test_signing_in_with_username_and_password_sends(smtp_server, save_smtp, ctx):
    save_smtp(smtp_server.port, password=SMTP_PASS, SMTP_USERNAME=SMTP_USER)

    entry = send_email("juan@gmail.com", "Hello", "Body", "test")

    assert entry.status == EmailStatus.SENT
    assert len(smtp_server.received) == 1


def test_a_wrong_password_is_logged_failed_with_the_servers_answer(
    smtp_server, save_smtp, ctx
):
    save_smtp(smtp_server.port, password="Wrong-Password-1", SMTP_USERNAME=SMTP_USER)

    entry = send_email("juan@gmail.com", "Hello", "Body", "test")

    assert entry.status == EmailStatus.FAILED
    assert entry.error == (
        "The mail server refused the username or password "
        "(535 5.7.8 Authentication credentials invalid)."
    )
    assert smtp_server.received == []
    assert [row.status for row in log_rows()] == ["FAILED"]


def test_a_password_smtp_cannot_send_is_logged_failed_and_not_raised(
    smtp_server, save_smtp, ctx
):
    save_smtp(smtp_server.port, password="Kalamansi-ñandú-7", SMTP_USERNAME=SMTP_USER)

    entry = send_email("juan@gmail.com", "Hello", "Body", "test")

    assert entry.status == EmailStatus.FAILED
    assert "only plain ASCII" in entry.error
    assert smtp_server.received == []


def test_a_closed_port_is_logged_failed_and_not_raised(save_smtp, ctx):
    port = free_port()
    save_smtp(port)

    entry = send_email("juan@gmail.com", "Hello", "Body", "test")

    assert entry.status == EmailStatus.FAILED
    assert entry.error == (
        f"The mail server at 127.0.0.1 port {port} refused the connection. "
        "Check the host and the port."
    )


def test_starttls_asked_of_a_server_without_it_fails_in_plain_words(
    smtp_server, save_smtp, ctx
):
    save_smtp(smtp_server.port, SMTP_SECURITY="starttls")

    entry = send_email("juan@gmail.com", "Hello", "Body", "test")

    assert entry.status == EmailStatus.FAILED
    assert "does not support this: STARTTLS extension not supported" in entry.error
    assert smtp_server.received == []


def test_an_invalid_recipient_is_logged_failed_without_connecting(
    smtp_server, save_smtp, ctx
):
    save_smtp(smtp_server.port)

    entry = send_email("juan at gmail", "Hello", "Body", "test")

    assert entry.status == EmailStatus.FAILED
    assert entry.error.startswith("Not a valid e-mail address:")
    assert smtp_server.received == []


def test_a_subject_with_line_breaks_is_sent_on_one_line(smtp_server, save_smtp, ctx):
    save_smtp(smtp_server.port)

    send_email("juan@gmail.com", "Ready\r\nBcc: evil@x.ph", "Body", "test")

    message = smtp_server.received[0].message
    assert message["Subject"] == "Ready Bcc: evil@x.ph"
    assert message["Bcc"] is None


def test_without_settings_nothing_is_sent_and_a_skipped_row_says_why(smtp_server, ctx):
    assert not is_email_configured()

    entry = send_email("juan@gmail.com", "Hello", "Body", "repair_ready")

    assert entry.status == EmailStatus.SKIPPED
    assert entry.error.startswith("Not sent: e-mail is not set up")
    assert smtp_server.received == []
    assert [row.status for row in log_rows()] == ["SKIPPED"]


def test_the_password_is_stored_encrypted_and_audited_without_its_value(save_smtp, ctx):
    save_smtp(2525, password=SMTP_PASS, SMTP_USERNAME=SMTP_USER)

    stored = db.session.get(Setting, "SMTP_PASSWORD").value
    assert SMTP_PASS not in stored
    assert decrypt_text(stored) == SMTP_PASS
    (audit,) = db.session.scalars(
        select(AuditEvent).filter_by(action="settings.update")
    )
    assert audit.before["SMTP_PASSWORD"] == "(not set)"
    assert audit.after["SMTP_PASSWORD"] == "(new value)"
    assert SMTP_PASS not in str(audit.before) + str(audit.after)
    assert stored not in str(audit.after)


def test_a_blank_password_keeps_the_stored_one_and_the_same_one_is_no_change(
    save_smtp, owner
):
    save_smtp(2525, password=SMTP_PASS, SMTP_USERNAME=SMTP_USER)
    values = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": 2525}

    assert save_smtp_settings(values, owner) == {}
    assert save_smtp_settings(values, owner, new_password=SMTP_PASS) == {}
    assert has_smtp_password()


def test_clearing_the_password_removes_it_and_audits_the_removal(save_smtp, owner):
    save_smtp(2525, password=SMTP_PASS, SMTP_USERNAME=SMTP_USER)

    changed = save_smtp_settings({}, owner, clear_password=True)

    assert changed == {"SMTP_PASSWORD": ""}
    assert not has_smtp_password()
    audit = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id.desc())
    ).first()
    assert (audit.before, audit.after) == (
        {"SMTP_PASSWORD": "(set)"},
        {"SMTP_PASSWORD": "(removed)"},
    )


def test_a_password_that_no_longer_decrypts_fails_with_advice(
    smtp_server, save_smtp, ctx
):
    save_smtp(smtp_server.port, SMTP_USERNAME=SMTP_USER)
    db.session.add(Setting(key="SMTP_PASSWORD", value="not-a-fernet-token"))
    db.session.flush()

    entry = send_email("juan@gmail.com", "Hello", "Body", "test")

    assert entry.status == EmailStatus.FAILED
    assert "Type the password again" in entry.error


def test_only_email_settings_are_saved_here(owner):
    with pytest.raises(KeyError):
        save_smtp_settings({"POS_ENABLED": False}, owner)
