"""Customer tables: the customer, their mobile numbers, departments and notes.

A merged customer is never deleted: it points at the customer it was merged into
and drops out of every list and search.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jcicons.clock import utcnow
from jcicons.customers.phones import format_mobile
from jcicons.db import UTCDateTime
from jcicons.extensions import db


class CustomerKind(StrEnum):
    """Who the customer is: a person, a business or a government office."""

    INDIVIDUAL = "INDIVIDUAL"
    BUSINESS = "BUSINESS"
    GOVERNMENT = "GOVERNMENT"


KIND_LABELS = {
    CustomerKind.INDIVIDUAL: "Individual",
    CustomerKind.BUSINESS: "Business",
    CustomerKind.GOVERNMENT: "Government",
}

KIND_VALUES = ", ".join(f"'{kind.value}'" for kind in CustomerKind)


class Customer(db.Model):  # type: ignore[name-defined]
    """Someone the shop sells to or repairs for, known by a code like C-000123."""

    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(f"kind IN ({KIND_VALUES})", name="kind_known"),
        CheckConstraint("credit_limit_centavos >= 0", name="credit_limit_not_negative"),
        CheckConstraint("merged_into_id <> id", name="not_merged_into_itself"),
        Index("ix_customers_name", "name"),
        Index("ix_customers_merged_into_id", "merged_into_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(
        String(12), nullable=False, default=CustomerKind.INDIVIDUAL
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    business_name: Mapped[str] = mapped_column(String(160), nullable=False, default="")
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    tin: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    credit_limit_centavos: Mapped[int] = mapped_column(
        BigInteger, nullable=False, default=0
    )
    has_contact_consent: Mapped[bool] = mapped_column(default=False, nullable=False)
    contact_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )

    phones: Mapped[list[CustomerPhone]] = relationship(
        back_populates="customer",
        order_by="CustomerPhone.id",
        cascade="all, delete-orphan",
    )
    departments: Mapped[list[CustomerDepartment]] = relationship(
        back_populates="customer", order_by="CustomerDepartment.name"
    )
    merged_into: Mapped[Customer | None] = relationship(remote_side=[id])

    @property
    def display_name(self) -> str:
        """Return the business name for businesses, else the person's name."""
        return self.business_name or self.name

    @property
    def is_merged(self) -> bool:
        """Return True once this customer has been merged into another."""
        return self.merged_into_id is not None

    @property
    def has_departments(self) -> bool:
        """Return True for the kinds of customer that have departments or branches."""
        return self.kind != CustomerKind.INDIVIDUAL

    @property
    def primary_phone(self) -> CustomerPhone | None:
        """Return the first mobile number on record, if any."""
        return self.phones[0] if self.phones else None


class CustomerPhone(db.Model):  # type: ignore[name-defined]
    """One mobile number of a customer, stored as +63XXXXXXXXXX.

    A number may belong to more than one customer (a family's shared phone):
    staff are warned, not stopped.
    """

    __tablename__ = "customer_phones"
    __table_args__ = (
        Index("ix_customer_phones_number", "number"),
        Index("ix_customer_phones_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    number: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )

    customer: Mapped[Customer] = relationship(back_populates="phones")

    @property
    def display(self) -> str:
        """Return the number the way people read it: 0917 123 4567."""
        return format_mobile(self.number)


class CustomerDepartment(db.Model):  # type: ignore[name-defined]
    """A department or branch of a business or government customer."""

    __tablename__ = "customer_departments"
    __table_args__ = (Index("ix_customer_departments_customer_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    contact_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    is_archived: Mapped[bool] = mapped_column(default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )

    customer: Mapped[Customer] = relationship(back_populates="departments")


class CustomerNote(db.Model):  # type: ignore[name-defined]
    """A dated remark about a customer by a member of staff (append-only)."""

    __tablename__ = "customer_notes"
    __table_args__ = (Index("ix_customer_notes_customer_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )

    author = relationship("User")
