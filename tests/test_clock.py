"""The clock: UTC everywhere, freezable in tests, shop days in the shop's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jcicons import clock

MANILA = ZoneInfo("Asia/Manila")


def test_utcnow_is_aware_utc():
    now = clock.utcnow()
    assert now.tzinfo == UTC
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_frozen_clock_returns_the_instant_in_utc():
    clock.set_frozen(datetime(2025, 3, 10, 9, 0, tzinfo=MANILA))
    assert clock.utcnow() == datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
    assert clock.utcnow().tzinfo == UTC


def test_frozen_at_refuses_a_naive_instant_and_restores_the_clock():
    naive = datetime(2025, 3, 10, 9, 0)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"), clock.frozen_at(naive):
        pass
    with clock.frozen_at(datetime(2025, 1, 1, tzinfo=UTC)):
        assert clock.utcnow() == datetime(2025, 1, 1, tzinfo=UTC)
    assert abs(clock.utcnow() - datetime.now(UTC)) < timedelta(minutes=1)


def test_business_day_bounds_are_manila_midnights_in_utc():
    start, end = clock.business_day_bounds(date(2025, 3, 10))
    assert start == datetime(2025, 3, 9, 16, 0, tzinfo=UTC)
    assert end == datetime(2025, 3, 10, 16, 0, tzinfo=UTC)
    assert start.tzinfo == UTC


@pytest.mark.parametrize(
    ("local", "day"),
    [
        (datetime(2025, 3, 10, 0, 30, tzinfo=MANILA), date(2025, 3, 10)),
        (datetime(2025, 3, 10, 0, 0, tzinfo=MANILA), date(2025, 3, 10)),
        (datetime(2025, 3, 9, 23, 59, tzinfo=MANILA), date(2025, 3, 9)),
    ],
)
def test_an_instant_belongs_to_its_manila_day(local, day):
    instant = local.astimezone(UTC)
    start, end = clock.business_day_bounds(day)
    previous_start, previous_end = clock.business_day_bounds(day - timedelta(days=1))
    assert start <= instant < end
    assert not previous_start <= instant < previous_end
    clock.set_frozen(instant)
    assert clock.shop_today() == day


def test_business_day_follows_the_configured_zone(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "SHOP_TIMEZONE", "America/New_York")
    start, end = clock.business_day_bounds(date(2025, 3, 9))  # clocks go forward
    assert start == datetime(2025, 3, 9, 5, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=23)


def test_to_shop_time_shows_manila_wall_time():
    shown = clock.to_shop_time(datetime(2025, 3, 9, 16, 30, tzinfo=UTC))
    assert (shown.day, shown.hour, shown.minute) == (10, 0, 30)
    assert shown.utcoffset() == timedelta(hours=8)
