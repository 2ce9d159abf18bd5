"""Release, warranty and comebacks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from jcicons.audit.services import record_audit
from jcicons.clock import shop_today, utcnow
from jcicons.exceptions import DomainError
from jcicons.money import format_pesos
from jcicons.repairs.models import (
    STATUS_LABELS,
    DeviceType,
    RepairEventKind,
    RepairStatus,
    RepairTicket,
)
from jcicons.repairs.services.intake import IntakeData, create_ticket
from jcicons.repairs.services.money import ticket_figures
from jcicons.repairs.services.rules import (
    RELEASABLE,
    InvalidTransition,
    hold_ticket,
    record_event,
    require_collect,
)

if TYPE_CHECKING:
    from jcicons.auth.models import User

_S = RepairStatus


# Release and warranty -------------------------------------------------------------


def warranty_end(ticket: RepairTicket, released_on: date) -> date | None:
    """Return the warranty's last day: the longest warranty of its labour lines.

    A comeback does not restart the warranty: it keeps the original's end date.
    Tickets that end in a side exit carry no warranty.
    """
    if ticket.original_ticket is not None:
        return ticket.original_ticket.warranty_until
    if ticket.status != _S.READY:
        return None
    days = max(
        (s.warranty_days for s in ticket.services if s.removed_at is None), default=0
    )
    return released_on + timedelta(days=days) if days else None


def release_ticket(
    ticket: RepairTicket,
    released_to_name: str,
    id_shown: str,
    actor: User,
    on_credit: bool = False,
    credit_reason: str = "",
) -> None:
    """Hand the device back: balance settled (or ADMIN's release on credit).

    Records who released it, to whom and when, sets the warranty end, and erases the
    device passcode. Raises DomainError.
    """
    require_collect(actor)
    hold_ticket(ticket)
    current = RepairStatus(ticket.status)
    if current not in RELEASABLE:
        raise InvalidTransition(
            f"A ticket that is {STATUS_LABELS[current]} cannot be released yet: "
            "mark it ready for pickup first (or cancel it).",
        )
    name = " ".join(released_to_name.split())
    if not name:
        raise DomainError(
            "Write the name of the person taking the device.", "released_to_name"
        )
    figures = ticket_figures(ticket)
    if figures.balance_centavos < 0:
        raise DomainError(
            f"The customer paid {format_pesos(-figures.balance_centavos)} more than "
            "the charges: refund it before the release.",
            field="balance",
        )
    if figures.balance_centavos > 0:
        if not on_credit:
            raise DomainError(
                f"{format_pesos(figures.balance_centavos)} is still owed: take the "
                "payment first, or have an ADMIN release it on credit.",
                field="balance",
            )
        if actor.role != "ADMIN":
            raise DomainError("Only an ADMIN can release a device on credit.")
        credit_reason = credit_reason.strip()
        if not credit_reason:
            raise DomainError(
                "Give the reason for releasing on credit.", "credit_reason"
            )
    elif on_credit:
        on_credit = False  # nothing owed: an ordinary release
    today = shop_today()
    ticket.warranty_until = warranty_end(ticket, today)
    ticket.final_charges_centavos = figures.charges_centavos
    ticket.status = _S.RELEASED.value
    ticket.released_at = utcnow()
    ticket.released_by_id = actor.id
    ticket.released_to_name = name[:120]
    ticket.released_to_id_shown = id_shown.strip()[:120]
    ticket.released_on_credit = on_credit
    ticket.credit_reason = credit_reason.strip()[:500] if on_credit else ""
    ticket.passcode_encrypted = None
    note = (
        f"Released to {name}"
        + (
            f" on credit ({format_pesos(figures.balance_centavos)}): "
            f"{ticket.credit_reason}"
            if on_credit
            else ""
        )
        + "."
    )
    record_event(
        ticket,
        actor,
        RepairEventKind.STATUS,
        from_status=current.value,
        to_status=_S.RELEASED.value,
        note=note,
    )
    record_audit(
        actor,
        "repair.release",
        "repair_ticket",
        ticket.id,
        {"status": current.value},
        {
            "status": _S.RELEASED.value,
            "released_to": name,
            "on_credit": on_credit,
            "balance_centavos": figures.balance_centavos,
            "warranty_until": ticket.warranty_until.isoformat()
            if ticket.warranty_until
            else None,
        },
    )


def open_comeback(
    original: RepairTicket, problem: str, actor: User, allow_expired: bool = False
) -> RepairTicket:
    """Open a warranty comeback: a new ticket linked to the original, labour free.

    The original must have been released with a warranty still running today.
    """
    if original.status != _S.RELEASED or original.warranty_until is None:
        raise DomainError(f"{original.number} has no warranty to come back under.")
    if original.warranty_until < shop_today() and not allow_expired:
        raise DomainError(
            f"The warranty of {original.number} ended on "
            f"{original.warranty_until.isoformat()}."
        )
    if original.original_ticket_id is not None:
        original = original.original_ticket or original
    data = IntakeData(
        customer_id=original.customer_id,
        department_id=original.department_id,
        device_type=DeviceType(original.device_type),
        device_name=original.device_name,
        brand=original.brand,
        model=original.model,
        serial_number=original.serial_number,
        problem=problem,
        allow_duplicate_serial=True,
    )
    return create_ticket(data, actor, original=original)
