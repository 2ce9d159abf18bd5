"""Repair tickets: the device, its intake, the work, the parts and the timeline.

Money on a ticket lives in the payment ledger (`payments.repair_ticket_id`), parts in
the stock ledger; the ticket keeps what was agreed (fees, labour, discount) and who
did what when. Nothing here is ever deleted: a removed part keeps its row, marked
removed, and its stock comes back through a ledger row of its own.
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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jcicons.clock import utcnow
from jcicons.customers import models as _customers  # noqa: F401 - customer_id
from jcicons.db import UTCDateTime, sql_in
from jcicons.extensions import db
from jcicons.inventory import models as _inventory  # noqa: F401 - product_id


class RepairStatus(StrEnum):
    """Where a ticket stands. The order of the main path is the order here."""

    RECEIVED = "RECEIVED"
    DIAGNOSING = "DIAGNOSING"
    WAITING_APPROVAL = "WAITING_APPROVAL"
    WAITING_PARTS = "WAITING_PARTS"
    IN_REPAIR = "IN_REPAIR"
    READY = "READY"
    RELEASED = "RELEASED"
    CANCELLED = "CANCELLED"
    UNREPAIRABLE = "UNREPAIRABLE"
    PULLED_OUT = "PULLED_OUT"


STATUS_LABELS = {
    RepairStatus.RECEIVED: "Received",
    RepairStatus.DIAGNOSING: "Diagnosing",
    RepairStatus.WAITING_APPROVAL: "Waiting for approval",
    RepairStatus.WAITING_PARTS: "Waiting for parts",
    RepairStatus.IN_REPAIR: "In repair",
    RepairStatus.READY: "Ready for pickup",
    RepairStatus.RELEASED: "Released",
    RepairStatus.CANCELLED: "Cancelled",
    RepairStatus.UNREPAIRABLE: "Unrepairable",
    RepairStatus.PULLED_OUT: "Pulled out by customer",
}

# The side exits: the work stops, and the device still goes back to the customer.
SIDE_EXITS = frozenset(
    {RepairStatus.CANCELLED, RepairStatus.UNREPAIRABLE, RepairStatus.PULLED_OUT}
)
# Tickets still in the shop's hands; a released ticket is archived.
OPEN_STATUSES = frozenset(set(RepairStatus) - {RepairStatus.RELEASED})


class DeviceType(StrEnum):
    """What kind of device came in."""

    LAPTOP = "LAPTOP"
    DESKTOP = "DESKTOP"
    PRINTER = "PRINTER"
    MONITOR = "MONITOR"
    PHONE = "PHONE"
    TABLET = "TABLET"
    OTHER = "OTHER"


DEVICE_LABELS = {
    DeviceType.LAPTOP: "Laptop",
    DeviceType.DESKTOP: "Desktop or system unit",
    DeviceType.PRINTER: "Printer",
    DeviceType.MONITOR: "Monitor",
    DeviceType.PHONE: "Phone",
    DeviceType.TABLET: "Tablet",
    DeviceType.OTHER: "Other",
}


class Priority(StrEnum):
    """How urgent the customer's job is."""

    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    RUSH = "RUSH"


PRIORITY_LABELS = {
    Priority.LOW: "Low",
    Priority.NORMAL: "Normal",
    Priority.HIGH: "High",
    Priority.RUSH: "Rush",
}


class EstimateDecision(StrEnum):
    """The customer's answer to the estimate."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"


# What staff check on a device at intake; each answer is yes, no or not checked.
CONDITION_CHECKS = (
    ("powers_on", "Powers on"),
    ("screen_ok", "Screen without cracks or lines"),
    ("housing_ok", "Housing without cracks or dents"),
    ("keyboard_ok", "Keyboard and buttons work"),
    ("ports_ok", "Ports and charging work"),
    ("water_damage", "Signs of water damage"),
    ("missing_screws", "Missing screws or parts"),
)

ACCESSORY_CHOICES = (
    "Charger or adapter",
    "Power cable",
    "Bag or case",
    "Battery",
    "Memory card",
    "SIM card",
    "USB or data cable",
    "Ink or toner",
)


class ServiceType(db.Model):  # type: ignore[name-defined]
    """A service the shop offers, from the catalogue ADMIN keeps."""

    __tablename__ = "service_types"
    __table_args__ = (
        CheckConstraint("default_price_centavos >= 0", name="price_not_negative"),
        CheckConstraint("warranty_days >= 0", name="warranty_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    default_price_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    warranty_days: Mapped[int] = mapped_column(nullable=False, default=0)
    is_archived: Mapped[bool] = mapped_column(nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )


class RepairTicket(db.Model):  # type: ignore[name-defined]
    """One device left with the shop, from intake to release."""

    __tablename__ = "repair_tickets"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(RepairStatus)})", name="status_known"),
        CheckConstraint(f"device_type IN ({sql_in(DeviceType)})", name="device_known"),
        CheckConstraint(f"priority IN ({sql_in(Priority)})", name="priority_known"),
        CheckConstraint(
            f"estimate_decision IN ({sql_in(EstimateDecision)})",
            name="decision_known",
        ),
        CheckConstraint("diagnostic_fee_centavos >= 0", name="fee_not_negative"),
        CheckConstraint("discount_centavos >= 0", name="discount_not_negative"),
        CheckConstraint("waived_centavos >= 0", name="waived_not_negative"),
        CheckConstraint(
            "final_charges_centavos IS NULL OR final_charges_centavos >= 0",
            name="final_charges_not_negative",
        ),
        Index("ix_repair_tickets_status", "status"),
        # A technician's queue: their tickets in one status (the list's filter).
        Index("ix_repair_tickets_technician_status", "technician_id", "status"),
        Index("ix_repair_tickets_serial", "serial_number"),
        Index("ix_repair_tickets_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    status_token: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The intake form's key: the same form sent twice opens one ticket.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=RepairStatus.RECEIVED
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id"), nullable=False, index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_departments.id")
    )
    device_type: Mapped[str] = mapped_column(String(12), nullable=False)
    device_name: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    brand: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    model: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    serial_number: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    accessories: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    accessories_note: Mapped[str] = mapped_column(
        String(300), nullable=False, default=""
    )
    condition: Mapped[dict[str, Any]] = mapped_column(
        JSON, nullable=False, default=dict
    )
    condition_notes: Mapped[str] = mapped_column(
        String(1000), nullable=False, default=""
    )
    # Fernet token of the device passcode; erased (NULL) at release.
    passcode_encrypted: Mapped[str | None] = mapped_column(Text)
    problem: Mapped[str] = mapped_column(String(2000), nullable=False)
    diagnosis: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    priority: Mapped[str] = mapped_column(
        String(8), nullable=False, default=Priority.NORMAL
    )
    promised_date: Mapped[date | None] = mapped_column(Date)
    diagnostic_fee_centavos: Mapped[int] = mapped_column(
        BigInteger, nullable=False, default=0
    )
    discount_centavos: Mapped[int] = mapped_column(
        BigInteger, nullable=False, default=0
    )
    discount_approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    waived_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    waive_reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    technician_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    estimate_decision: Mapped[str] = mapped_column(
        String(10), nullable=False, default=EstimateDecision.PENDING
    )
    # Set when an estimate is put to the customer; from then on the repair waits
    # for their yes (estimate_decision APPROVED) before it goes on.
    estimate_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    estimate_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    estimate_decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    estimate_note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    # A comeback under warranty points at the ticket whose work it revisits.
    original_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("repair_tickets.id")
    )
    warranty_until: Mapped[date | None] = mapped_column(Date)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    released_to_name: Mapped[str] = mapped_column(
        String(120), nullable=False, default=""
    )
    released_to_id_shown: Mapped[str] = mapped_column(
        String(120), nullable=False, default=""
    )
    # The charges as they stood at release, when parts and labour lock: what the
    # customer's account owes on the ticket is this less the ledger's net.
    final_charges_centavos: Mapped[int | None] = mapped_column(BigInteger)
    released_on_credit: Mapped[bool] = mapped_column(nullable=False, default=False)
    credit_reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )

    customer = relationship("Customer")
    department = relationship("CustomerDepartment")
    technician = relationship("User", foreign_keys=[technician_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    released_by = relationship("User", foreign_keys=[released_by_id])
    original_ticket: Mapped[RepairTicket | None] = relationship(
        remote_side=[id], foreign_keys=[original_ticket_id]
    )
    services: Mapped[list[RepairService]] = relationship(
        back_populates="ticket", order_by="RepairService.id"
    )
    parts: Mapped[list[RepairPart]] = relationship(
        back_populates="ticket", order_by="RepairPart.id"
    )
    events: Mapped[list[RepairEvent]] = relationship(
        back_populates="ticket", order_by="RepairEvent.id"
    )

    @property
    def is_open(self) -> bool:
        """True until the device has gone back to the customer."""
        return self.status != RepairStatus.RELEASED

    @property
    def device_label(self) -> str:
        """The device as staff say it: 'Laptop Acer Aspire 5'."""
        return device_label(self.device_type, self.device_name, self.brand, self.model)


def device_label(kind: str, name: str | None, brand: str, model: str) -> str:
    """Name a device as staff say it: its own name or its type's, brand, model."""
    said = name or DEVICE_LABELS.get(DeviceType(kind), kind)
    return " ".join(part for part in (said, brand, model) if part)


class RepairService(db.Model):  # type: ignore[name-defined]
    """A labour line: a service from the catalogue at an agreed price.

    The name, price and warranty are copied from the catalogue when the line is
    added, so a later price change does not rewrite what the customer agreed to.
    """

    __tablename__ = "repair_services"
    __table_args__ = (
        CheckConstraint("price_centavos >= 0", name="price_not_negative"),
        CheckConstraint("warranty_days >= 0", name="warranty_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("repair_tickets.id"), nullable=False, index=True
    )
    service_type_id: Mapped[int | None] = mapped_column(ForeignKey("service_types.id"))
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    price_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    warranty_days: Mapped[int] = mapped_column(nullable=False, default=0)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )

    ticket: Mapped[RepairTicket] = relationship(back_populates="services")


class RepairPart(db.Model):  # type: ignore[name-defined]
    """A part taken from stock for a repair; removing it puts it back."""

    __tablename__ = "repair_parts"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_centavos >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("repair_tickets.id"), nullable=False, index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), nullable=False)
    sku: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str] = mapped_column(String(160), nullable=False)
    quantity: Mapped[int] = mapped_column(nullable=False)
    unit_price_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    unit_cost_centavos: Mapped[int] = mapped_column(BigInteger, nullable=False)
    serial_unit_id: Mapped[int | None] = mapped_column(ForeignKey("serial_units.id"))
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    ticket: Mapped[RepairTicket] = relationship(back_populates="parts")
    product = relationship("Product")
    serial_unit = relationship("SerialUnit")


class RepairEventKind(StrEnum):
    """What a timeline entry records."""

    STATUS = "STATUS"
    NOTE = "NOTE"
    ASSIGNED = "ASSIGNED"
    ESTIMATE = "ESTIMATE"
    PART = "PART"
    SERVICE = "SERVICE"
    PAYMENT = "PAYMENT"
    CHARGES = "CHARGES"


class RepairEvent(db.Model):  # type: ignore[name-defined]
    """One entry of a ticket's timeline: a status change, a note, an assignment..."""

    __tablename__ = "repair_events"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(RepairEventKind)})", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("repair_tickets.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    technician_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )

    ticket: Mapped[RepairTicket] = relationship(back_populates="events")
    actor = relationship("User", foreign_keys=[actor_id])
    technician = relationship("User", foreign_keys=[technician_id])


class ReadyNotice(db.Model):  # type: ignore[name-defined]
    """That the customer was told once about a status: one row per ticket and status."""

    __tablename__ = "repair_notices"
    __table_args__ = (UniqueConstraint("ticket_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("repair_tickets.id"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )
