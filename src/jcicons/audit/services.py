"""Write and search the audit trail.

`record_audit` adds the row to the current database session, so it is committed or
rolled back together with the change it records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import g, has_request_context, request
from sqlalchemy import Select, select

from jcicons.audit.models import AuditEvent
from jcicons.clock import business_day_bounds
from jcicons.extensions import db

if TYPE_CHECKING:
    from jcicons.auth.models import User


def _request_facts() -> tuple[str | None, str | None]:
    if not has_request_context():
        return None, None
    return request.remote_addr, g.get("request_id")


def record_audit(
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row for a change in the current transaction."""
    ip, request_id = _request_facts()
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_username=actor.username if actor is not None else "system",
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
        ip=ip,
        request_id=request_id,
    )
    db.session.add(event)
    return event


@dataclass
class AuditFilter:
    """What the ADMIN searches the audit trail for."""

    actor: str = ""
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_query(criteria: AuditFilter) -> Select[tuple[AuditEvent]]:
    """Return the newest-first select of audit rows matching the filter.

    Dates are shop-local calendar days; the last day is included whole.
    """
    query = select(AuditEvent).order_by(
        AuditEvent.created_at.desc(), AuditEvent.id.desc()
    )
    if criteria.actor:
        query = query.where(AuditEvent.actor_username == criteria.actor.strip().lower())
    if criteria.action:
        query = query.where(
            AuditEvent.action.startswith(criteria.action.strip(), autoescape=True)
        )
    if criteria.entity_type:
        query = query.where(AuditEvent.entity_type == criteria.entity_type.strip())
    if criteria.entity_id:
        query = query.where(AuditEvent.entity_id == criteria.entity_id.strip())
    if criteria.date_from:
        query = query.where(
            AuditEvent.created_at >= business_day_bounds(criteria.date_from)[0]
        )
    if criteria.date_to:
        query = query.where(
            AuditEvent.created_at < business_day_bounds(criteria.date_to)[1]
        )
    return query


def list_audit_actions() -> list[str]:
    """Return the distinct actions recorded so far, for the filter's picker."""
    return list(
        db.session.scalars(
            select(AuditEvent.action).distinct().order_by(AuditEvent.action)
        )
    )
