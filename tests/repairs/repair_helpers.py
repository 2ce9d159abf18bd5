"""Small helpers for repair tests: money handed over, walking a ticket along."""

from __future__ import annotations

from sqlalchemy import func, select

from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.repairs.models import RepairStatus, RepairTicket
from jcicons.repairs.services import change_status
from jcicons.sales.models import Payment
from jcicons.sales.services import PaymentInput, PaymentMethod

S = RepairStatus

# The moves that bring a new ticket to each status.
PATHS: dict[RepairStatus, list[RepairStatus]] = {
    S.RECEIVED: [],
    S.DIAGNOSING: [S.DIAGNOSING],
    S.WAITING_APPROVAL: [S.DIAGNOSING, S.WAITING_APPROVAL],
    S.WAITING_PARTS: [S.DIAGNOSING, S.WAITING_PARTS],
    S.IN_REPAIR: [S.DIAGNOSING, S.IN_REPAIR],
    S.READY: [S.DIAGNOSING, S.IN_REPAIR, S.READY],
    S.CANCELLED: [S.CANCELLED],
    S.UNREPAIRABLE: [S.UNREPAIRABLE],
    S.PULLED_OUT: [S.PULLED_OUT],
}


def cash(amount: int, tendered: int | None = None) -> PaymentInput:
    """Return a cash payment of `amount` centavos."""
    return PaymentInput(PaymentMethod.CASH, amount, tendered_centavos=tendered)


def gcash(amount: int, reference: str = "GC-0001") -> PaymentInput:
    """Return a GCash payment (or refund) of `amount` centavos."""
    return PaymentInput(PaymentMethod.GCASH, amount, reference=reference)


def walk_to(ticket: RepairTicket, status: RepairStatus, actor: User) -> None:
    """Move a new ticket to `status` along the workflow."""
    for step in PATHS[status]:
        change_status(ticket, step, actor)


def ledger_rows(ticket_id: int) -> list[tuple[int, str, str]]:
    """Return (amount, method, note) of a ticket's payment rows, oldest first."""
    rows = db.session.execute(
        select(Payment.amount_centavos, Payment.method, Payment.note)
        .where(Payment.repair_ticket_id == ticket_id)
        .order_by(Payment.id)
    )
    return [(int(a), str(m), str(n)) for a, m, n in rows]


def count(model: type) -> int:
    """Return how many rows a table holds."""
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)
