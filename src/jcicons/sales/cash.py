"""The end-of-day drawer count and the money a business day took in.

Each cashier counts their own drawer: the expected cash is what the ledger says
they took in cash that day, less the cash refunds they gave. A count can be redone
on the shop day it was made; every count and recount is audited.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from jcicons.audit.services import record_audit
from jcicons.clock import business_day_bounds, shop_today, to_shop_time, utcnow
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.sales.models import CashCount, Payment, PaymentMethod
from jcicons.sales.queries import cash_by_cashier

if TYPE_CHECKING:
    from jcicons.auth.models import User

logger = logging.getLogger(__name__)

MAX_COUNT_DAYS_BACK = 31  # how far back a forgotten drawer count may be recorded


def money_by_method(day: date) -> dict[str, int]:
    """Return the money received (refunds netted) per method on one business day.

    Store credit is not money and is left out.
    """
    start, end = business_day_bounds(day)
    rows = db.session.execute(
        select(Payment.method, func.sum(Payment.amount_centavos))
        .where(Payment.created_at >= start, Payment.created_at < end)
        .where(Payment.method != PaymentMethod.STORE_CREDIT.value)
        .group_by(Payment.method)
    ).all()
    return {str(method): int(total or 0) for method, total in rows}


def _check_count_day(day: date) -> None:
    """Allow a drawer count of today or of the last MAX_COUNT_DAYS_BACK days.

    Raises DomainError for a day still to come or one too far back.
    """
    today = shop_today()
    if day > today:
        raise DomainError(
            f"{day.isoformat()} has not come yet: count the cash at the end of the "
            "day.",
            field="counted",
        )
    earliest = today - timedelta(days=MAX_COUNT_DAYS_BACK)
    if day < earliest:
        raise DomainError(
            f"A cash count goes back at most {MAX_COUNT_DAYS_BACK} days, to "
            f"{earliest.isoformat()}.",
            field="counted",
        )


def can_count_day(day: date) -> bool:
    """Return True when a drawer count of `day` may be recorded now."""
    try:
        _check_count_day(day)
    except DomainError:
        return False
    return True


def _count_figures(count: CashCount) -> dict[str, Any]:
    return {
        "business_date": count.business_date.isoformat(),
        "expected_centavos": count.expected_centavos,
        "counted_centavos": count.counted_centavos,
        "variance_centavos": count.variance_centavos,
        "note": count.note,
    }


def can_recount(count: CashCount) -> bool:
    """Return True while a count may be redone: on the shop day it was recorded."""
    last = count.recounted_at or count.created_at
    return to_shop_time(last).date() == shop_today()


def record_cash_count(
    day: date, counted_centavos: int, actor: User, note: str = ""
) -> CashCount:
    """Record the actor's counted cash of a business day against what they took.

    The expected cash is the cash the actor took that day less the cash refunds
    they gave, from the ledger. A second count of the same day by the same cashier,
    made on the shop day of their first, replaces it (audited with before and
    after). Raises DomainError for a negative amount, a day still to come, a day
    more than MAX_COUNT_DAYS_BACK days back, or a recount on a later day.
    """
    if counted_centavos < 0:
        raise DomainError("Counted cash cannot be negative.", field="counted")
    _check_count_day(day)
    expected = cash_by_cashier(day).get(actor.id, 0)
    existing = db.session.scalar(
        select(CashCount).where(
            CashCount.business_date == day, CashCount.counted_by_id == actor.id
        )
    )
    if existing is not None:
        return _recount(existing, expected, counted_centavos, actor, note)
    count = CashCount(
        business_date=day,
        expected_centavos=expected,
        counted_centavos=counted_centavos,
        variance_centavos=counted_centavos - expected,
        note=note.strip()[:500],
        counted_by_id=actor.id,
    )
    db.session.add(count)
    db.session.flush()
    record_audit(
        actor, "cash.count", "cash_count", count.id, None, _count_figures(count)
    )
    logger.info("cash count of %s by %s", day.isoformat(), actor.username)
    return count


def _recount(
    count: CashCount, expected: int, counted_centavos: int, actor: User, note: str
) -> CashCount:
    """Replace a cashier's count of a day with a recount made the same shop day."""
    if not can_recount(count):
        raise DomainError(
            "You already recorded the cash count of that day, and it can only be "
            "redone on the day you made it.",
            field="counted",
        )
    before = _count_figures(count)
    count.expected_centavos = expected
    count.counted_centavos = counted_centavos
    count.variance_centavos = counted_centavos - expected
    count.note = note.strip()[:500]
    count.recounted_at = utcnow()
    db.session.flush()
    record_audit(
        actor, "cash.recount", "cash_count", count.id, before, _count_figures(count)
    )
    logger.info("cash recount of %s by %s", count.business_date, actor.username)
    return count
