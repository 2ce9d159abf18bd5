"""The repair invariants that `check-integrity` proves.

The parts on a ticket are what the stock ledger took out for it (a part removed
twice, or added to a released ticket, shows here); a released ticket kept the
charges its lines make, was settled unless released on credit, and no longer holds
the passcode; ticket numbers run without a gap within each year.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, or_, select

from jcicons.db import sum_or_zero
from jcicons.extensions import db
from jcicons.inventory.models import StockMovement
from jcicons.numbering import Counter, sequence_problems
from jcicons.repairs.models import RepairPart, RepairService, RepairStatus, RepairTicket
from jcicons.repairs.services.rules import TICKET_COUNTER, TICKET_PREFIX
from jcicons.sales.models import Payment


def repair_problems() -> list[str]:
    """Return one sentence per broken repair invariant (empty when all hold)."""
    return _parts_problems() + _release_problems() + _number_problems()


def _parts_problems() -> list[str]:
    """Per ticket and product, the ledger took out what the ticket's parts hold."""
    on_ticket = db.session.execute(
        select(
            RepairPart.ticket_id,
            RepairPart.product_id,
            sum_or_zero(RepairPart.quantity),
        )
        .where(RepairPart.removed_at.is_(None))
        .group_by(RepairPart.ticket_id, RepairPart.product_id)
    )
    expected: dict[tuple[int, int], int] = defaultdict(int)
    for ticket_id, product_id, quantity in on_ticket:
        expected[int(ticket_id), int(product_id)] = int(quantity)
    moved = db.session.execute(
        select(
            StockMovement.reference_id,
            StockMovement.product_id,
            sum_or_zero(StockMovement.quantity),
        )
        .where(StockMovement.reference_type == "repair")
        .group_by(StockMovement.reference_id, StockMovement.product_id)
    )
    out: dict[tuple[int, int], int] = defaultdict(int)
    for ticket_id, product_id, quantity in moved:
        out[int(ticket_id), int(product_id)] = -int(quantity)
    wrong = sorted(k for k in expected.keys() | out.keys() if expected[k] != out[k])
    if not wrong:
        return []
    numbers: dict[int, str] = dict(
        db.session.execute(
            select(RepairTicket.id, RepairTicket.number).where(
                RepairTicket.id.in_({ticket_id for ticket_id, _ in wrong})
            )
        ).all()
    )
    return [
        f"{numbers.get(ticket, f'ticket {ticket}')}: {expected[ticket, product]} of "
        f"product {product} on the ticket, but the ledger took out "
        f"{out[ticket, product]}"
        for ticket, product in wrong
    ]


def _release_problems() -> list[str]:
    """Released tickets keep their charges and were settled or put on credit; open
    ones have no final charges; no released ticket keeps the passcode."""
    labour = (
        select(
            RepairService.ticket_id,
            sum_or_zero(RepairService.price_centavos).label("c"),
        )
        .where(RepairService.removed_at.is_(None))
        .group_by(RepairService.ticket_id)
        .subquery()
    )
    parts = (
        select(
            RepairPart.ticket_id,
            sum_or_zero(RepairPart.unit_price_centavos * RepairPart.quantity).label(
                "c"
            ),
        )
        .where(RepairPart.removed_at.is_(None))
        .group_by(RepairPart.ticket_id)
        .subquery()
    )
    paid = (
        select(
            Payment.repair_ticket_id, sum_or_zero(Payment.amount_centavos).label("c")
        )
        .where(Payment.repair_ticket_id.is_not(None))
        .group_by(Payment.repair_ticket_id)
        .subquery()
    )
    net = (
        RepairTicket.diagnostic_fee_centavos
        + func.coalesce(labour.c.c, 0)
        + func.coalesce(parts.c.c, 0)
        - RepairTicket.discount_centavos
        - RepairTicket.waived_centavos
    )
    charges = case((net > 0, net), else_=0)
    received = func.coalesce(paid.c.c, 0)
    released = RepairTicket.status == RepairStatus.RELEASED.value
    final = RepairTicket.final_charges_centavos
    charges_off = released & (final.is_(None) | (final != charges))
    unsettled = released & ~RepairTicket.released_on_credit & (received < final)
    open_with_final = ~released & final.is_not(None)
    passcode_kept = released & RepairTicket.passcode_encrypted.is_not(None)
    rows = db.session.execute(
        select(
            RepairTicket.number,
            charges_off,
            unsettled,
            open_with_final,
            passcode_kept,
        )
        .outerjoin(labour, labour.c.ticket_id == RepairTicket.id)
        .outerjoin(parts, parts.c.ticket_id == RepairTicket.id)
        .outerjoin(paid, paid.c.repair_ticket_id == RepairTicket.id)
        .where(or_(charges_off, unsettled, open_with_final, passcode_kept))
        .order_by(RepairTicket.id)
    )
    problems = []
    for number, *broken in rows:
        charges_wrong, not_settled, open_final, passcode = (bool(b) for b in broken)
        if charges_wrong:
            problems.append(
                f"{number}: released, but its final charges are not what its lines make"
            )
        if not_settled:
            problems.append(f"{number}: released with money owed and not on credit")
        if open_final:
            problems.append(f"{number}: not released, but it has final charges")
        if passcode:
            problems.append(f"{number}: released, but the passcode was not erased")
    return problems


def _number_problems() -> list[str]:
    """Each year's tickets are numbered from 1 to that year's counter."""
    by_year: dict[str, list[str]] = defaultdict(list)
    for number in db.session.scalars(select(RepairTicket.number)):
        _, _, rest = number.partition(f"{TICKET_PREFIX}-")
        year, _, _ = rest.partition("-")
        by_year[year].append(number)
    counted = db.session.scalars(
        select(Counter.key).where(Counter.key.startswith(TICKET_COUNTER))
    )
    for key in counted:
        by_year.setdefault(key.removeprefix(TICKET_COUNTER), [])
    problems = []
    for year, numbers in sorted(by_year.items()):
        problems += sequence_problems(
            f"Repair tickets of {year or '(no year)'}",
            f"{TICKET_COUNTER}{year}",
            numbers,
            f"{TICKET_PREFIX}-{year}-",
        )
    return problems
