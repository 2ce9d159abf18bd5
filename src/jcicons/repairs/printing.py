"""Printed repair papers: the intake form with its claim stub and the release receipt.

The claim stub carries a QR code of the ticket's status link, drawn here by segno
as inline SVG (no outside service sees the token). Every print writes an audit row,
so the second and later prints of one paper say REPRINT, as sales receipts do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import segno
from flask import current_app, url_for
from markupsafe import Markup

from jcicons.sales.receipts import count_document_prints, record_document_print

if TYPE_CHECKING:
    from jcicons.auth.models import User
    from jcicons.repairs.models import RepairTicket
    from jcicons.repairs.services import TicketFigures
    from jcicons.sales.models import Payment


INTAKE_FORM = "repair.intake_print"
RELEASE_RECEIPT = "repair.release_print"

# The intake form prints on A4 or on half a sheet (A5); "A5" is taken for "half".
INTAKE_PAPERS = ("A4", "half")
INTAKE_PAPER_ALIASES = {"A5": "half", "a5": "half", "a4": "A4"}

ELLIPSIS = "…"


def choose_intake_paper(asked: str | None, settings: Mapping[str, Any]) -> str:
    """Return the paper asked for this intake form, or the shop's setting."""
    asked = INTAKE_PAPER_ALIASES.get(asked or "", asked)
    if asked in INTAKE_PAPERS:
        return str(asked)
    default = settings.get("REPAIR_INTAKE_FORMAT", "A4")
    return str(default) if default in INTAKE_PAPERS else "A4"


def public_url(endpoint: str, **values: Any) -> str:
    """Return the full address of a public page, as printed for customers.

    With PUBLIC_BASE_URL set, the address starts with it, so a customer outside the
    shop's network can open it; otherwise it is the address staff browse with.
    """
    base = current_app.config.get("PUBLIC_BASE_URL", "")
    if base:
        return str(base) + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def status_url(ticket: RepairTicket) -> str:
    """Return the full address of the ticket's public status page (its QR link)."""
    return public_url("status.by_token", token=ticket.status_token)


def status_lookup_url() -> str:
    """Return the full address of the status page that asks for a ticket number."""
    return public_url("status.lookup")


def qr_svg(url: str) -> Markup:
    """Return the QR code of `url` as an inline SVG element, sized by CSS."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1,
        omitsize=True,
        svgclass="claim-qr",
        title="QR code of the repair status page",
    )
    return Markup(svg)  # noqa: S704 - segno's own markup of our own address


@dataclass(frozen=True)
class TextBox:
    """Room on a printout for a long text: `rows` lines of about `width` characters."""

    rows: int
    width: int


# The intake form's texts that can run long, each held to a box so that the form
# and its claim stub stay on one sheet: the half page holds fewer lines than A4.
# The widths run a little under what a line holds on either paper, for the room
# lost where words wrap; the print stylesheet also clips each box at its rows
# (class intake-rows-N) in case the type runs wider than that. The terms box holds
# the default terms (seven short lines) on both papers.
INTAKE_BOXES = {
    "A4": {
        "shop_address": TextBox(rows=4, width=55),
        "shop_phones": TextBox(rows=2, width=55),
        "customer": TextBox(rows=2, width=30),
        "device": TextBox(rows=3, width=30),
        "accessories": TextBox(rows=3, width=30),
        "condition_notes": TextBox(rows=4, width=44),
        "problem": TextBox(rows=6, width=48),
        "terms": TextBox(rows=8, width=110),
        "stub_customer": TextBox(rows=1, width=60),
        "stub_device": TextBox(rows=1, width=60),
    },
    "half": {
        "shop_address": TextBox(rows=3, width=55),
        "shop_phones": TextBox(rows=1, width=55),
        "customer": TextBox(rows=2, width=30),
        "device": TextBox(rows=2, width=30),
        "accessories": TextBox(rows=2, width=30),
        "condition_notes": TextBox(rows=2, width=44),
        "problem": TextBox(rows=4, width=48),
        "terms": TextBox(rows=8, width=110),
        "stub_customer": TextBox(rows=1, width=60),
        "stub_device": TextBox(rows=1, width=60),
    },
}


def clamp_text(text: str, box: TextBox) -> str:
    """Return the start of `text` that fits `box`, with an ellipsis when cut.

    A line of the text takes as many rows of the box as it wraps onto; the first
    line that does not fit is cut to the rows left, keeping room for the ellipsis.
    """
    kept: list[str] = []
    rows_left = box.rows
    for line in text.strip().splitlines():
        rows = max(1, math.ceil(len(line) / box.width))
        if rows > rows_left:
            while kept and not kept[-1].strip():
                kept.pop()  # a blank line before the cut would strand the ellipsis
            room = rows_left * box.width - len(ELLIPSIS)
            if room > 0:
                kept.append(line[:room])
            elif kept and len(kept[-1]) % box.width == 0:
                # The last kept line fills its last row: the ellipsis takes its end.
                kept[-1] = kept[-1][: -len(ELLIPSIS)]
            return "\n".join(kept).rstrip() + ELLIPSIS
        kept.append(line)
        rows_left -= rows
    return "\n".join(kept)


def terms_fit_the_form(terms: str) -> bool:
    """Return True when the intake terms print in full on every intake paper."""
    whole = "\n".join(terms.strip().splitlines())
    return all(
        clamp_text(terms, boxes["terms"]) == whole for boxes in INTAKE_BOXES.values()
    )


def intake_texts(
    ticket: RepairTicket, settings: Mapping[str, Any], paper: str
) -> dict[str, str]:
    """Return the intake form's long texts, each clamped to its box on `paper`."""
    customer = ticket.customer
    name = customer.display_name
    if customer.business_name and customer.name:
        name = f"{name} (attn. {customer.name})"
    left = ", ".join(ticket.accessories)
    if ticket.accessories_note:
        left = f"{left}; {ticket.accessories_note}" if left else ticket.accessories_note
    texts = {
        "shop_address": str(settings.get("SHOP_ADDRESS") or ""),
        "shop_phones": str(settings.get("SHOP_PHONES") or ""),
        "customer": name,
        "device": ticket.device_label,
        "accessories": left,
        "condition_notes": ticket.condition_notes,
        "problem": ticket.problem,
        "terms": str(settings.get("REPAIR_INTAKE_TERMS") or ""),
        "stub_customer": customer.display_name,
        "stub_device": ticket.device_label,
    }
    boxes = INTAKE_BOXES[paper]
    return {key: clamp_text(text, boxes[key]) for key, text in texts.items()}


def count_prints(ticket: RepairTicket, paper: str) -> int:
    """Return how many times one of a ticket's papers was printed."""
    return count_document_prints(paper, "repair_ticket", ticket.id)


def record_print(ticket: RepairTicket, paper: str, size: str, actor: User) -> int:
    """Record one print of a ticket's paper; return which copy it is (1 = first)."""
    return record_document_print(
        paper, "repair_ticket", ticket.id, ticket.number, size, actor
    )


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
