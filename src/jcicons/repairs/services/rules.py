"""The ticket rules every repair service shares: the workflow, who may act on a
ticket, holding it, and its timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jcicons.db import hold_rows
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.repairs.models import (
    SIDE_EXITS,
    RepairEvent,
    RepairEventKind,
    RepairStatus,
    RepairTicket,
)
from jcicons.security.capabilities import current_toggles, role_can

if TYPE_CHECKING:
    from jcicons.auth.models import User


_S = RepairStatus

# Where a ticket may go next by hand. Release is its own step (release_ticket), and
# reopening a side exit is ADMIN's (reopen_ticket).
TRANSITIONS: dict[RepairStatus, frozenset[RepairStatus]] = {
    _S.RECEIVED: frozenset({_S.DIAGNOSING} | SIDE_EXITS),
    _S.DIAGNOSING: frozenset(
        {_S.WAITING_APPROVAL, _S.WAITING_PARTS, _S.IN_REPAIR, _S.READY} | SIDE_EXITS
    ),
    _S.WAITING_APPROVAL: frozenset(
        {_S.DIAGNOSING, _S.WAITING_PARTS, _S.IN_REPAIR} | SIDE_EXITS
    ),
    _S.WAITING_PARTS: frozenset({_S.IN_REPAIR} | SIDE_EXITS),
    _S.IN_REPAIR: frozenset({_S.WAITING_PARTS, _S.READY} | SIDE_EXITS),
    _S.READY: frozenset({_S.IN_REPAIR}),
    _S.RELEASED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.UNREPAIRABLE: frozenset(),
    _S.PULLED_OUT: frozenset(),
}
# Statuses that need the customer's yes to the estimate when it was asked for.
NEEDS_APPROVAL = frozenset({_S.WAITING_PARTS, _S.IN_REPAIR, _S.READY})
# A ticket in one of these can be released to the customer.
RELEASABLE = frozenset({_S.READY} | SIDE_EXITS)

TICKET_PREFIX = "RT"
# Ticket numbers count per year: the counter of 2026 is "repair_ticket:2026".
TICKET_COUNTER = "repair_ticket:"


class InvalidTransition(DomainError):
    """A status change the workflow does not allow."""


class DuplicateSerial(DomainError):
    """The serial number is on another open ticket."""

    def __init__(self, tickets: list[RepairTicket]) -> None:
        numbers = ", ".join(ticket.number for ticket in tickets)
        super().__init__(
            f"This serial number is on an open ticket already ({numbers}). Check it "
            "is not the same device, then confirm to open another ticket.",
            field="serial_number",
        )
        self.tickets = tickets


def chosen_technician(technician_id: int | None) -> User | None:
    from jcicons.auth.models import User

    if technician_id is None:
        return None
    user = db.session.get(User, technician_id)
    if user is None or not user.is_active or user.role not in {"TECH", "ADMIN"}:
        raise DomainError("Choose an active technician.", field="technician")
    return user


def record_event(
    ticket: RepairTicket,
    actor: User | None,
    kind: RepairEventKind,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    technician_id: int | None = None,
    note: str = "",
) -> RepairEvent:
    event = RepairEvent(
        ticket=ticket,
        kind=kind.value,
        from_status=from_status,
        to_status=to_status,
        technician_id=technician_id,
        note=note[:2000],
        actor_id=actor.id if actor is not None else None,
    )
    db.session.add(event)
    return event


# Who may touch a ticket ------------------------------------------------------------


def may_work(ticket: RepairTicket, user: User) -> bool:
    """Return True when `user` may work the ticket (ADMIN, or its own TECH)."""
    if user.role == "ADMIN":
        return True
    return user.role == "TECH" and ticket.technician_id == user.id


def require_work(ticket: RepairTicket, actor: User) -> None:
    if not may_work(ticket, actor):
        raise DomainError(
            "Only the assigned technician or an ADMIN can work this ticket."
        )


def require_collect(actor: User) -> None:
    if not role_can(actor.role, "repairs.collect", current_toggles()):
        raise DomainError("Only the counter or an ADMIN handles a ticket's money.")


def require_open(ticket: RepairTicket) -> None:
    if not ticket.is_open:
        raise DomainError(
            f"{ticket.number} was released: its parts, labour and charges are locked."
        )


def hold_ticket(ticket: RepairTicket) -> None:
    """Lock the ticket until commit and read it afresh (two counters take turns).

    Everything that changes a ticket's lines, money, status or technician holds it
    first, so that a release, a payment and an added part never work from each
    other's stale figures; who may act is checked after the hold, against the
    technician a reassignment may just have changed.
    """
    hold_rows(db.session, RepairTicket, RepairTicket.id == ticket.id)


def hold_open_ticket(ticket: RepairTicket) -> None:
    """Hold the ticket, then refuse when it was released meanwhile."""
    hold_ticket(ticket)
    require_open(ticket)
