"""`jcicons check-integrity`: prove that the stock ledger and on-hand agree."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from jcicons.extensions import db
from jcicons.inventory.models import Product, SerialStatus, SerialUnit
from jcicons.inventory.stock import ledger_mismatches


def integrity_problems() -> list[str]:
    """Return one sentence per broken stock invariant (empty when all hold).

    The ledger sums to on-hand for every product; no on-hand is negative; a
    serialized product has exactly as many units in stock as it has on hand.
    """
    problems = [
        f"{sku} (product {product_id}): on hand {on_hand}, but the ledger sums to "
        f"{total}"
        for product_id, sku, on_hand, total in ledger_mismatches()
    ]
    negative = db.session.execute(
        select(Product.id, Product.sku, Product.on_hand)
        .where(Product.on_hand < 0)
        .order_by(Product.id)
    )
    problems += [
        f"{sku} (product {product_id}): on hand is negative ({on_hand})"
        for product_id, sku, on_hand in negative
    ]
    in_stock = (
        select(SerialUnit.product_id, func.count().label("units"))
        .where(SerialUnit.status == SerialStatus.IN_STOCK)
        .group_by(SerialUnit.product_id)
        .subquery()
    )
    units = func.coalesce(in_stock.c.units, 0)
    serial_gaps = db.session.execute(
        select(Product.id, Product.sku, Product.on_hand, units)
        .outerjoin(in_stock, in_stock.c.product_id == Product.id)
        .where(Product.is_serialized.is_(True), Product.on_hand != units)
        .order_by(Product.id)
    )
    problems += [
        f"{sku} (product {product_id}): on hand {on_hand}, but {count} serial "
        "units are in stock"
        for product_id, sku, on_hand, count in serial_gaps
    ]
    return problems


@click.command("check-integrity")
@with_appcontext
def check_integrity() -> None:
    """Check stock: ledger sums, no negative on-hand, serial units; exit 0 if sound."""
    products = db.session.scalar(select(func.count()).select_from(Product)) or 0
    problems = integrity_problems()
    for problem in problems:
        click.echo(f"FAIL {problem}")
    if problems:
        click.echo(f"\n{len(problems)} stock problem(s) found.")
        sys.exit(1)
    click.echo(f"Stock is consistent: {products} product(s) checked.")
