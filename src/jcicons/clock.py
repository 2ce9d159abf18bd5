"""One clock for the whole application, in UTC, that tests can freeze.

Everything stores instants in UTC. The shop's time zone is used only at the edges:
for display and for the bounds of a business day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

_frozen: datetime | None = None

DEFAULT_TIMEZONE = "Asia/Manila"


def utcnow() -> datetime:
    """Return the current instant as an aware UTC datetime."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC)


@contextmanager
def frozen_at(instant: datetime) -> Iterator[None]:
    """Freeze `utcnow()` at `instant` inside the block (for tests)."""
    global _frozen
    if instant.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous = _frozen
    _frozen = instant.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def set_frozen(instant: datetime | None) -> None:
    """Freeze the clock at `instant`, or unfreeze it with None (for tests)."""
    global _frozen
    _frozen = instant.astimezone(UTC) if instant is not None else None


def shop_zone() -> ZoneInfo:
    """Return the shop's time zone from the configuration."""
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = current_app.config.get("SHOP_TIMEZONE", DEFAULT_TIMEZONE)
    return ZoneInfo(name)


def to_shop_time(instant: datetime) -> datetime:
    """Convert an aware instant to the shop's local time."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(shop_zone())


def shop_today() -> date:
    """Return today's date in the shop's time zone."""
    return to_shop_time(utcnow()).date()


def business_day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the UTC instants [start, end) of one business day in the shop's zone."""
    zone = shop_zone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
