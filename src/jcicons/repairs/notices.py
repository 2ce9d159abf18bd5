"""Telling the customer by e-mail that their device is ready for pickup.

The notice goes out once per ticket and status, however often the ticket comes
back to that status and however many app processes handle the request: a row in
`repair_notices`, unique per ticket and status, is claimed before the message is
sent. It goes only to a customer with an e-mail address who agreed to be
contacted, and only when the shop's mail server is set up; mail problems end up
on the e-mail log, never as an error on the ticket.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from jcicons.extensions import db
from jcicons.mail.models import EmailKind, EmailLog
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


def _claim(ticket: RepairTicket, status: RepairStatus) -> bool:
    """Claim the one notice of this ticket and status; False if already claimed."""
    try:
        with db.session.begin_nested():
            db.session.add(ReadyNotice(ticket_id=ticket.id, status=status.value))
    except IntegrityError:
        return False
    return True


def notify_ready(
    ticket: RepairTicket, status_url: str, actor: User | None
) -> EmailLog | None:
    """E-mail the customer that the device is ready, once; return the log row.

    Returns None when nothing was sent: the ticket is not ready, the customer has
    no e-mail address or did not consent, e-mail is not set up, or the notice went
    out before. Call it after the status change is committed; the caller commits.
    """
    if ticket.status != RepairStatus.READY:
        return None
    customer = ticket.customer
    if not customer.email or not customer.has_contact_consent:
        return None
    if not is_email_configured():
        logger.info("ticket %s ready: e-mail is not set up, no notice", ticket.number)
        return None
    if not _claim(ticket, RepairStatus.READY):
        return None
    subject, body = ready_message(ticket, status_url)
    return send_email(
        customer.email,
        subject,
        body,
        EmailKind.REPAIR_READY,
        actor,
        related=("repair", ticket.id),
    )
