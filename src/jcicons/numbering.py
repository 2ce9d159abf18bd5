"""Gapless document counters, allocated inside the caller's transaction.

`next_number` increments a row of the `counters` table with one UPDATE ...
RETURNING. The row stays locked until the caller's transaction ends, so two
transactions never get the same number, and a rolled-back transaction gives its
number back: the sequence has no gaps and no repeats, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import Executable

from jcicons.extensions import db


class Counter(db.Model):  # type: ignore[name-defined]
    """The last number handed out for one kind of document (and year)."""

    __tablename__ = "counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


def _ensure_row(key: str) -> None:
    dialect = db.session.get_bind().dialect.name
    statement: Executable
    if dialect == "postgresql":
        statement = pg_insert(Counter).values(key=key, value=0).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = (
            sqlite_insert(Counter).values(key=key, value=0).on_conflict_do_nothing()
        )
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        statement = insert(Counter).values(key=key, value=0)
    db.session.execute(statement)


def next_number(key: str) -> int:
    """Allocate and return the next number of a counter, starting at 1."""
    statement = (
        update(Counter)
        .where(Counter.key == key)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    value = db.session.execute(statement).scalar_one_or_none()
    if value is None:
        _ensure_row(key)
        value = db.session.execute(statement).scalar_one()
    return int(value)
