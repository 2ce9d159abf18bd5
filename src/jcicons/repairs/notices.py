"""Telling the customer by e-mail that their device is ready for pickup.

The notice goes out once per ticket and status, however often the ticket comes
back to that status and however many app processes handle the request: a row in
`repair_notices`, unique per ticket and status, is claimed before the message is
sent, and given back when the server did not take the message, so the next time
the ticket is ready it is tried again. It goes only to a customer with an e-mail
address who agreed to be contacted. Without a mail server the e-mail log says the
notice was skipped; mail problems end up on that log, never as an error on the
ticket.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from jcicons.extensions import db
from jcicons.mail.models import EmailKind, EmailLog, EmailStatus
from jcicons.mail.services import is_email_configured, send_email
from jcicons.money import format_pesos
from jcicons.repairs.models import ReadyNotice, RepairStatus, RepairTicket
from jcicons.settings.services import get_settings

if TYPE_CHECKING:
    from jcicons.auth.models import User

logger = logging.getLogger(__name__)


def ready_message(ticket: RepairTicket, status_url: str) -> tuple[str, str]:
    """Return the subject and text of the ready-for-pickup e-mail."""
    from jcicons.repairs.services import ticket_figures

    settings = get_settings()
    shop = settings["SHOP_NAME"]
    balance = ticket_figures(ticket).balance_centavos
    lines = [
        f"Good day, {ticket.customer.name}!",
        "",
        f"Your {ticket.device_label} (ticket {ticket.number}) is ready for pickup "
        f"at {shop}.",
    ]
    if balance > 0:
        lines.append(f"The balance to pay at pickup is {format_pesos(balance)}.")
    lines += [
        "Please bring your claim stub or a valid ID.",
        "",
        f"See the status of your repair at any time: {status_url}",
    ]
    contact = [settings.get("SHOP_ADDRESS", ""), settings.get("SHOP_PHONES", "")]
    lines += ["", shop, *(part for part in contact if part)]
    return f"{ticket.number}: your device is ready for pickup", "\n".join(lines)


def _claim(ticket: RepairTicket, status: RepairStatus) -> ReadyNotice | None:
    """Claim the one notice of this ticket and status; None if already claimed."""
    notice = ReadyNotice(ticket_id=ticket.id, status=status.value)
    try:
        with db.session.begin_nested():
            db.session.add(notice)
    except IntegrityError:
        return None
    return notice


def notify_ready(
    ticket: RepairTicket, status_url: str, actor: User | None
) -> EmailLog | None:
    """E-mail the customer that the device is ready, once; return the log row.

    Returns None when there was nothing to send: the ticket is not ready, the
    customer has no e-mail address or did not consent, or the notice went out
    before. Without a mail server the row says SKIPPED; a FAILED or SKIPPED notice
    is not counted as sent. Call it after the status change is committed; the
    caller commits.
    """
    if ticket.status != RepairStatus.READY:
        return None
    customer = ticket.customer
    if not customer.email or not customer.has_contact_consent:
        return None
    notice = None
    if is_email_configured():
        notice = _claim(ticket, RepairStatus.READY)
        if notice is None:
            return None
    subject, body = ready_message(ticket, status_url)
    entry = send_email(
        customer.email,
        subject,
        body,
        EmailKind.REPAIR_READY,
        actor,
        related=("repair", ticket.id),
    )
    if notice is not None and entry.status != EmailStatus.SENT:
        db.session.delete(notice)  # not delivered: the next ready tries again
        db.session.flush()
    return entry
