"""Repair papers to print, on the repairs blueprint: the intake form with its claim
stub, and the release receipt.

Showing a paper records nothing; its Print button posts to a `.../prints` route
that records the print (audited) and answers with the copy number, then prints, so
only a real reprint says REPRINT.

Whoever may see a ticket may print its intake form (a TECH: their own tickets and
the unassigned queue); customer contact and money print only for those who see
them on the ticket page (`shows_details`). The release receipt is all money, so
it needs that too. The device passcode is never printed: these pages never
decrypt it.
"""

from __future__ import annotations

from flask import (
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from jcicons.extensions import db
from jcicons.repairs.models import CONDITION_CHECKS, RepairStatus
from jcicons.repairs.printing import (
    INTAKE_BOXES,
    INTAKE_FORM,
    INTAKE_PAPERS,
    RELEASE_RECEIPT,
    choose_intake_paper,
    count_prints,
    credit_at_release,
    intake_texts,
    qr_svg,
    record_print,
    status_lookup_url,
    status_url,
)
from jcicons.repairs.services import ticket_money
from jcicons.repairs.views import bp, shows_details, ticket_or_404
from jcicons.sales.models import METHOD_LABELS
from jcicons.sales.receipts import (
    asked_paper,
    choose_format,
    paper_for_this_computer,
    peso_formatter,
    remember_paper,
)
from jcicons.security.capabilities import requires, signed_in_user
from jcicons.settings.services import RECEIPT_FORMATS, current_settings


@bp.get("/<int:ticket_id>/intake-form")
@requires("repairs.view")
def intake_form(ticket_id: int) -> ResponseReturnValue:
    """Print the intake form and claim stub (?paper=A4|half); reprints say so."""
    ticket = ticket_or_404(ticket_id)
    settings = current_settings()
    paper = choose_intake_paper(request.args.get("paper"), settings)
    show_details = shows_details(ticket)
    figures, payments = ticket_money(ticket) if show_details else (None, [])
    texts = intake_texts(ticket, settings, paper)
    link = status_url(ticket)
    return render_template(
        "repairs/intake_form.html",
        ticket=ticket,
        paper=paper,
        papers=INTAKE_PAPERS,
        copy=count_prints(ticket, INTAKE_FORM) + 1,
        print_url=url_for("repairs.print_intake_form", ticket_id=ticket.id),
        shop={
            **settings,
            "SHOP_ADDRESS": texts["shop_address"],
            "SHOP_PHONES": texts["shop_phones"],
        },
        money=peso_formatter(settings),
        show_details=show_details,
        figures=figures,
        payments=payments,
        methods=METHOD_LABELS,
        condition_checks=CONDITION_CHECKS,
        texts=texts,
        boxes=INTAKE_BOXES[paper],
        status_link=link,
        status_qr=qr_svg(link),
        status_lookup=status_lookup_url(),
    )


@bp.get("/<int:ticket_id>/release-receipt")
@requires("repairs.view_details")
def release_receipt(ticket_id: int) -> ResponseReturnValue:
    """Print a released device's receipt (?paper=80mm|58mm|A4); reprints say so."""
    ticket = ticket_or_404(ticket_id)
    if not shows_details(ticket):
        abort(403)  # a TECH's receipt is for the tickets assigned to them
    if ticket.status != RepairStatus.RELEASED:
        flash(
            f"{ticket.number} is not released yet: its release receipt prints "
            "once the device goes back to the customer.",
            "warning",
        )
        return redirect(url_for("repairs.detail", ticket_id=ticket.id))
    settings = current_settings()
    paper = paper_for_this_computer(settings)
    figures, payments = ticket_money(ticket)
    page = render_template(
        "repairs/release_receipt.html",
        ticket=ticket,
        paper=paper,
        papers=RECEIPT_FORMATS,
        copy=count_prints(ticket, RELEASE_RECEIPT) + 1,
        print_url=url_for("repairs.print_release_receipt", ticket_id=ticket.id),
        shop=settings,
        money=peso_formatter(settings),
        figures=figures,
        payments=payments,
        credit_centavos=credit_at_release(ticket, payments, figures),
        methods=METHOD_LABELS,
    )
    return remember_paper(make_response(page), paper)


@bp.post("/<int:ticket_id>/intake-form/prints")
@requires("repairs.view")
def print_intake_form(ticket_id: int) -> ResponseReturnValue:
    """Record that the intake form is being printed; answer with its copy number."""
    ticket = ticket_or_404(ticket_id)
    copy = record_print(
        ticket, INTAKE_FORM, asked_paper(choose_intake_paper), signed_in_user()
    )
    db.session.commit()
    return jsonify({"number": ticket.number, "copy": copy})


@bp.post("/<int:ticket_id>/release-receipt/prints")
@requires("repairs.view_details")
def print_release_receipt(ticket_id: int) -> ResponseReturnValue:
    """Record that the release receipt is being printed; answer with its copy."""
    ticket = ticket_or_404(ticket_id)
    if not shows_details(ticket):
        abort(403)
    if ticket.status != RepairStatus.RELEASED:
        abort(409)
    copy = record_print(
        ticket, RELEASE_RECEIPT, asked_paper(choose_format), signed_in_user()
    )
    db.session.commit()
    return jsonify({"number": ticket.number, "copy": copy})
