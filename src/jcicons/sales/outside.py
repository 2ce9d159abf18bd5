"""What the sales ledger needs to know of repair tickets, without importing repairs.

A payment row may belong to a repair ticket, a customer's open balance counts what
tickets released on credit still owe, and the daily summary counts the devices
released. Repairs builds on sales, never the other way round, so repairs hands
sales these three selects when the app is made (`register_repair_accounts`).
Asking before that is a programming error, raised: a credit limit must never be
checked as if no repair were owed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select


@dataclass(frozen=True)
class RepairTotals:
    """A customer's repair money: charged on released tickets, paid, still owed."""

    charged_centavos: int = 0
    paid_centavos: int = 0
    owed_centavos: int = 0


@dataclass(frozen=True)
class RepairAccounts:
    """The selects repairs gives sales, each over a family of customer ids."""

    totals: Callable[[Select[tuple[int]]], RepairTotals]
    payments_of: Callable[[Select[tuple[int]]], ColumnElement[bool]]
    released_between: Callable[[datetime, datetime], int]


_registered: list[RepairAccounts] = []


def register_repair_accounts(accounts: RepairAccounts) -> None:
    """Give sales the repair selects (the app factory calls this once per app)."""
    _registered[:] = [accounts]


def repair_accounts() -> RepairAccounts:
    """Return the registered repair selects (raise before the app is made)."""
    if not _registered:
        raise RuntimeError("repair accounts are not registered: use create_app()")
    return _registered[0]
