"""UTCDateTime: naive datetimes are refused, aware ones come back in UTC."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, create_engine, select
from sqlalchemy.exc import StatementError

from helpers import needs_postgres
from jcicons.db import UTCDateTime

MANILA = ZoneInfo("Asia/Manila")


@pytest.fixture(params=["sqlite", "postgresql"])
def probe(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple]:
    """An engine and a throw-away table with one UTCDateTime column."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'probe.db'}"
    else:
        url = needs_postgres()
    engine = create_engine(url)
    metadata = MetaData()
    table = Table(
        f"utc_probe_{secrets.token_hex(4)}",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime),
    )
    metadata.create_all(engine)
    yield engine, table
    metadata.drop_all(engine)
    engine.dispose()


def store_and_read(engine: Engine, table: Table, value: datetime | None):
    with engine.begin() as connection:
        connection.execute(table.insert().values(id=1, at=value))
        return connection.scalar(select(table.c.at))


def test_an_aware_value_comes_back_as_the_same_instant_in_utc(probe):
    manila_morning = datetime(2025, 3, 10, 0, 30, tzinfo=MANILA)
    stored = store_and_read(*probe, manila_morning)
    assert stored == manila_morning
    assert stored.tzinfo == UTC
    assert (stored.day, stored.hour, stored.minute) == (9, 16, 30)


def test_a_naive_value_is_refused(probe):
    engine, table = probe
    with pytest.raises(StatementError, match="naive datetime"):
        store_and_read(engine, table, datetime(2025, 3, 10, 8, 0))  # noqa: DTZ001
    with engine.connect() as connection:
        assert connection.scalar(select(table.c.id)) is None


def test_none_is_stored_as_null(probe):
    assert store_and_read(*probe, None) is None


def test_sqlite_stores_the_utc_wall_time(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'raw.db'}")
    metadata = MetaData()
    table = Table(
        "raw",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime),
    )
    metadata.create_all(engine)
    store_and_read(engine, table, datetime(2025, 3, 10, 0, 30, tzinfo=MANILA))
    with engine.connect() as connection:
        raw = connection.exec_driver_sql("SELECT at FROM raw").scalar()
    engine.dispose()
    assert raw.startswith("2025-03-09 16:30:00")
