"""Receipts: which paper to print on, the peso sign, and the record of prints.

Every time a receipt is shown for printing an audit row "sale.print" is written,
so the second and later prints of one sale are marked REPRINT.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from jcicons.audit.models import AuditEvent
from jcicons.audit.services import record_audit
from jcicons.extensions import db
from jcicons.money import PESO_SIGN, format_pesos
from jcicons.settings.services import RECEIPT_FORMATS

if TYPE_CHECKING:
    from jcicons.auth.models import User
    from jcicons.sales.models import Sale

logger = logging.getLogger(__name__)

PRINT_ACTION = "sale.print"
FALLBACK_SIGN = "PHP "
TEMPLATES = {
    "80mm": "sales/receipt_thermal.html",
    "58mm": "sales/receipt_thermal.html",
    "A4": "sales/receipt_a4.html",
}


def choose_format(asked: str | None, settings: Mapping[str, Any]) -> str:
    """Return the paper asked for this print, or the shop's default paper."""
    if asked in RECEIPT_FORMATS:
        return str(asked)
    default = settings.get("RECEIPT_FORMAT", "80mm")
    return str(default) if default in RECEIPT_FORMATS else "80mm"


def peso_formatter(settings: Mapping[str, Any]) -> Callable[[int | None], str]:
    """Return the money formatter of receipts ("PHP " when the printer lacks ₱)."""
    symbol = FALLBACK_SIGN if settings.get("PESO_SIGN_FALLBACK") else PESO_SIGN

    def pesos(centavos: int | None) -> str:
        return format_pesos(centavos, symbol)

    return pesos


def count_prints(sale: Sale) -> int:
    """Return how many times the receipt of a sale was printed."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == PRINT_ACTION,
                AuditEvent.entity_type == "sale",
                AuditEvent.entity_id == str(sale.id),
            )
        )
        or 0
    )


def record_print(sale: Sale, paper: str, actor: User) -> int:
    """Record one print of a sale's receipt; return which copy it is (1 = original)."""
    copy = count_prints(sale) + 1
    record_audit(
        actor,
        PRINT_ACTION,
        "sale",
        sale.id,
        None,
        {"number": sale.number, "copy": copy, "format": paper},
    )
    db.session.flush()
    logger.info("receipt %s copy %s printed by %s", sale.number, copy, actor.username)
    return copy
