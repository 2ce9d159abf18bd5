"""Statuses, notes, the diagnosis and technicians."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import update

from jcicons.audit.services import record_audit
from jcicons.clock import utcnow
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.repairs.models import (
    SIDE_EXITS,
    STATUS_LABELS,
    EstimateDecision,
    RepairEvent,
    RepairEventKind,
    RepairStatus,
    RepairTicket,
)
from jcicons.repairs.services.rules import (
    NEEDS_APPROVAL,
    TRANSITIONS,
    InvalidTransition,
    chosen_technician,
    hold_open_ticket,
    hold_ticket,
    record_event,
    require_open,
    require_work,
)

if TYPE_CHECKING:
    from jcicons.auth.models import User

_S = RepairStatus


# Statuses, notes, technicians -------------------------------------------------------


def change_status(
    ticket: RepairTicket, to: RepairStatus, actor: User, note: str = ""
) -> None:
    """Move a ticket along the workflow, with a timeline entry and an audit row.

    Raises InvalidTransition for a move the workflow does not allow, and DomainError
    when an estimate was asked for and the customer has not approved it: the repair
    does not go on (nor is the device made ready) on a declined or unanswered
    estimate, whichever way the ticket travelled since. Asking again with a revised
    estimate clears the earlier answer.
    """
    hold_ticket(ticket)
    require_work(ticket, actor)
    current = RepairStatus(ticket.status)
    if to not in TRANSITIONS[current]:
        raise InvalidTransition(
            f"A ticket that is {STATUS_LABELS[current]} cannot go to "
            f"{STATUS_LABELS[to]}.",
            field="status",
        )
    decision = EstimateDecision(ticket.estimate_decision)
    # Asked: by a move to Waiting for approval, or an answer taken at the counter.
    asked = ticket.estimate_requested_at is not None or current == _S.WAITING_APPROVAL
    if to in NEEDS_APPROVAL and decision == EstimateDecision.DECLINED:
        raise DomainError(
            "The customer declined the estimate: ask again with a revised estimate "
            "(Waiting for approval) and record their yes, or close the ticket.",
            field="status",
        )
    if to in NEEDS_APPROVAL and asked and decision != EstimateDecision.APPROVED:
        raise DomainError(
            "Record the customer's approval of the estimate before the repair goes on.",
            field="status",
        )
    if to == _S.WAITING_APPROVAL:
        # Asking again is a new estimate: the earlier answer stays in the timeline.
        ticket.estimate_decision = EstimateDecision.PENDING.value
        ticket.estimate_requested_at = utcnow()
    ticket.status = to.value
    if to == _S.READY:
        ticket.ready_at = utcnow()
    record_event(
        ticket,
        actor,
        RepairEventKind.STATUS,
        from_status=current.value,
        to_status=to.value,
        note=note.strip(),
    )
    record_audit(
        actor,
        "repair.status",
        "repair_ticket",
        ticket.id,
        {"status": current.value},
        {"status": to.value, "note": note.strip()[:200]},
    )
    db.session.flush()


def reopen_ticket(ticket: RepairTicket, actor: User, reason: str) -> None:
    """Bring a cancelled, unrepairable or pulled-out ticket back (ADMIN only)."""
    if actor.role != "ADMIN":
        raise DomainError("Only an ADMIN can reopen a closed ticket.")
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the reason for reopening the ticket.", field="reason")
    hold_ticket(ticket)
    current = RepairStatus(ticket.status)
    if current not in SIDE_EXITS:
        raise InvalidTransition(
            f"Only a cancelled, unrepairable or pulled-out ticket can be reopened; "
            f"this one is {STATUS_LABELS[current]}.",
        )
    ticket.status = _S.DIAGNOSING.value
    record_event(
        ticket,
        actor,
        RepairEventKind.STATUS,
        from_status=current.value,
        to_status=_S.DIAGNOSING.value,
        note=f"Reopened: {reason}",
    )
    record_audit(
        actor,
        "repair.reopen",
        "repair_ticket",
        ticket.id,
        {"status": current.value},
        {"status": _S.DIAGNOSING.value, "reason": reason},
    )


def add_note(ticket: RepairTicket, text: str, actor: User) -> RepairEvent:
    """Add a note to the timeline (diagnosis findings, what was tried, ...).

    Notes are work on the ticket: only its TECH or an ADMIN writes them (the
    counter keeps its calls to the customer on the customer's own notes). Raises
    DomainError.
    """
    require_work(ticket, actor)
    text = text.strip()
    if not text:
        raise DomainError("Write the note first.", field="note")
    return record_event(ticket, actor, RepairEventKind.NOTE, note=text)


def set_diagnosis(ticket: RepairTicket, text: str, actor: User) -> None:
    """Record the technician's diagnosis."""
    require_work(ticket, actor)
    require_open(ticket)
    before = ticket.diagnosis
    ticket.diagnosis = text.strip()[:2000]
    record_event(
        ticket, actor, RepairEventKind.NOTE, note=f"Diagnosis: {ticket.diagnosis}"
    )
    record_audit(
        actor,
        "repair.diagnosis",
        "repair_ticket",
        ticket.id,
        {"diagnosis": before},
        {"diagnosis": ticket.diagnosis},
    )


def assign_technician(
    ticket: RepairTicket, technician_id: int | None, actor: User
) -> None:
    """Give the ticket to a technician, or back to the unassigned queue."""
    hold_open_ticket(ticket)
    technician = chosen_technician(technician_id)
    before = ticket.technician_id
    new = technician.id if technician else None
    if before == new:
        return
    ticket.technician_id = new
    note = (
        f"Assigned to {technician.full_name or technician.username}."
        if technician
        else "Back to the unassigned queue."
    )
    record_event(ticket, actor, RepairEventKind.ASSIGNED, technician_id=new, note=note)
    record_audit(
        actor,
        "repair.assign",
        "repair_ticket",
        ticket.id,
        {"technician_id": before},
        {"technician_id": new},
    )


def take_ticket(ticket: RepairTicket, actor: User) -> None:
    """A TECH takes an unassigned ticket; of two taking it at once, one gets it."""
    require_open(ticket)
    taken = db.session.execute(
        update(RepairTicket)
        .where(RepairTicket.id == ticket.id, RepairTicket.technician_id.is_(None))
        .values(technician_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError("Someone took this ticket first.")
    db.session.expire(ticket, ["technician_id"])
    record_event(
        ticket,
        actor,
        RepairEventKind.ASSIGNED,
        technician_id=actor.id,
        note=f"Taken by {actor.full_name or actor.username}.",
    )
    record_audit(
        actor,
        "repair.take",
        "repair_ticket",
        ticket.id,
        {"technician_id": None},
        {"technician_id": actor.id},
    )
