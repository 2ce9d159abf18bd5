"""The security log: JSON lines in LOG_DIR/security.log, and persisted refusals.

Each line holds the time (UTC), the event, the user, the client address, method,
path, request id and a small detail dict. Values are JSON-encoded, so CR/LF in a
username cannot forge a line, and long values are cut. Passwords, tokens, cookies
and CSRF values are never passed in. Refusals and alerts are also stored in the
`security_events` table through their own short transaction, so they survive the
rollback of the request that caused them.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import func, insert, select

from jcicons.clock import utcnow

logger = logging.getLogger("jcicons.security")

MAX_VALUE_LENGTH = 200
LOG_FILE_MODE = 0o640
LOG_DIR_MODE = 0o750

WARNING_EVENTS = frozenset(
    {
        "login_failed",
        "login_locked",
        "permission_denied",
        "csrf_failed",
        "suspicious_input",
        "two_factor_failed",
        "failed_login_spike",
        "session_rejected",
    }
)


def _cut(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_VALUE_LENGTH]
    if isinstance(value, dict):
        return {str(k)[:64]: _cut(v) for k, v in list(value.items())[:20]}
    if isinstance(value, list | tuple):
        return [_cut(v) for v in list(value)[:20]]
    if value is None or isinstance(value, bool | int):
        return value
    return str(value)[:MAX_VALUE_LENGTH]


class JsonLineFormatter(logging.Formatter):
    """Format a security record as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record's security fields as a JSON line."""
        fields = getattr(record, "security", None) or {"message": record.getMessage()}
        return json.dumps(fields, ensure_ascii=True, sort_keys=False, default=str)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are readable by owner and group only."""

    def _open(self):  # type: ignore[no-untyped-def]
        stream = super()._open()
        os.chmod(self.baseFilename, LOG_FILE_MODE)
        return stream


def configure_security_log(app: Flask) -> None:
    """Attach the JSON-lines file handler for LOG_DIR/security.log."""
    log_dir = Path(app.config["LOG_DIR"])
    log_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(log_dir, LOG_DIR_MODE)
    path = (log_dir / "security.log").resolve()
    for handler in list(logger.handlers):
        if getattr(handler, "_jcicons", False):
            logger.removeHandler(handler)
            handler.close()
    handler = PrivateRotatingFileHandler(
        path, maxBytes=5 * 1024 * 1024, backupCount=10, encoding="utf-8", delay=False
    )
    handler._jcicons = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonLineFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    app.extensions["jcicons_security_log"] = str(path)


def _request_fields() -> dict[str, Any]:
    if not has_request_context():
        return {"ip": None, "method": None, "path": None, "request_id": None}
    return {
        "ip": request.remote_addr,
        "method": request.method,
        "path": request.path,
        "request_id": g.get("request_id"),
    }


def _current_identity() -> tuple[str | None, int | None]:
    if not has_request_context():
        return None, None
    from flask_login import current_user

    user = g.get("_login_user") if "_login_user" in g else None
    if user is None:
        try:
            user = current_user._get_current_object()
        except Exception:
            return None, None
    if getattr(user, "is_authenticated", False):
        return user.username, user.id
    return None, None


def record_security_event(
    event: str,
    *,
    username: str | None = None,
    user_id: int | None = None,
    detail: dict[str, Any] | None = None,
    persist: bool = False,
) -> None:
    """Write one security event to the log, and to the table when `persist` is set."""
    if username is None and user_id is None:
        username, user_id = _current_identity()
    fields: dict[str, Any] = {
        "time": utcnow().isoformat(),
        "event": event,
        "username": _cut(username),
        "user_id": user_id,
        **_request_fields(),
        "detail": _cut(detail or {}),
    }
    level = logging.WARNING if event in WARNING_EVENTS else logging.INFO
    logger.log(level, "%s", event, extra={"security": fields})
    if persist:
        _persist(fields)


def _persist(fields: dict[str, Any]) -> None:
    from jcicons.audit.models import SecurityEvent
    from jcicons.extensions import db

    path = fields.get("path")
    with db.engine.begin() as connection:
        connection.execute(
            insert(SecurityEvent).values(
                created_at=utcnow(),
                event=fields["event"],
                username=fields["username"],
                user_id=fields["user_id"],
                ip=fields["ip"],
                path=path[:255] if path else None,
                detail=fields["detail"],
            )
        )


def count_recent_events(event: str, window: timedelta) -> int:
    """Return how many events of one kind were stored within the window."""
    from jcicons.audit.models import SecurityEvent
    from jcicons.extensions import db

    since = utcnow() - window
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(SecurityEvent)
            .where(SecurityEvent.event == event, SecurityEvent.created_at >= since)
        )
        or 0
    )


SPIKE_WINDOW = timedelta(minutes=5)


def check_failed_login_spike() -> bool:
    """Raise one alert when failed logins within 5 minutes pass the threshold."""
    threshold = int(current_app.config["FAILED_LOGIN_ALERT_THRESHOLD"])
    failures = count_recent_events("login_failed", SPIKE_WINDOW)
    if failures <= threshold:
        return False
    if count_recent_events("failed_login_spike", SPIKE_WINDOW) == 0:
        record_security_event(
            "failed_login_spike",
            detail={"failed_logins": failures, "window_minutes": 5},
            persist=True,
        )
    return True
