"""Printed sales documents: the receipt or invoice of a sale and the credit memo of
a return, on 80 mm, 58 mm or A4 paper (routes attach to the sales blueprint).

Showing a page records nothing. Its Print button posts to a `.../prints` route,
which records the print and answers with the copy number, and only then opens the
print dialog; so a page says REPRINT only when an earlier print was recorded.
"""

from __future__ import annotations

from flask import abort, jsonify, make_response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from jcicons.extensions import db
from jcicons.sales.models import METHOD_LABELS, CreditMemo, Payment
from jcicons.sales.queries import get_credit_memo, get_user_names
from jcicons.sales.receipts import (
    MEMO_TEMPLATES,
    TEMPLATES,
    asked_paper,
    choose_format,
    count_memo_prints,
    count_prints,
    paper_for_this_computer,
    peso_formatter,
    record_memo_print,
    record_print,
    remember_paper,
)
from jcicons.sales.views import bp
from jcicons.sales.views.documents import sale_or_404
from jcicons.security.capabilities import requires, signed_in_user
from jcicons.settings.services import current_settings


def _memo_or_404(memo_id: int) -> CreditMemo:
    memo = get_credit_memo(memo_id)
    if memo is None:
        abort(404)
    return memo


@bp.get("/<int:sale_id>/receipt")
@requires("sales.view")
def receipt(sale_id: int) -> ResponseReturnValue:
    """Show a sale's receipt (?paper=80mm|58mm|A4), marked REPRINT after a print."""
    sale = sale_or_404(sale_id)
    settings = current_settings()
    paper = paper_for_this_computer(settings)
    payments = [p for p in sale.payments if p.amount_centavos > 0]
    page = render_template(
        TEMPLATES[paper],
        sale=sale,
        paper=paper,
        copy=count_prints(sale) + 1,
        print_url=url_for("sales.print_receipt", sale_id=sale.id),
        clear_cart=request.args.get("fresh") == "1",
        shop=settings,
        money=peso_formatter(settings),
        payments=payments,
        methods=METHOD_LABELS,
        change_centavos=sum(p.change_centavos or 0 for p in payments),
        tendered_centavos=sum(p.tendered_centavos or 0 for p in payments),
    )
    return remember_paper(make_response(page), paper)


@bp.post("/<int:sale_id>/receipt/prints")
@requires("sales.view")
def print_receipt(sale_id: int) -> ResponseReturnValue:
    """Record that the receipt is being printed; answer with its copy number."""
    sale = sale_or_404(sale_id)
    copy = record_print(sale, asked_paper(choose_format), signed_in_user())
    db.session.commit()
    return jsonify({"number": sale.number, "copy": copy})


def _memo_refunds(memo: CreditMemo) -> list[Payment]:
    return [p for p in memo.sale.payments if p.credit_memo_id == memo.id]


@bp.get("/credit-memos/<int:memo_id>")
@requires("sales.view")
def credit_memo(memo_id: int) -> ResponseReturnValue:
    """Show a credit memo (?paper=80mm|58mm|A4), marked REPRINT after a print."""
    memo = _memo_or_404(memo_id)
    settings = current_settings()
    paper = paper_for_this_computer(settings)
    page = render_template(
        MEMO_TEMPLATES[paper],
        memo=memo,
        sale=memo.sale,
        paper=paper,
        copy=count_memo_prints(memo) + 1,
        print_url=url_for("sales.print_credit_memo", memo_id=memo.id),
        shop=settings,
        money=peso_formatter(settings),
        refunds=_memo_refunds(memo),
        methods=METHOD_LABELS,
        names=get_user_names([memo.created_by_id]),
    )
    return remember_paper(make_response(page), paper)


@bp.post("/credit-memos/<int:memo_id>/prints")
@requires("sales.view")
def print_credit_memo(memo_id: int) -> ResponseReturnValue:
    """Record that a credit memo is being printed; answer with its copy number."""
    memo = _memo_or_404(memo_id)
    copy = record_memo_print(memo, asked_paper(choose_format), signed_in_user())
    db.session.commit()
    return jsonify({"number": memo.number, "copy": copy})
