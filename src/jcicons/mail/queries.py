"""Read-only selects for the e-mail log page."""

from __future__ import annotations

from sqlalchemy import Select, select

from jcicons.extensions import db
from jcicons.mail.models import EmailLog


def email_log_query(status: str = "", kind: str = "") -> Select[tuple[EmailLog]]:
    """Return the newest-first select of e-mail log rows, filtered when asked."""
    query = select(EmailLog).order_by(EmailLog.created_at.desc(), EmailLog.id.desc())
    if status:
        query = query.where(EmailLog.status == status)
    if kind:
        query = query.where(EmailLog.kind == kind)
    return query


def list_email_kinds() -> list[str]:
    """Return the kinds of e-mail logged so far, for the filter."""
    return list(
        db.session.scalars(select(EmailLog.kind).distinct().order_by(EmailLog.kind))
    )
