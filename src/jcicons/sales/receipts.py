"""Receipts and credit memos: which paper to print on, the peso sign, and the record
of prints.

A print is recorded (an audit row "sale.print" or "credit_memo.print") when the
Print button is pressed, not when the page is shown: switching paper or reloading
prints nothing. A page shows REPRINT once an earlier print of it was recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Response, current_app, request
from sqlalchemy import func, select

from jcicons.audit.models import AuditEvent
from jcicons.audit.services import record_audit
from jcicons.extensions import db
from jcicons.money import PESO_SIGN, format_pesos
from jcicons.settings.services import RECEIPT_FORMATS, current_settings

if TYPE_CHECKING:
    from jcicons.auth.models import User
    from jcicons.sales.models import CreditMemo, Sale

logger = logging.getLogger(__name__)

# Each counter PC prints on its own printer: the paper chosen on a receipt page is
# remembered by that browser, and the shop's setting is the default for the rest.
PAPER_COOKIE = "jcicons_paper"
PAPER_COOKIE_DAYS = 400
PRINT_ACTION = "sale.print"
MEMO_PRINT_ACTION = "credit_memo.print"
FALLBACK_SIGN = "PHP "
TEMPLATES = {
    "80mm": "sales/receipt_thermal.html",
    "58mm": "sales/receipt_thermal.html",
    "A4": "sales/receipt_a4.html",
}
MEMO_TEMPLATES = {
    "80mm": "sales/credit_memo_thermal.html",
    "58mm": "sales/credit_memo_thermal.html",
    "A4": "sales/credit_memo_a4.html",
}


def choose_format(asked: str | None, settings: Mapping[str, Any]) -> str:
    """Return the paper asked for this print, or the shop's default paper."""
    if asked in RECEIPT_FORMATS:
        return str(asked)
    default = settings.get("RECEIPT_FORMAT", "80mm")
    return str(default) if default in RECEIPT_FORMATS else "80mm"


def paper_for_this_computer(settings: Mapping[str, Any]) -> str:
    """Return the paper of this print: ?paper=, else the one this browser chose
    last, else the shop's default."""
    asked = request.args.get("paper") or request.cookies.get(PAPER_COOKIE)
    return choose_format(asked, settings)


def remember_paper(response: Response, paper: str) -> Response:
    """Make a paper picked on this page the browser's choice for the next prints."""
    if request.args.get("paper") == paper:
        response.set_cookie(
            PAPER_COOKIE,
            paper,
            max_age=PAPER_COOKIE_DAYS * 24 * 3600,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
    return response


def peso_formatter(settings: Mapping[str, Any]) -> Callable[[int | None], str]:
    """Return the money formatter of receipts ("PHP " when the printer lacks ₱)."""
    symbol = FALLBACK_SIGN if settings.get("PESO_SIGN_FALLBACK") else PESO_SIGN

    def pesos(centavos: int | None) -> str:
        return format_pesos(centavos, symbol)

    return pesos


def asked_paper(choose: Callable[[str, Mapping[str, Any]], str]) -> str:
    """Return the paper a Print button says it printed on (JSON or form), as
    `choose` reads it against the shop's settings."""
    payload = request.get_json(silent=True)
    asked = payload.get("paper") if isinstance(payload, dict) else None
    return choose(str(asked or request.form.get("paper") or ""), current_settings())


def count_document_prints(action: str, entity_type: str, entity_id: int) -> int:
    """Return how many prints of a document (sale, memo, ticket paper) were recorded."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == action,
                AuditEvent.entity_type == entity_type,
                AuditEvent.entity_id == str(entity_id),
            )
        )
        or 0
    )


def record_document_print(
    action: str,
    entity_type: str,
    entity_id: int,
    number: str,
    paper: str,
    actor: User,
) -> int:
    """Record one print of a document as an audit row; return which copy it is."""
    copy = count_document_prints(action, entity_type, entity_id) + 1
    record_audit(
        actor,
        action,
        entity_type,
        entity_id,
        None,
        {"number": number, "copy": copy, "format": paper},
    )
    db.session.flush()
    logger.info("%s copy %s printed by %s", number, copy, actor.username)
    return copy


def count_prints(sale: Sale) -> int:
    """Return how many times the receipt of a sale was printed."""
    return count_document_prints(PRINT_ACTION, "sale", sale.id)


def record_print(sale: Sale, paper: str, actor: User) -> int:
    """Record one print of a sale's receipt; return which copy it is (1 = original)."""
    return record_document_print(
        PRINT_ACTION, "sale", sale.id, sale.number, paper, actor
    )


def count_memo_prints(memo: CreditMemo) -> int:
    """Return how many times a credit memo was printed."""
    return count_document_prints(MEMO_PRINT_ACTION, "credit_memo", memo.id)


def record_memo_print(memo: CreditMemo, paper: str, actor: User) -> int:
    """Record one print of a credit memo; return which copy it is (1 = original)."""
    return record_document_print(
        MEMO_PRINT_ACTION, "credit_memo", memo.id, memo.number, paper, actor
    )
