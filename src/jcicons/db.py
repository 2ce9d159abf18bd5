"""Declarative base, constraint naming and the UTC datetime column type."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, func, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# A 64-bit key for ledgers that grow without end (SQLite's rowid is 64-bit already).
BigId = BigInteger().with_variant(Integer, "sqlite")


def sql_in(values: Iterable[StrEnum]) -> str:
    """Return enum values (an enum, or some of its members) as an SQL list for a
    CHECK constraint: 'A', 'B'."""
    return ", ".join(f"'{value.value}'" for value in values)


def sum_or_zero(value: Any) -> Any:
    """Return SUM(value) that reads 0, not NULL, when no row is summed."""
    return func.coalesce(func.sum(value), 0)


def contains_pattern(term: str) -> str:
    """Return a lower-case LIKE pattern matching `term` anywhere, taken literally.

    Use with `escape="\\"`: `%`, `_` and the backslash in the term match only
    themselves.
    """
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime that survives databases which drop the offset.

    SQLite stores no time zone, so values come back naive; this type refuses naive
    input and re-attaches UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Convert an aware datetime to UTC before storing it."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return the stored value as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every model, with the shared constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def install_sqlite_pragmas(engine: Any) -> None:
    """Attach the SQLite pragmas to an engine (no-op for other databases)."""
    from sqlalchemy import event

    if engine.dialect.name == "sqlite" and not event.contains(
        engine, "connect", _sqlite_pragmas
    ):
        event.listen(engine, "connect", _sqlite_pragmas)


def lock_rows(
    session: Session | scoped_session[Any], model: Any, *criteria: Any
) -> None:
    """Hold rows against other writers until commit, so check-then-write takes turns.

    PostgreSQL locks the rows (SELECT ... FOR UPDATE). SQLite ignores FOR UPDATE but
    has one writer at a time: an UPDATE that changes nothing takes the write lock, and
    a second request waits on it (busy_timeout) and then reads what the first
    committed. Call it before the reads the decision rests on.
    """
    key = model.id
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(model)
            .where(*criteria)
            .values({key: key})
            .execution_options(synchronize_session=False)
        )
    else:
        session.execute(select(key).where(*criteria).with_for_update())


def hold_rows(
    session: Session | scoped_session[Any], model: Any, *criteria: Any
) -> None:
    """Lock rows (`lock_rows`) and forget what the session read before the lock.

    What the decision then reads is what the writer before it committed, not the
    objects this session loaded earlier.
    """
    lock_rows(session, model, *criteria)
    session.expire_all()
