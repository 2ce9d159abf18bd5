"""Read-only selects for the sales list, the sale page and the daily summary.

The list is one select plus the pager's count, with the figures of the rows on a
page fetched in two grouped selects, so a page costs the same whatever its rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from jcicons.audit.models import AuditEvent
from jcicons.audit.services import AuditFilter, audit_query
from jcicons.auth.models import User
from jcicons.clock import business_day_bounds, shop_today
from jcicons.customers.queries import merged_family_ids
from jcicons.db import contains_pattern, sum_or_zero
from jcicons.extensions import db
from jcicons.inventory.models import SerialUnit
from jcicons.sales.models import (
    METHOD_LABELS,
    CashCount,
    CreditMemo,
    CreditMemoLine,
    Payment,
    PaymentMethod,
    Sale,
    SaleLine,
    SaleStatus,
)
from jcicons.sales.outside import repair_accounts

MAX_HISTORY_ROWS = 200


@dataclass
class SaleFilter:
    """What the sales list is narrowed to; dates are shop-local business days."""

    search: str = ""
    date_from: date | None = None
    date_to: date | None = None
    cashier_id: int | None = None
    method: str = ""
    status: str = ""
    open_balance: bool = False


def _paid_subquery(*criteria: Any) -> Any:
    """Return a sale's net payments (those matching `criteria`) as a subquery."""
    return (
        select(sum_or_zero(Payment.amount_centavos))
        .where(Payment.sale_id == Sale.id, *criteria)
        .correlate(Sale)
        .scalar_subquery()
    )


def _returned_subquery() -> Any:
    return (
        select(sum_or_zero(CreditMemo.amount_centavos))
        .where(CreditMemo.sale_id == Sale.id)
        .correlate(Sale)
        .scalar_subquery()
    )


def _search_clause(term: str) -> Any:
    like = contains_pattern(term)
    by_line = select(SaleLine.sale_id).where(
        or_(
            func.lower(SaleLine.description).like(like, escape="\\"),
            func.lower(SaleLine.sku).like(like, escape="\\"),
        )
    )
    by_serial = (
        select(SaleLine.sale_id)
        .join(SerialUnit, SerialUnit.id == SaleLine.serial_unit_id)
        .where(SerialUnit.serial == term.upper())
    )
    return or_(
        func.lower(Sale.number).like(like, escape="\\"),
        func.lower(Sale.customer_name).like(like, escape="\\"),
        Sale.id.in_(by_line),
        Sale.id.in_(by_serial),
    )


def sale_list_query(criteria: SaleFilter) -> Select[tuple[Sale]]:
    """Return the newest-first select behind the sales list."""
    query = select(Sale).options(joinedload(Sale.cashier))
    term = criteria.search.strip()[:100]
    if term:
        query = query.where(_search_clause(term))
    if criteria.date_from:
        query = query.where(
            Sale.created_at >= business_day_bounds(criteria.date_from)[0]
        )
    if criteria.date_to:
        query = query.where(Sale.created_at < business_day_bounds(criteria.date_to)[1])
    if criteria.cashier_id:
        query = query.where(Sale.cashier_id == criteria.cashier_id)
    if criteria.method in {m.value for m in PaymentMethod}:
        query = query.where(
            Sale.id.in_(
                select(Payment.sale_id).where(
                    Payment.method == criteria.method, Payment.amount_centavos > 0
                )
            )
        )
    if criteria.status in {s.value for s in SaleStatus}:
        query = query.where(Sale.status == criteria.status)
    if criteria.open_balance:
        owed = Sale.total_centavos - _paid_subquery() - _returned_subquery()
        query = query.where(Sale.status == SaleStatus.COMPLETED, owed > 0)
    return query.order_by(Sale.created_at.desc(), Sale.id.desc())


@dataclass
class SaleFigures:
    """What was paid, returned and is still owed on one sale."""

    paid_centavos: int = 0
    returned_centavos: int = 0
    methods: list[str] = field(default_factory=list)


def list_sale_figures(sales: Iterable[Sale]) -> dict[int, SaleFigures]:
    """Return the paid, returned and method figures of many sales in two selects."""
    ids = [sale.id for sale in sales]
    figures = {sale_id: SaleFigures() for sale_id in ids}
    if not ids:
        return figures
    payments = db.session.execute(
        select(Payment.sale_id, Payment.method, func.sum(Payment.amount_centavos))
        .where(Payment.sale_id.in_(ids))
        .group_by(Payment.sale_id, Payment.method)
        .order_by(Payment.sale_id, Payment.method)
    ).all()
    for sale_id, method, amount in payments:
        row = figures[sale_id or 0]
        row.paid_centavos += int(amount or 0)
        row.methods.append(str(method))
    memos = db.session.execute(
        select(CreditMemo.sale_id, func.sum(CreditMemo.amount_centavos))
        .where(CreditMemo.sale_id.in_(ids))
        .group_by(CreditMemo.sale_id)
    ).all()
    for sale_id, amount in memos:
        figures[sale_id].returned_centavos = int(amount or 0)
    return figures


def balance_of(sale: Sale, figures: SaleFigures) -> int:
    """Return what is still owed on a listed sale (0 once void)."""
    if sale.status == SaleStatus.VOID:
        return 0
    return sale.total_centavos - figures.paid_centavos - figures.returned_centavos


def is_overdue(sale: Sale, balance_centavos: int, today: date) -> bool:
    """Return True for a credit sale still owed after its due date."""
    return (
        sale.status == SaleStatus.COMPLETED
        and sale.is_credit
        and sale.due_date is not None
        and sale.due_date < today
        and balance_centavos > 0
    )


# A customer's purchases, payments and account ----------------------------------------


def _of_customer(customer_id: int) -> Any:
    """Match the sales of a customer and of the customers merged into them."""
    return Sale.customer_id.in_(merged_family_ids(customer_id))


def customer_sales_query(customer_id: int) -> Select[tuple[Sale]]:
    """Return the newest-first select of a customer's sales, merged ones included."""
    return (
        select(Sale)
        .where(_of_customer(customer_id))
        .order_by(Sale.created_at.desc(), Sale.id.desc())
    )


def customer_payments_query(customer_id: int) -> Select[tuple[Payment]]:
    """Return the newest-first ledger rows of a customer's sales and repairs.

    Refunds are included; merged customers count for the one they joined.
    """
    family = merged_family_ids(customer_id)
    return (
        select(Payment)
        .outerjoin(Sale, Sale.id == Payment.sale_id)
        .options(joinedload(Payment.sale), joinedload(Payment.repair_ticket))
        .where(
            or_(
                Sale.customer_id.in_(family),
                repair_accounts().payments_of(family),
            )
        )
        .order_by(Payment.created_at.desc(), Payment.id.desc())
    )


@dataclass
class CustomerAccount:
    """A customer's money over all their sales, not just the rows on a page."""

    bought_centavos: int = 0
    paid_centavos: int = 0
    returned_centavos: int = 0
    open_balance_centavos: int = 0
    overdue_centavos: int = 0
    overdue_count: int = 0
    store_credit_centavos: int = 0
    # Repairs: what the released tickets came to, the net paid on every ticket
    # (deposits on open ones included), and what tickets released on credit still
    # owe. That last figure is part of the open balance.
    repairs_charged_centavos: int = 0
    repairs_paid_centavos: int = 0
    repairs_owed_centavos: int = 0


def customer_account(customer_id: int, today: date | None = None) -> CustomerAccount:
    """Return a customer's totals in two selects (sales, repairs), merged included.

    Bought counts completed sales; paid is the whole ledger of their sales, refunds
    netted (a void sale's refunds cancel its payments); returns and the open balance
    count completed sales only, since a void sale is owed nothing. Overdue is the
    balance of credit sales whose due date is before `today` (shop time). Store
    credit is minus the store-credit rows of every sale, void ones included: a
    refund as store credit is a negative row, spending it a positive one, and a
    void gives back what was spent as another negative row. The open balance also
    holds what tickets released on credit still owe (see `jcicons.sales.outside`).
    """
    today = today or shop_today()
    per_sale = (
        select(
            Sale.status,
            Sale.total_centavos.label("total"),
            Sale.is_credit,
            Sale.due_date,
            _paid_subquery().label("paid"),
            _returned_subquery().label("returned"),
            _paid_subquery(Payment.method == PaymentMethod.STORE_CREDIT.value).label(
                "store_credit"
            ),
        )
        .where(_of_customer(customer_id))
        .subquery()
    )
    completed = per_sale.c.status == SaleStatus.COMPLETED
    owed = per_sale.c.total - per_sale.c.paid - per_sale.c.returned
    overdue = and_(
        completed,
        per_sale.c.is_credit,
        per_sale.c.due_date < today,
        owed > 0,
    )

    def total_of(value: Any, when: Any = None) -> Any:
        if when is not None:
            value = case((when, value), else_=0)
        return sum_or_zero(value)

    row = db.session.execute(
        select(
            total_of(per_sale.c.total, completed),
            total_of(per_sale.c.paid),
            total_of(per_sale.c.returned, completed),
            total_of(owed, completed),
            total_of(owed, overdue),
            total_of(1, overdue),
            -total_of(per_sale.c.store_credit),
        )
    ).one()
    bought, paid, returned, owed_on_sales, overdue_owed, overdue_count, credit = (
        int(value) for value in row
    )
    repairs = repair_accounts().totals(merged_family_ids(customer_id))
    return CustomerAccount(
        bought_centavos=bought,
        paid_centavos=paid,
        returned_centavos=returned,
        open_balance_centavos=owed_on_sales + repairs.owed_centavos,
        overdue_centavos=overdue_owed,
        overdue_count=overdue_count,
        store_credit_centavos=credit,
        repairs_charged_centavos=repairs.charged_centavos,
        repairs_paid_centavos=repairs.paid_centavos,
        repairs_owed_centavos=repairs.owed_centavos,
    )


@dataclass
class CustomerSaleRow:
    """One purchase on the customer page with what is still owed on it."""

    sale: Sale
    returned_centavos: int
    balance_centavos: int
    is_overdue: bool


@dataclass
class CustomerMoney:
    """The money sections of a customer page: totals, one page of each list."""

    account: CustomerAccount
    sales: Any
    sale_rows: list[CustomerSaleRow]
    payments: Any
    method_labels: dict[PaymentMethod, str]


def customer_money(
    customer_id: int, sales_page: int, payments_page: int, per_page: int
) -> CustomerMoney:
    """Return a customer's totals and one page of their sales and of their payments.

    The totals are over every record; the pages cost the same whatever their size
    (a count and a select each, plus two grouped selects for the sales' figures).
    """
    today = shop_today()
    sales = db.paginate(
        customer_sales_query(customer_id),
        page=sales_page,
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )
    figures = list_sale_figures(sales.items)
    rows = []
    for sale in sales.items:
        balance = balance_of(sale, figures[sale.id])
        rows.append(
            CustomerSaleRow(
                sale=sale,
                returned_centavos=figures[sale.id].returned_centavos,
                balance_centavos=balance,
                is_overdue=is_overdue(sale, balance, today),
            )
        )
    payments = db.paginate(
        customer_payments_query(customer_id),
        page=payments_page,
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )
    return CustomerMoney(
        account=customer_account(customer_id, today),
        sales=sales,
        sale_rows=rows,
        payments=payments,
        method_labels=METHOD_LABELS,
    )


def get_sale(sale_id: int) -> Sale | None:
    """Return a sale with its lines, payments and credit memos loaded."""
    return db.session.scalar(
        select(Sale)
        .where(Sale.id == sale_id)
        .options(
            joinedload(Sale.cashier),
            selectinload(Sale.lines).joinedload(SaleLine.serial_unit),
            selectinload(Sale.payments).joinedload(Payment.received_by),
            selectinload(Sale.credit_memos)
            .selectinload(CreditMemo.lines)
            .joinedload(CreditMemoLine.sale_line),
        )
    )


def get_credit_memo(memo_id: int) -> CreditMemo | None:
    """Return a credit memo with its lines, and its sale with the sale's payments."""
    return db.session.scalar(
        select(CreditMemo)
        .where(CreditMemo.id == memo_id)
        .options(
            joinedload(CreditMemo.sale).selectinload(Sale.payments),
            selectinload(CreditMemo.lines)
            .joinedload(CreditMemoLine.sale_line)
            .joinedload(SaleLine.serial_unit),
        )
    )


def list_sale_history(sale: Sale) -> list[AuditEvent]:
    """Return the audit rows about one sale, newest first."""
    query = audit_query(AuditFilter(entity_type="sale", entity_id=str(sale.id)))
    return list(db.session.scalars(query.limit(MAX_HISTORY_ROWS)))


def get_user_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Return id -> username for the given users."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.username).where(User.id.in_(ids)))
    return {int(row[0]): str(row[1]) for row in rows}


def list_cashiers() -> list[tuple[int, str]]:
    """Return (id, username) of everyone who has rung up a sale."""
    rows = db.session.execute(
        select(User.id, User.username)
        .where(User.id.in_(select(Sale.cashier_id).distinct()))
        .order_by(User.username)
    )
    return [(user_id, name) for user_id, name in rows]


@dataclass
class CashierCash:
    """The cash one cashier took and paid out on a day, and what they should hold.

    `cashier_id` is None for ledger rows whose cashier's account is gone.
    """

    cashier_id: int | None
    taken_centavos: int
    paid_out_centavos: int

    @property
    def expected_centavos(self) -> int:
        """Return the cash this cashier's drawer should hold: taken less paid out."""
        return self.taken_centavos - self.paid_out_centavos


def list_cashier_cash(day: date) -> list[CashierCash]:
    """Return each cashier's cash taken and paid out on a day, in one select.

    Sales and repairs alike: every cash row of the ledger counts for whoever took it.
    """
    start, end = business_day_bounds(day)
    incoming = case((Payment.amount_centavos > 0, Payment.amount_centavos), else_=0)
    outgoing = case((Payment.amount_centavos < 0, -Payment.amount_centavos), else_=0)
    rows = db.session.execute(
        select(
            Payment.received_by_id,
            sum_or_zero(incoming),
            sum_or_zero(outgoing),
        )
        .where(Payment.created_at >= start, Payment.created_at < end)
        .where(Payment.method == PaymentMethod.CASH.value)
        .group_by(Payment.received_by_id)
        .order_by(Payment.received_by_id)
    ).all()
    return [
        CashierCash(cashier_id, int(taken), int(paid_out))
        for cashier_id, taken, paid_out in rows
    ]


def cash_by_cashier(day: date) -> dict[int, int]:
    """Return the cash each cashier should hold at the end of one business day."""
    return {
        row.cashier_id: row.expected_centavos
        for row in list_cashier_cash(day)
        if row.cashier_id is not None
    }


@dataclass
class DailySummary:
    """The figures of one business day in the shop's time zone.

    Store credit is not money: it stays out of the money by method, the totals and
    the expected cash, and is counted on its own as issued (refunds and voids given
    as credit) and used (credit spent on sales).
    """

    day: date
    received_by_method: dict[str, int]
    refunds_by_method: dict[str, int]
    sales_count: int
    sales_total_centavos: int
    returns_count: int
    returns_centavos: int
    voids_count: int
    cash_counts: list[CashCount]
    cashier_cash: list[CashierCash] = field(default_factory=list)
    store_credit_issued_centavos: int = 0
    store_credit_used_centavos: int = 0
    # The part of the money that was paid on (or refunded from) repair tickets,
    # and how many devices went back to their owners that day.
    repairs_net_centavos: int = 0
    repairs_released_count: int = 0

    @property
    def net_received_centavos(self) -> int:
        """Return all the money received that day, refunds netted."""
        return sum(self.received_by_method.values()) - sum(
            self.refunds_by_method.values()
        )

    def net_of(self, method: str) -> int:
        """Return the money of one method that day, refunds netted."""
        return self.received_by_method.get(method, 0) - self.refunds_by_method.get(
            method, 0
        )

    @property
    def expected_cash_centavos(self) -> int:
        """Return the cash that should be in the drawer: cash in minus cash out."""
        return self.net_of(PaymentMethod.CASH.value)


def daily_summary(day: date) -> DailySummary:
    """Return the money, sales, returns, voids, cashiers' cash and counts of a day."""
    start, end = business_day_bounds(day)
    received: dict[str, int] = {}
    refunds: dict[str, int] = {}
    incoming = case((Payment.amount_centavos > 0, Payment.amount_centavos), else_=0)
    outgoing = case((Payment.amount_centavos < 0, -Payment.amount_centavos), else_=0)
    ledger = db.session.execute(
        select(Payment.method, func.sum(incoming), func.sum(outgoing))
        .where(Payment.created_at >= start, Payment.created_at < end)
        .group_by(Payment.method)
    ).all()
    credit_issued = credit_used = 0
    for method, money_in, money_out in ledger:
        if method == PaymentMethod.STORE_CREDIT.value:
            credit_used, credit_issued = int(money_in or 0), int(money_out or 0)
            continue
        if money_in:
            received[str(method)] = int(money_in)
        if money_out:
            refunds[str(method)] = int(money_out)
    sales_count, sales_total = db.session.execute(
        select(func.count(Sale.id), sum_or_zero(Sale.total_centavos))
        .where(Sale.created_at >= start, Sale.created_at < end)
        .where(Sale.status == SaleStatus.COMPLETED)
    ).one()
    returns_count, returns_total = db.session.execute(
        select(
            func.count(CreditMemo.id),
            sum_or_zero(CreditMemo.amount_centavos),
        ).where(CreditMemo.created_at >= start, CreditMemo.created_at < end)
    ).one()
    voids = db.session.scalar(
        select(func.count(Sale.id)).where(Sale.voided_at >= start, Sale.voided_at < end)
    )
    repairs_net = _repair_money(start, end)
    repairs_released = repair_accounts().released_between(start, end)
    counts = list(
        db.session.scalars(
            select(CashCount)
            .where(CashCount.business_date == day)
            .order_by(CashCount.created_at)
        )
    )
    return DailySummary(
        day=day,
        received_by_method=received,
        refunds_by_method=refunds,
        sales_count=int(sales_count),
        sales_total_centavos=int(sales_total or 0),
        returns_count=int(returns_count),
        returns_centavos=int(returns_total or 0),
        voids_count=int(voids or 0),
        cash_counts=counts,
        cashier_cash=list_cashier_cash(day),
        store_credit_issued_centavos=credit_issued,
        store_credit_used_centavos=credit_used,
        repairs_net_centavos=repairs_net,
        repairs_released_count=repairs_released,
    )


def _repair_money(start: datetime, end: datetime) -> int:
    """Return the net money paid on (or refunded from) repair tickets in a window."""
    net = db.session.scalar(
        select(sum_or_zero(Payment.amount_centavos)).where(
            Payment.repair_ticket_id.is_not(None),
            Payment.created_at >= start,
            Payment.created_at < end,
        )
    )
    return int(net or 0)
