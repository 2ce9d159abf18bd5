"""Send the shop's e-mail through its SMTP server and log every attempt.

Other modules call `send_email` (and `is_email_configured` to decide whether to
offer e-mail at all). Mail problems never raise: they end up as a FAILED row on the
e-mail log, with the reason in plain words, and the caller gets that row back.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Any

from email_validator import EmailNotValidError, validate_email

from jcicons.clock import utcnow
from jcicons.extensions import db
from jcicons.mail.models import EmailKind, EmailLog, EmailStatus, SmtpSecurity
from jcicons.security.crypto import DecryptionError, decrypt_text, encrypt_text
from jcicons.settings.services import (
    SHOP_NAME,
    SMTP_DEFAULTS,
    SMTP_PASSWORD,
    get_settings,
    update_settings,
)

if TYPE_CHECKING:
    from jcicons.auth.models import User

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 15
NOT_CONFIGURED = (
    "Not sent: e-mail is not set up (no mail server or sender address). "
    "An ADMIN sets it up under Admin, E-mail."
)

# The settings edited on the e-mail page as plain values (the password is apart).
SMTP_PLAIN_KEYS = tuple(key for key in SMTP_DEFAULTS if key != SMTP_PASSWORD)


@dataclass(frozen=True)
class SmtpConfig:
    """The saved mail server settings, the password decrypted."""

    host: str
    port: int
    security: SmtpSecurity
    username: str
    sender_name: str
    sender_address: str
    password: str = field(default="", repr=False)


def _is_configured(values: Mapping[str, Any]) -> bool:
    return bool(values["SMTP_HOST"] and values["SMTP_SENDER_ADDRESS"])


def is_email_configured() -> bool:
    """Return True when a mail server and a sender address are saved."""
    return _is_configured(get_settings())


def get_smtp_settings() -> dict[str, Any]:
    """Return the e-mail settings for the form: every value but the password."""
    values = get_settings()
    return {key: values[key] for key in SMTP_PLAIN_KEYS}


def has_smtp_password() -> bool:
    """Return True when an SMTP password is stored."""
    return bool(get_settings()[SMTP_PASSWORD])


def save_smtp_settings(
    values: Mapping[str, Any],
    actor: User,
    new_password: str = "",
    clear_password: bool = False,
) -> dict[str, Any]:
    """Store the mail server settings and audit them; return what changed.

    The password is stored encrypted. An empty `new_password` keeps the stored one,
    `clear_password` removes it; the same password typed again is no change. The
    audit trail records that the password changed, never its value. Raises
    KeyError for a key that is not an e-mail setting.
    """
    unknown = set(values) - set(SMTP_PLAIN_KEYS)
    if unknown:
        raise KeyError(f"not e-mail settings: {sorted(unknown)}")
    changes = dict(values)
    stored = get_settings()[SMTP_PASSWORD]
    if clear_password:
        changes[SMTP_PASSWORD] = ""
    elif new_password and new_password != _stored_password(stored):
        changes[SMTP_PASSWORD] = encrypt_text(new_password)
    return update_settings(changes, actor)


def _stored_password(token: str) -> str | None:
    """Return the stored password, "" for none, None when it cannot be decrypted."""
    if not token:
        return ""
    try:
        return decrypt_text(token)
    except DecryptionError:
        return None


def _load_config(values: Mapping[str, Any]) -> SmtpConfig:
    """Build the connection settings; raise DecryptionError for a lost key."""
    token = values[SMTP_PASSWORD]
    return SmtpConfig(
        host=values["SMTP_HOST"],
        port=int(values["SMTP_PORT"]),
        security=SmtpSecurity(values["SMTP_SECURITY"]),
        username=values["SMTP_USERNAME"],
        sender_name=values["SMTP_SENDER_NAME"] or values[SHOP_NAME],
        sender_address=values["SMTP_SENDER_ADDRESS"],
        password=decrypt_text(token) if token else "",
    )


def send_email(
    to: str,
    subject: str,
    text_body: str,
    kind: str,
    actor: User | None = None,
    html_body: str | None = None,
    related: tuple[str, object] | None = None,
) -> EmailLog:
    """Send one message through the saved mail server; return its e-mail log row.

    Every call writes one row to the e-mail log and returns it: SENT when the
    server accepted the message, FAILED with the reason in plain words when the
    address, the connection, the login or the server refused it. Mail problems
    never raise. Without a mail server nothing is sent and the row says SKIPPED:
    an owner who wonders why a customer heard nothing finds the answer on the same
    page as the failures, and the rows are few (one per message the shop meant to
    send). `related` names the record the message is about, such as
    ("repair", ticket.id). The row is flushed, not committed: the caller commits,
    preferably after its own changes are committed, since a slow server holds the
    transaction open for up to SMTP_TIMEOUT_SECONDS.
    """
    subject = " ".join(subject.split())
    entry = EmailLog(
        recipient=to.strip()[:320],
        subject=subject[:255],
        kind=str(kind)[:40],
        actor_id=actor.id if actor is not None else None,
        actor_username=actor.username if actor is not None else "system",
    )
    if related is not None:
        entry.related_type, entry.related_id = related[0], str(related[1])
    entry.status, entry.error, entry.message_id = _deliver(
        entry.recipient, subject, text_body, html_body
    )
    db.session.add(entry)
    db.session.flush()
    who = entry.actor_username
    if entry.status == EmailStatus.SENT:
        logger.info("e-mail %s (%s) sent, asked by %s", entry.id, kind, who)
    elif entry.status == EmailStatus.SKIPPED:
        logger.info("e-mail %s (%s) skipped: e-mail is not set up", entry.id, kind)
    else:
        logger.warning("e-mail %s (%s) failed, see the e-mail log", entry.id, kind)
    return entry


def send_test_email(to: str, actor: User) -> EmailLog:
    """Send the test message an ADMIN asks for from the e-mail settings page."""
    shop = get_settings()[SHOP_NAME]
    body = (
        f"This is a test message from the {shop} management system.\n\n"
        f"{actor.username} sent it from the e-mail settings page. If you are "
        "reading it, the shop's e-mail works.\n"
    )
    return send_email(to, f"Test e-mail from {shop}", body, EmailKind.TEST, actor)


def _deliver(
    to: str, subject: str, text_body: str, html_body: str | None
) -> tuple[EmailStatus, str | None, str | None]:
    """Try to send; return the status, the reason it failed and the Message-ID."""
    values = get_settings()
    if not _is_configured(values):
        return EmailStatus.SKIPPED, NOT_CONFIGURED, None
    try:
        config = _load_config(values)
    except DecryptionError:
        return (
            EmailStatus.FAILED,
            (
                "The stored SMTP password cannot be decrypted (the encryption key "
                "changed). Type the password again on the e-mail settings page."
            ),
            None,
        )
    try:
        recipient = validate_email(to, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        return EmailStatus.FAILED, f"Not a valid e-mail address: {exc}", None
    message = build_message(config, recipient, subject, text_body, html_body)
    try:
        _transmit(config, message)
    except (smtplib.SMTPException, OSError) as exc:
        return EmailStatus.FAILED, describe_smtp_error(exc, config), None
    except UnicodeError:
        # smtplib sends the user name, the password and the envelope addresses as
        # ASCII only.
        return (
            EmailStatus.FAILED,
            "The mail server's user name or password, or an e-mail address, has "
            "characters SMTP cannot send (only plain ASCII letters, digits and "
            "symbols work).",
            None,
        )
    return EmailStatus.SENT, None, message["Message-ID"]


def build_message(
    config: SmtpConfig,
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
) -> EmailMessage:
    """Return the message: From with the sender name, To, Subject, Date, Message-ID."""
    message = EmailMessage()
    message["From"] = Address(config.sender_name, addr_spec=config.sender_address)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=config.sender_address.rpartition("@")[2])
    message.set_content(text_body)
    if html_body:
        message.add_alternative(html_body, subtype="html")
    return message


def _transmit(config: SmtpConfig, message: EmailMessage) -> None:
    """Hand the message to the mail server; raise what smtplib raises."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if config.security == SmtpSecurity.SSL:
        smtp = smtplib.SMTP_SSL(
            config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if config.security == SmtpSecurity.STARTTLS:
            smtp.starttls(context=context)
        if config.username:
            smtp.login(config.username, config.password)
        smtp.send_message(message)


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def describe_smtp_error(exc: Exception, config: SmtpConfig) -> str:
    """Say in plain words why sending failed, with the server's own reply."""
    where = f"{config.host} port {config.port}"
    check = "Check the port and the security setting."
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            "The mail server refused the username or password "
            f"({_reply(exc.smtp_code, exc.smtp_error)})."
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = "; ".join(_reply(*answer) for answer in exc.recipients.values())
        return f"The mail server refused the recipient ({replies})."
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"The mail server refused the sender address {config.sender_address} "
            f"({_reply(exc.smtp_code, exc.smtp_error)})."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"The mail server does not support this: {exc} {check}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"The mail server at {where} closed the connection. {check}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return (
            "The mail server answered with an error "
            f"({_reply(exc.smtp_code, exc.smtp_error)})."
        )
    if isinstance(exc, smtplib.SMTPException):
        return f"Sending failed: {exc}"
    if isinstance(exc, ssl.SSLError):
        return f"The secure connection to {where} failed ({exc.reason}). {check}"
    if isinstance(exc, socket.gaierror):
        return f"The mail server name {config.host} could not be found."
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"The mail server at {where} refused the connection. "
            "Check the host and the port."
        )
    if isinstance(exc, TimeoutError):
        return (
            f"The mail server at {where} did not answer within "
            f"{SMTP_TIMEOUT_SECONDS} seconds."
        )
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
    return f"Could not reach the mail server at {where} ({reason})."
