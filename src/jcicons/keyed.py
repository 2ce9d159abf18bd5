"""Forms with an idempotency key: sent twice, their work is done once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jcicons.extensions import db

T = TypeVar("T")


def find_by_key(model: type[T], key: str, *criteria: Any) -> T | None:
    """Return the row a form sent earlier under `key` made, if any."""
    column: Any = model.idempotency_key  # type: ignore[attr-defined]
    return db.session.scalar(select(model).where(column == key, *criteria))


def commit_once(work: Callable[[], T], find: Callable[[str], T | None], key: str) -> T:
    """Run a keyed service and commit; return what an earlier send made instead.

    The service itself returns an earlier result it finds under the key. Two sends
    at the same moment both miss it; the unique key then refuses the second at
    commit, and this returns what the first made. Other errors pass through.
    """
    try:
        result = work()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = find(key) if key else None
        if earlier is None:
            raise
        return earlier
    return result
