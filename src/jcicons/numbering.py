"""Gapless document counters, allocated inside the caller's transaction.

`next_number` increments a row of the `counters` table with one UPDATE ...
RETURNING. The row stays locked until the caller's transaction ends, so two
transactions never get the same number, and a rolled-back transaction gives its
number back: the sequence has no gaps and no repeats, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, String, insert, select, update
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


def counter_value(key: str) -> int:
    """Return the last number a counter handed out (0 before the first)."""
    value = db.session.scalar(select(Counter.value).where(Counter.key == key))
    return int(value or 0)


def sequence_problems(
    label: str, key: str, numbers: Iterable[str], prefix: str
) -> list[str]:
    """Return what keeps a counter's documents from being exactly 1 to its value.

    `numbers` are the documents' numbers as printed, `prefix` what comes before
    the count ("INV-" of INV-000042). A missing count is a gap; one above the
    counter would be handed out again; one that is not a count from 1 up is
    malformed.
    """
    last = counter_value(key)
    seen: set[int] = set()
    malformed: list[str] = []
    for number in numbers:
        count = number.removeprefix(prefix)
        if number.startswith(prefix) and count.isdigit() and int(count) > 0:
            seen.add(int(count))
        else:
            malformed.append(number)
    problems = []
    missing = [n for n in range(1, last + 1) if n not in seen]
    if missing:
        problems.append(
            f"{label}: the counter stands at {last}; missing: {_few(missing)}"
        )
    beyond = sorted(n for n in seen if n > last)
    if beyond:
        problems.append(
            f"{label}: above the counter's {last}, so it would hand them out "
            f"again: {_few(beyond)}"
        )
    if malformed:
        problems.append(f"{label}: not numbered {prefix}N: {_few(sorted(malformed))}")
    return problems


def _few(items: list[Any]) -> str:
    """Name up to five items and count the rest."""
    shown = ", ".join(str(item) for item in items[:5])
    rest = len(items) - 5
    return f"{shown} and {rest} more" if rest > 0 else shown
