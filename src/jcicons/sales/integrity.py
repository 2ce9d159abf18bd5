"""The money invariants of sales and the payment ledger that `check-integrity` proves.

Each check is one aggregate query, so the command stays quick over years of sales:
a sale's figures add up from its lines, returns agree with their credit memos, no
sale is paid beyond what it costs, a void gives back everything, the stock a sale
took out is what its lines say, and invoices and credit memos are numbered
without a gap.
"""

from __future__ import annotations

from sqlalchemy import and_, case, false, func, or_, select

from jcicons.db import sum_or_zero
from jcicons.extensions import db
from jcicons.inventory.models import StockMovement
from jcicons.numbering import sequence_problems
from jcicons.sales.models import (
    CreditMemo,
    CreditMemoLine,
    Payment,
    Sale,
    SaleLine,
    SaleStatus,
)


def sales_problems() -> list[str]:
    """Return one sentence per broken sales or ledger invariant (empty when sound)."""
    return (
        _figure_problems()
        + _return_problems()
        + _balance_problems()
        + _ledger_row_problems()
        + _stock_problems()
        + sequence_problems(
            "Invoices", "invoice", db.session.scalars(select(Sale.number)), "INV-"
        )
        + sequence_problems(
            "Credit memos",
            "credit_memo",
            db.session.scalars(select(CreditMemo.number)),
            "CM-",
        )
    )


def _figure_problems() -> list[str]:
    """A line's net is its gross less its discounts; a sale's figures are its lines'."""
    gross = SaleLine.unit_price_centavos * SaleLine.quantity
    lines = db.session.execute(
        select(Sale.number, SaleLine.sku)
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(
            SaleLine.net_centavos
            != gross - SaleLine.line_discount_centavos - SaleLine.sale_discount_centavos
        )
        .order_by(Sale.id, SaleLine.id)
    )
    problems = [
        f"{number}: line {sku} does not come to its price less its discounts"
        for number, sku in lines
    ]
    sums = (
        select(
            SaleLine.sale_id,
            sum_or_zero(gross).label("gross"),
            sum_or_zero(SaleLine.line_discount_centavos).label("line_discounts"),
            sum_or_zero(SaleLine.sale_discount_centavos).label("sale_discount"),
            sum_or_zero(SaleLine.net_centavos).label("net"),
        )
        .group_by(SaleLine.sale_id)
        .subquery()
    )
    vat_parts = (
        Sale.vatable_sales_centavos
        + Sale.vat_centavos
        + Sale.exempt_sales_centavos
        + Sale.zero_rated_sales_centavos
    )
    total_off = Sale.total_centavos != func.coalesce(sums.c.net, 0)
    parts_off = or_(
        Sale.subtotal_centavos != func.coalesce(sums.c.gross, 0),
        Sale.line_discounts_centavos != func.coalesce(sums.c.line_discounts, 0),
        Sale.sale_discount_centavos != func.coalesce(sums.c.sale_discount, 0),
    )
    # A VAT-registered sale's four parts make its total; another's are all zero.
    vat_off = vat_parts != case((Sale.vat_registered, Sale.total_centavos), else_=0)
    sales = db.session.execute(
        select(Sale.number, total_off, parts_off, vat_off)
        .outerjoin(sums, sums.c.sale_id == Sale.id)
        .where(or_(total_off, parts_off, vat_off))
        .order_by(Sale.id)
    )
    for number, total_wrong, parts_wrong, vat_wrong in sales:
        if total_wrong:
            problems.append(f"{number}: the total is not the sum of its lines")
        if parts_wrong:
            problems.append(
                f"{number}: the subtotal or discounts are not the sums of its lines"
            )
        if vat_wrong:
            problems.append(
                f"{number}: the VAT breakdown does not add up to the total (or a "
                "non-VAT sale shows one)"
            )
    return problems


def _return_problems() -> list[str]:
    """A line's returned quantity is what its memos took back, never above the sale;
    a memo's amount is its lines'."""
    taken_back = (
        select(
            CreditMemoLine.sale_line_id,
            sum_or_zero(CreditMemoLine.quantity).label("quantity"),
        )
        .group_by(CreditMemoLine.sale_line_id)
        .subquery()
    )
    returned = func.coalesce(taken_back.c.quantity, 0)
    lines = db.session.execute(
        select(Sale.number, SaleLine.sku, SaleLine.returned_quantity, returned)
        .join(Sale, Sale.id == SaleLine.sale_id)
        .outerjoin(taken_back, taken_back.c.sale_line_id == SaleLine.id)
        .where(
            or_(
                SaleLine.returned_quantity != returned,
                SaleLine.returned_quantity > SaleLine.quantity,
            )
        )
        .order_by(Sale.id, SaleLine.id)
    )
    problems = [
        f"{number}: line {sku} shows {shown} returned, its credit memos {counted} "
        "(or more than was sold)"
        for number, sku, shown, counted in lines
    ]
    memo_lines = (
        select(
            CreditMemoLine.memo_id,
            sum_or_zero(CreditMemoLine.amount_centavos).label("a"),
        )
        .group_by(CreditMemoLine.memo_id)
        .subquery()
    )
    memos = db.session.scalars(
        select(CreditMemo.number)
        .outerjoin(memo_lines, memo_lines.c.memo_id == CreditMemo.id)
        .where(CreditMemo.amount_centavos != func.coalesce(memo_lines.c.a, 0))
        .order_by(CreditMemo.id)
    )
    problems += [
        f"{number}: the amount is not the sum of its lines" for number in memos
    ]
    return problems


def _balance_problems() -> list[str]:
    """Nothing is paid beyond a sale's total less its returns, no sale's net payment
    is below zero, and a void sale keeps nothing."""
    paid = (
        select(Payment.sale_id, sum_or_zero(Payment.amount_centavos).label("paid"))
        .where(Payment.sale_id.is_not(None))
        .group_by(Payment.sale_id)
        .subquery()
    )
    credited = (
        select(
            CreditMemo.sale_id, sum_or_zero(CreditMemo.amount_centavos).label("amount")
        )
        .group_by(CreditMemo.sale_id)
        .subquery()
    )
    net = func.coalesce(paid.c.paid, 0)
    returned = func.coalesce(credited.c.amount, 0)
    completed = Sale.status == SaleStatus.COMPLETED.value
    rows = db.session.execute(
        select(Sale.number, Sale.status, Sale.total_centavos, net, returned)
        .outerjoin(paid, paid.c.sale_id == Sale.id)
        .outerjoin(credited, credited.c.sale_id == Sale.id)
        .where(
            or_(
                net < 0,
                and_(completed, net + returned > Sale.total_centavos),
                and_(~completed, net != 0),
            )
        )
        .order_by(Sale.id)
    )
    problems = []
    for number, status, total, paid_in, back in rows:
        if status != SaleStatus.COMPLETED.value:
            problems.append(f"{number}: void, but the ledger still holds {paid_in}")
        elif paid_in < 0:
            problems.append(f"{number}: the ledger gave back more than was paid")
        else:
            problems.append(
                f"{number}: paid {paid_in} and returned {back} against a total of "
                f"{total}"
            )
    return problems


def _ledger_row_problems() -> list[str]:
    """Every ledger row belongs to a document; cash rows keep tendered - change."""
    orphans = db.session.scalar(
        select(func.count())
        .select_from(Payment)
        .where(Payment.sale_id.is_(None), Payment.repair_ticket_id.is_(None))
    )
    problems = []
    if orphans:
        problems.append(f"Payments: {orphans} ledger row(s) belong to no document")
    change = func.coalesce(Payment.change_centavos, 0)
    mismatched = db.session.scalar(
        select(func.count())
        .select_from(Payment)
        .where(
            Payment.tendered_centavos.is_not(None),
            Payment.tendered_centavos - change != Payment.amount_centavos,
        )
    )
    if mismatched:
        problems.append(
            f"Payments: {mismatched} cash row(s) where tendered less change is not "
            "the amount"
        )
    return problems


def _stock_problems() -> list[str]:
    """A completed sale took out what its lines sold less what came back to stock.

    (A void puts back what is still out, except a serialized unit that the stock
    record shows elsewhere since: its figures are the void's audit row, so void
    sales are left out here.)
    """
    sold = (
        select(
            SaleLine.sale_id,
            SaleLine.product_id,
            sum_or_zero(SaleLine.quantity).label("quantity"),
        )
        .where(SaleLine.is_service.is_(false()))
        .group_by(SaleLine.sale_id, SaleLine.product_id)
        .subquery()
    )
    restocked = (
        select(
            SaleLine.sale_id,
            SaleLine.product_id,
            sum_or_zero(CreditMemoLine.quantity).label("quantity"),
        )
        .join(SaleLine, SaleLine.id == CreditMemoLine.sale_line_id)
        .where(CreditMemoLine.restocked.is_(True))
        .group_by(SaleLine.sale_id, SaleLine.product_id)
        .subquery()
    )
    moved = (
        select(
            StockMovement.reference_id.label("sale_id"),
            StockMovement.product_id,
            sum_or_zero(StockMovement.quantity).label("quantity"),
        )
        .where(StockMovement.reference_type == "sale")
        .group_by(StockMovement.reference_id, StockMovement.product_id)
        .subquery()
    )
    expected = sold.c.quantity - func.coalesce(restocked.c.quantity, 0)
    out = -func.coalesce(moved.c.quantity, 0)
    rows = db.session.execute(
        select(Sale.number, sold.c.product_id, expected, out)
        .join(Sale, Sale.id == sold.c.sale_id)
        .outerjoin(
            restocked,
            and_(
                restocked.c.sale_id == sold.c.sale_id,
                restocked.c.product_id == sold.c.product_id,
            ),
        )
        .outerjoin(
            moved,
            and_(
                moved.c.sale_id == sold.c.sale_id,
                moved.c.product_id == sold.c.product_id,
            ),
        )
        .where(Sale.status == SaleStatus.COMPLETED.value, expected != out)
        .order_by(Sale.id, sold.c.product_id)
    )
    return [
        f"{number}: product {product_id} should be {want} out of stock, the ledger "
        f"has {have}"
        for number, product_id, want, have in rows
    ]
