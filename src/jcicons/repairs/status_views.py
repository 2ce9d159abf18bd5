"""The customer's status page, open without signing in.

A customer finds their repair by the ticket number and the last 4 digits of their
mobile number, or through the claim stub's QR link with the ticket's unguessable
token. Either way the page shows the ticket number, the status, the promised date
and the balance, and nothing else: no name, phone, device, serial or notes. A wrong
pair gets one message, whichever half was wrong. Look-ups and token hits share one
budget per address; the misses on one ticket number have a budget of their own,
so guessing its 10,000 endings from many addresses stops early too. The answer is
never cached nor sent on as a referrer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, Response, g, render_template, request
from flask.typing import ResponseReturnValue
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from jcicons.extensions import limiter
from jcicons.forms import BaseForm
from jcicons.repairs.models import STATUS_LABELS, RepairStatus, RepairTicket
from jcicons.repairs.queries import find_by_token, find_for_status_page
from jcicons.repairs.services import ticket_figures
from jcicons.security.capabilities import public

bp = Blueprint("status", __name__, url_prefix="/status")

# One budget per client address for number look-ups and QR-link hits together.
STATUS_LIMIT = "10 per minute;50 per hour"
STATUS_SCOPE = "repair-status"
# Wrong last digits for one ticket number, from any address, before it is locked.
TICKET_MISS_LIMIT = "10 per hour"
NOT_FOUND = (
    "We could not find a repair with that ticket number and mobile number. "
    "Check both against your claim stub and try again."
)


class StatusLookupForm(BaseForm):
    """The ticket number on the claim stub and the last 4 digits of the mobile."""

    number = StringField(
        "Ticket number",
        validators=[
            DataRequired("Enter the ticket number on your claim stub."),
            Length(max=24, message="That is longer than a ticket number."),
        ],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "placeholder": "As printed on your claim stub",
        },
    )
    phone_last4 = StringField(
        "Last 4 digits of your mobile number",
        validators=[
            DataRequired("Enter the last 4 digits of your mobile number."),
            Regexp(r"^\s*\d{4}\s*$", message="Enter exactly 4 digits."),
        ],
        render_kw={
            "autocomplete": "off",
            "inputmode": "numeric",
            "maxlength": "4",
            "placeholder": "1234",
        },
    )


@dataclass(frozen=True)
class PublicStatus:
    """All the status page may show of a ticket."""

    number: str
    status_label: str
    is_ready: bool
    promised_date: date | None
    balance_centavos: int


def public_status(ticket: RepairTicket) -> PublicStatus:
    """Return the few facts of a ticket a customer may see without signing in."""
    figures = ticket_figures(ticket)
    status = RepairStatus(ticket.status)
    return PublicStatus(
        number=ticket.number,
        status_label=STATUS_LABELS[status],
        is_ready=status == RepairStatus.READY,
        promised_date=ticket.promised_date,
        balance_centavos=max(figures.balance_centavos, 0),
    )


@bp.after_request
def _keep_private(response: Response) -> Response:
    """Keep the answer out of caches, search engines and other sites' logs."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _render(
    form: StatusLookupForm | None, found: RepairTicket | None, asked: bool
) -> ResponseReturnValue:
    result = public_status(found) if found is not None else None
    return render_template(
        "status/page.html",
        form=form,
        result=result,
        not_found=asked and result is None,
        message=NOT_FOUND,
    )


def _asked_number() -> str:
    """Return the rate-limit key of the ticket number being looked up.

    Only the letters, digits and dashes of a ticket number count, upper-cased: any
    spelling that the look-up would match (spaces, control characters the form
    strips, lower case) shares the one key, so it cannot dodge the budget.
    """
    number = re.sub(r"[^A-Z0-9-]", "", request.form.get("number", "").upper())
    return f"status-ticket:{number[:24]}"


def _missed(_response: Response) -> bool:
    return bool(g.get("status_missed"))


@bp.route("", methods=["GET", "POST"])
@public
@limiter.shared_limit(STATUS_LIMIT, scope=STATUS_SCOPE, methods=["POST"])
@limiter.limit(
    TICKET_MISS_LIMIT, key_func=_asked_number, methods=["POST"], deduct_when=_missed
)
def lookup() -> ResponseReturnValue:
    """Ask for the ticket number and the mobile's last 4 digits; show the status."""
    form = StatusLookupForm()
    if not form.validate_on_submit():
        # A customer's page: mistakes are shown on the form with a plain 200.
        return _render(form, None, asked=False)
    ticket = find_for_status_page(form.number.data or "", form.phone_last4.data or "")
    g.status_missed = ticket is None
    return _render(form if ticket is None else None, ticket, asked=True)


@bp.get("/t/<token>")
@public
@limiter.shared_limit(STATUS_LIMIT, scope=STATUS_SCOPE)
def by_token(token: str) -> ResponseReturnValue:
    """Show the status of the ticket of a claim stub's QR link."""
    ticket = find_by_token(token)
    form = StatusLookupForm(formdata=None) if ticket is None else None
    return _render(form, ticket, asked=True)
