"""Inventory tables: categories, products, the movement ledger, receivings,
adjustments, serial units and stock counts.

Stock on hand lives on the product and changes only through
`inventory.stock.move_stock`, which writes a ledger row in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jcicons.clock import utcnow
from jcicons.db import BigId, UTCDateTime, sql_in
from jcicons.extensions import db


class VatClass(StrEnum):
    """How VAT applies to a product's price."""

    VATABLE = "VATABLE"
    EXEMPT = "EXEMPT"
    ZERO_RATED = "ZERO_RATED"


VAT_LABELS = {
    VatClass.VATABLE: "VATable (12%)",
    VatClass.EXEMPT: "VAT-exempt",
    VatClass.ZERO_RATED: "Zero-rated",
}


class MovementReason(StrEnum):
    """Why stock moved. Adjustment reasons are the ones a person may pick."""

    RECEIVED = "RECEIVED"
    SOLD = "SOLD"
    SALE_RETURN = "SALE_RETURN"
    SALE_VOID = "SALE_VOID"
    REPAIR_PART = "REPAIR_PART"
    REPAIR_PART_RETURN = "REPAIR_PART_RETURN"
    COUNT_CORRECTION = "COUNT_CORRECTION"
    DAMAGED = "DAMAGED"
    LOST_OR_STOLEN = "LOST_OR_STOLEN"
    RETURNED_TO_SUPPLIER = "RETURNED_TO_SUPPLIER"
    FOUND = "FOUND"
    OTHER = "OTHER"


REASON_LABELS = {
    MovementReason.RECEIVED: "Received",
    MovementReason.SOLD: "Sold",
    MovementReason.SALE_RETURN: "Returned by customer",
    MovementReason.SALE_VOID: "Sale voided",
    MovementReason.REPAIR_PART: "Used in a repair",
    MovementReason.REPAIR_PART_RETURN: "Removed from a repair",
    MovementReason.COUNT_CORRECTION: "Count correction",
    MovementReason.DAMAGED: "Damaged",
    MovementReason.LOST_OR_STOLEN: "Lost or stolen",
    MovementReason.RETURNED_TO_SUPPLIER: "Returned to supplier",
    MovementReason.FOUND: "Found",
    MovementReason.OTHER: "Other",
}

ADJUSTMENT_REASONS = (
    MovementReason.COUNT_CORRECTION,
    MovementReason.DAMAGED,
    MovementReason.LOST_OR_STOLEN,
    MovementReason.RETURNED_TO_SUPPLIER,
    MovementReason.FOUND,
    MovementReason.OTHER,
)


class SerialStatus(StrEnum):
    """Where one serialized unit is now."""

    IN_STOCK = "IN_STOCK"
    SOLD = "SOLD"
    IN_REPAIR = "IN_REPAIR"
    RETURNED_TO_SUPPLIER = "RETURNED_TO_SUPPLIER"
    WRITTEN_OFF = "WRITTEN_OFF"


SERIAL_STATUS_LABELS = {
    SerialStatus.IN_STOCK: "In stock",
    SerialStatus.SOLD: "Sold",
    SerialStatus.IN_REPAIR: "Used in a repair",
    SerialStatus.RETURNED_TO_SUPPLIER: "Returned to supplier",
    SerialStatus.WRITTEN_OFF: "Written off",
}


class Category(db.Model):  # type: ignore[name-defined]
    """A group of products (Laptops, RAM, Ink, Services, ...)."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    code: Mapped[str] = mapped_column(String(8), unique=True, nullable=False)
    is_archived: Mapped[bool] = mapped_column(default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )


class Product(db.Model):  # type: ignore[name-defined]
    """Something the shop sells: goods with stock, or a service without."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("price_centavos >= 0", name="price_not_negative"),
        CheckConstraint("cost_centavos >= 0", name="cost_not_negative"),
        CheckConstraint("reorder_level >= 0", name="reorder_level_not_negative"),
        CheckConstraint("reorder_quantity >= 0", name="reorder_quantity_not_negative"),
        CheckConstraint(f"vat_class IN ({sql_in(VatClass)})", name="vat_class_known"),
        CheckConstraint(
            "NOT (is_service AND is_serialized)", name="service_not_serialized"
        ),
        Index("ix_products_name", "name"),
        Index("ix_products_category_id", "category_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    barcode: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(160), nullable=False)
    brand: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    model: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id"), nullable=False
    )
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    unit: Mapped[str] = mapped_column(String(16), nullable=False, default="pc")
    price_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    cost_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    reorder_level: Mapped[int] = mapped_column(nullable=False, default=0)
    reorder_quantity: Mapped[int] = mapped_column(nullable=False, default=0)
    vat_class: Mapped[str] = mapped_column(
        String(12), nullable=False, default=VatClass.VATABLE
    )
    is_service: Mapped[bool] = mapped_column(default=False, nullable=False)
    is_serialized: Mapped[bool] = mapped_column(default=False, nullable=False)
    is_archived: Mapped[bool] = mapped_column(default=False, nullable=False)
    on_hand: Mapped[int] = mapped_column(nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )

    category: Mapped[Category] = relationship()

    @property
    def is_low(self) -> bool:
        """Return True for goods at or under their reorder level."""
        return not self.is_service and self.on_hand <= self.reorder_level

    @property
    def stock_state(self) -> str:
        """Return 'service', 'out', 'low' or 'in'."""
        if self.is_service:
            return "service"
        if self.on_hand == 0:
            return "out"
        return "low" if self.on_hand <= self.reorder_level else "in"

    @property
    def stock_value_centavos(self) -> int:
        """Return what the units on hand are worth at the moving-average cost."""
        return self.on_hand * self.cost_centavos


class StockMovement(db.Model):  # type: ignore[name-defined]
    """One append-only row of the stock ledger."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        CheckConstraint("on_hand_after >= 0", name="on_hand_after_not_negative"),
        CheckConstraint(f"reason IN ({sql_in(MovementReason)})", name="reason_known"),
        Index("ix_stock_movements_product_id_id", "product_id", "id"),
        Index("ix_stock_movements_created_at", "created_at"),
        Index("ix_stock_movements_reference", "reference_type", "reference_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), nullable=False)
    quantity: Mapped[int] = mapped_column(nullable=False)
    on_hand_after: Mapped[int] = mapped_column(nullable=False)
    unit_cost_centavos: Mapped[int] = mapped_column(
        BigInteger, nullable=False, default=0
    )
    reason: Mapped[str] = mapped_column(String(24), nullable=False)
    reference_type: Mapped[str] = mapped_column(String(16), nullable=False)
    reference_id: Mapped[int | None] = mapped_column(BigInteger)
    serial_unit_id: Mapped[int | None] = mapped_column(ForeignKey("serial_units.id"))
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )

    product: Mapped[Product] = relationship()
    actor = relationship("User")
    serial_unit = relationship("SerialUnit")


class Receiving(db.Model):  # type: ignore[name-defined]
    """Goods received from a supplier in one delivery."""

    __tablename__ = "receivings"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    # The key of the form that made it: a form sent twice makes one receiving.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    supplier_name: Mapped[str] = mapped_column(String(120), nullable=False)
    supplier_document: Mapped[str] = mapped_column(
        String(60), nullable=False, default=""
    )
    received_date: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )

    lines: Mapped[list[ReceivingLine]] = relationship(
        back_populates="receiving", order_by="ReceivingLine.id"
    )
    created_by = relationship("User")

    @property
    def total_centavos(self) -> int:
        """Return the cost of every line together."""
        return sum(line.quantity * line.unit_cost_centavos for line in self.lines)


class ReceivingLine(db.Model):  # type: ignore[name-defined]
    """One product on a receiving."""

    __tablename__ = "receiving_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_cost_centavos >= 0", name="unit_cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receiving_id: Mapped[int] = mapped_column(
        ForeignKey("receivings.id"), nullable=False, index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), nullable=False)
    quantity: Mapped[int] = mapped_column(nullable=False)
    unit_cost_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)

    receiving: Mapped[Receiving] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    @property
    def total_centavos(self) -> int:
        """Return the cost of this line: quantity times unit cost."""
        return self.quantity * self.unit_cost_centavos


class SerialUnit(db.Model):  # type: ignore[name-defined]
    """One unit of a serialized product, known by its serial number or IMEI."""

    __tablename__ = "serial_units"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(SerialStatus)})", name="status_known"),
        Index("ix_serial_units_product_id_status", "product_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), nullable=False)
    serial: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    status: Mapped[str] = mapped_column(
        String(24), nullable=False, default=SerialStatus.IN_STOCK
    )
    receiving_id: Mapped[int | None] = mapped_column(ForeignKey("receivings.id"))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )

    product: Mapped[Product] = relationship()


class StockAdjustment(db.Model):  # type: ignore[name-defined]
    """One correction of a product's stock made by hand; its ledger rows refer to it.

    The key of the form that made it is unique, so a form sent twice adjusts once.
    """

    __tablename__ = "stock_adjustments"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        CheckConstraint(
            f"reason IN ({sql_in(ADJUSTMENT_REASONS)})", name="reason_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id"), nullable=False, index=True
    )
    quantity: Mapped[int] = mapped_column(nullable=False)
    reason: Mapped[str] = mapped_column(String(24), nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )

    product: Mapped[Product] = relationship()


class StockCount(db.Model):  # type: ignore[name-defined]
    """A physical count of a category (or of everything), posted as one batch."""

    __tablename__ = "stock_counts"
    __table_args__ = (
        CheckConstraint(
            "status IN ('OPEN', 'POSTED', 'CANCELLED')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="OPEN")
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[Category | None] = relationship()
    lines: Mapped[list[StockCountLine]] = relationship(
        back_populates="count", order_by="StockCountLine.id"
    )


class StockCountLine(db.Model):  # type: ignore[name-defined]
    """One product on a count: what the system expected and what was counted."""

    __tablename__ = "stock_count_lines"
    __table_args__ = (
        CheckConstraint("counted IS NULL OR counted >= 0", name="counted_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(
        ForeignKey("stock_counts.id"), nullable=False, index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), nullable=False)
    expected: Mapped[int] = mapped_column(nullable=False)
    counted: Mapped[int | None] = mapped_column()

    count: Mapped[StockCount] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class ImportBatch(db.Model):  # type: ignore[name-defined]
    """An uploaded product file kept between its preview and its confirmation.

    The rows are stored as parsed text under a random token that only the uploader
    can use, so the confirmation never trusts data posted back by the browser.
    """

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    filename: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    rows: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    ignored_columns: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )
