"""Sales, their lines, credit memos, the payment ledger and drawer counts.

Nothing here is ever deleted: a voided sale keeps its number and is marked VOID; a
refund is a negative payment row; a return is a credit memo with its own number.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jcicons.clock import utcnow
from jcicons.customers import models as _customers  # noqa: F401 - sales.customer_id
from jcicons.db import BigId, UTCDateTime, sql_in
from jcicons.extensions import db
from jcicons.inventory.models import Product


class PaymentMethod(StrEnum):
    """How money came in or went out."""

    CASH = "CASH"
    GCASH = "GCASH"
    MAYA = "MAYA"
    CARD = "CARD"
    BANK_TRANSFER = "BANK_TRANSFER"
    STORE_CREDIT = "STORE_CREDIT"


METHOD_LABELS = {
    PaymentMethod.CASH: "Cash",
    PaymentMethod.GCASH: "GCash",
    PaymentMethod.MAYA: "Maya",
    PaymentMethod.CARD: "Card",
    PaymentMethod.BANK_TRANSFER: "Bank transfer",
    PaymentMethod.STORE_CREDIT: "Store credit",
}

# Every method but cash leaves a reference number to trace the payment by.
NEEDS_REFERENCE = frozenset(
    set(PaymentMethod) - {PaymentMethod.CASH, PaymentMethod.STORE_CREDIT}
)


class SaleStatus(StrEnum):
    """Whether a sale stands or was voided."""

    COMPLETED = "COMPLETED"
    VOID = "VOID"


class Sale(db.Model):  # type: ignore[name-defined]
    """One sales invoice: who bought what, the totals and the VAT breakdown."""

    __tablename__ = "sales"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(SaleStatus)})", name="status_known"),
        CheckConstraint("total_centavos >= 0", name="total_not_negative"),
        Index("ix_sales_created_at", "created_at"),
        Index("ix_sales_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    idempotency_key: Mapped[str] = mapped_column(
        String(64), unique=True, nullable=False
    )
    status: Mapped[str] = mapped_column(
        String(10), nullable=False, default=SaleStatus.COMPLETED
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    customer_name: Mapped[str] = mapped_column(String(160), nullable=False, default="")
    # What a business invoice names, as the customer record said at checkout.
    customer_business_name: Mapped[str | None] = mapped_column(String(160))
    customer_tin: Mapped[str | None] = mapped_column(String(20))
    customer_address: Mapped[str | None] = mapped_column(String(500))
    cashier_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    subtotal_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    line_discounts_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sale_discount_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    total_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat_registered: Mapped[bool] = mapped_column(nullable=False)
    vatable_sales_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    exempt_sales_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    zero_rated_sales_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    is_credit: Mapped[bool] = mapped_column(nullable=False, default=False)
    due_date: Mapped[date | None] = mapped_column(Date)
    discount_approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    void_reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")

    lines: Mapped[list[SaleLine]] = relationship(
        back_populates="sale", order_by="SaleLine.id"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="sale", order_by="Payment.id", foreign_keys="Payment.sale_id"
    )
    credit_memos: Mapped[list[CreditMemo]] = relationship(
        back_populates="sale", order_by="CreditMemo.id"
    )
    cashier = relationship("User", foreign_keys=[cashier_id])


class SaleLine(db.Model):  # type: ignore[name-defined]
    """One product on a sale, with the price and cost as they were."""

    __tablename__ = "sale_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "returned_quantity >= 0 AND returned_quantity <= quantity",
            name="returned_within_quantity",
        ),
        CheckConstraint("net_centavos >= 0", name="net_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(
        ForeignKey("sales.id"), nullable=False, index=True
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id"), nullable=False, index=True
    )
    sku: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str] = mapped_column(String(160), nullable=False)
    quantity: Mapped[int] = mapped_column(nullable=False)
    unit_price_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    unit_cost_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    line_discount_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sale_discount_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    net_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat_class: Mapped[str] = mapped_column(String(12), nullable=False)
    is_service: Mapped[bool] = mapped_column(nullable=False, default=False)
    serial_unit_id: Mapped[int | None] = mapped_column(ForeignKey("serial_units.id"))
    returned_quantity: Mapped[int] = mapped_column(nullable=False, default=0)

    sale: Mapped[Sale] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()
    serial_unit = relationship("SerialUnit")


class CreditMemo(db.Model):  # type: ignore[name-defined]
    """A return against a sale, with its own number; the invoice keeps its own."""

    __tablename__ = "credit_memos"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    sale_id: Mapped[int] = mapped_column(
        ForeignKey("sales.id"), nullable=False, index=True
    )
    reason: Mapped[str] = mapped_column(String(500), nullable=False)
    amount_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    refund_method: Mapped[str] = mapped_column(String(16), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )

    sale: Mapped[Sale] = relationship(back_populates="credit_memos")
    lines: Mapped[list[CreditMemoLine]] = relationship(
        back_populates="memo", order_by="CreditMemoLine.id"
    )


class CreditMemoLine(db.Model):  # type: ignore[name-defined]
    """One returned line: how many, for how much, and whether it went back to stock."""

    __tablename__ = "credit_memo_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    memo_id: Mapped[int] = mapped_column(
        ForeignKey("credit_memos.id"), nullable=False, index=True
    )
    sale_line_id: Mapped[int] = mapped_column(
        ForeignKey("sale_lines.id"), nullable=False
    )
    quantity: Mapped[int] = mapped_column(nullable=False)
    amount_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    restocked: Mapped[bool] = mapped_column(nullable=False)

    memo: Mapped[CreditMemo] = relationship(back_populates="lines")
    sale_line: Mapped[SaleLine] = relationship()


class Payment(db.Model):  # type: ignore[name-defined]
    """One row of the payment ledger: money in (positive) or out (negative).

    Tendered and change are kept for the receipt; only `amount_centavos` counts.
    """

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(f"method IN ({sql_in(PaymentMethod)})", name="method_known"),
        CheckConstraint("amount_centavos <> 0", name="amount_not_zero"),
        CheckConstraint(
            "change_centavos IS NULL OR change_centavos >= 0",
            name="change_not_negative",
        ),
        CheckConstraint(
            "sale_id IS NULL OR repair_ticket_id IS NULL", name="one_document"
        ),
        Index("ix_payments_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    amount_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    reference: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    tendered_centavos: Mapped[int | None] = mapped_column(BigInteger)
    change_centavos: Mapped[int | None] = mapped_column(BigInteger)
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id"), index=True)
    credit_memo_id: Mapped[int | None] = mapped_column(ForeignKey("credit_memos.id"))
    repair_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("repair_tickets.id"), index=True
    )
    # The payment form's key on a ticket's payment: sent twice, it is taken once.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    received_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )

    sale: Mapped[Sale | None] = relationship(
        back_populates="payments", foreign_keys=[sale_id]
    )
    repair_ticket = relationship("RepairTicket", foreign_keys=[repair_ticket_id])
    received_by = relationship("User")


class CashCount(db.Model):  # type: ignore[name-defined]
    """One cashier's end-of-day count of their cash against what the ledger expects.

    A recount on the day of the count replaces the figures and sets `recounted_at`.
    """

    __tablename__ = "cash_counts"
    __table_args__ = (UniqueConstraint("business_date", "counted_by_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, nullable=False)
    expected_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    counted_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    variance_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    counted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )
    recounted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
