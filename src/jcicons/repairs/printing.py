"""Printed repair papers: the intake form with its claim stub and the release receipt.

The claim stub carries a QR code of the ticket's status link, drawn here by segno
as inline SVG (no outside service sees the token). Every print writes an audit row,
so the second and later prints of one paper say REPRINT, as sales receipts do.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import segno
from flask import current_app, url_for
from markupsafe import Markup
from sqlalchemy import func, select

from jcicons.audit.models import AuditEvent
from jcicons.audit.services import record_audit
from jcicons.extensions import db

if TYPE_CHECKING:
    from jcicons.auth.models import User
    from jcicons.repairs.models import RepairTicket
    from jcicons.repairs.services import TicketFigures
    from jcicons.sales.models import Payment

logger = logging.getLogger(__name__)

INTAKE_FORM = "repair.intake_print"
RELEASE_RECEIPT = "repair.release_print"
PAPER_NAMES = {INTAKE_FORM: "intake form", RELEASE_RECEIPT: "release receipt"}

# The intake form prints on A4 or on half a sheet (A5); "A5" is taken for "half".
INTAKE_PAPERS = ("A4", "half")
INTAKE_PAPER_ALIASES = {"A5": "half", "a5": "half", "a4": "A4"}


def choose_intake_paper(asked: str | None, settings: Mapping[str, Any]) -> str:
    """Return the paper asked for this intake form, or the shop's setting."""
    asked = INTAKE_PAPER_ALIASES.get(asked or "", asked)
    if asked in INTAKE_PAPERS:
        return str(asked)
    default = settings.get("REPAIR_INTAKE_FORMAT", "A4")
    return str(default) if default in INTAKE_PAPERS else "A4"


def status_url(ticket: RepairTicket) -> str:
    """Return the full address of the ticket's public status page (its QR link).

    With PUBLIC_BASE_URL set, the address starts with it, so a customer outside the
    shop's network can open it; otherwise it is the address staff browse with.
    """
    base = current_app.config.get("PUBLIC_BASE_URL", "")
    if base:
        return base + url_for("status.by_token", token=ticket.status_token)
    return url_for("status.by_token", token=ticket.status_token, _external=True)


def qr_svg(url: str) -> Markup:
    """Return the QR code of `url` as an inline SVG element, sized by CSS."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1,
        omitsize=True,
        svgclass="claim-qr",
        title="QR code of the repair status page",
    )
    return Markup(svg)  # noqa: S704 - segno's own markup of our own address


def count_prints(ticket: RepairTicket, paper: str) -> int:
    """Return how many times one of a ticket's papers was printed."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == paper,
                AuditEvent.entity_type == "repair_ticket",
                AuditEvent.entity_id == str(ticket.id),
            )
        )
        or 0
    )


def record_print(ticket: RepairTicket, paper: str, size: str, actor: User) -> int:
    """Record one print of a ticket's paper; return which copy it is (1 = first)."""
    copy = count_prints(ticket, paper) + 1
    record_audit(
        actor,
        paper,
        "repair_ticket",
        ticket.id,
        None,
        {"number": ticket.number, "copy": copy, "format": size},
    )
    db.session.flush()
    logger.info(
        "%s of %s copy %s printed by %s",
        PAPER_NAMES[paper],
        ticket.number,
        copy,
        actor.username,
    )
    return copy


def credit_at_release(
    ticket: RepairTicket, payments: Sequence[Payment], figures: TicketFigures
) -> int:
    """Return what a release on credit left owed (0 for an ordinary release)."""
    if not ticket.released_on_credit or ticket.released_at is None:
        return 0
    # What the ledger held at release; later payments on the account lower the
    # balance, not what was given on credit.
    released_at = ticket.released_at
    paid = sum(p.amount_centavos for p in payments if p.created_at <= released_at)
    return max(figures.charges_centavos - paid, 0)
