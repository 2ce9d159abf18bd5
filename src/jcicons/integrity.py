"""`jcicons check-integrity`: prove the shop's books agree with themselves.

Each module states its own invariants (stock, sales and the payment ledger,
repairs); this command runs them all and exits 0 only when none is broken. Run it
after a restore, an upgrade or a crash.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from jcicons.extensions import db
from jcicons.inventory.integrity import stock_problems
from jcicons.inventory.models import Product
from jcicons.repairs.integrity import repair_problems
from jcicons.repairs.models import RepairTicket
from jcicons.sales.integrity import sales_problems
from jcicons.sales.models import Sale

# What each part checks, and the rows it checks, for the report.
PARTS: tuple[tuple[str, Callable[[], list[str]], Any, str], ...] = (
    ("Stock", stock_problems, Product, "product(s)"),
    ("Sales and payments", sales_problems, Sale, "sale(s)"),
    ("Repairs", repair_problems, RepairTicket, "ticket(s)"),
)


def integrity_problems() -> list[str]:
    """Return every broken invariant of every module, one sentence each."""
    return [problem for _, check, _, _ in PARTS for problem in check()]


@click.command("check-integrity")
@with_appcontext
def check_integrity() -> None:
    """Check stock, sales, payments, repairs and numbering; exit 0 if all sound."""
    failed = 0
    for label, check, model, rows_name in PARTS:
        problems = check()
        rows = db.session.scalar(select(func.count()).select_from(model)) or 0
        for problem in problems:
            click.echo(f"FAIL {problem}")
        if problems:
            click.echo(f"{label}: {len(problems)} problem(s).")
        else:
            click.echo(f"{label}: consistent, {rows:,} {rows_name} checked.")
        failed += len(problems)
    if failed:
        click.echo(f"\n{failed} problem(s) found.")
        sys.exit(1)
