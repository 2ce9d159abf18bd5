"""The e-mail log: one row for every message the shop tried to send."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jcicons.clock import utcnow
from jcicons.db import BigId, UTCDateTime, sql_in
from jcicons.extensions import db


class EmailStatus(StrEnum):
    """What became of one message."""

    SENT = "SENT"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


class EmailKind(StrEnum):
    """Why the shop sent a message; callers may use other short names too."""

    TEST = "test"
    REPAIR_READY = "repair_ready"
    DAILY_SUMMARY = "daily_summary"


class SmtpSecurity(StrEnum):
    """How the connection to the mail server is protected."""

    STARTTLS = "starttls"
    SSL = "ssl"
    NONE = "none"


class EmailLog(db.Model):  # type: ignore[name-defined]
    """One attempt to send one message: to whom, why, and how it went."""

    __tablename__ = "email_log"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(EmailStatus)})", name="status_known"),
        Index("ix_email_log_created_at", "created_at"),
        Index("ix_email_log_related", "related_type", "related_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False
    )
    recipient: Mapped[str] = mapped_column(String(320), nullable=False)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(255))
    related_type: Mapped[str | None] = mapped_column(String(40))
    related_id: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    actor_username: Mapped[str] = mapped_column(String(64), nullable=False)
