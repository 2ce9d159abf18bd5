"""The stock invariants `jcicons check-integrity` proves."""

from __future__ import annotations

from sqlalchemy import func, select

from jcicons.extensions import db
from jcicons.inventory.models import Product, Receiving, SerialStatus, SerialUnit
from jcicons.inventory.stock import ledger_mismatches
from jcicons.numbering import sequence_problems


def stock_problems() -> list[str]:
    """Return one sentence per broken stock invariant (empty when all hold).

    The ledger sums to on-hand for every product; no on-hand is negative; a
    serialized product has exactly as many units in stock as it has on hand;
    receivings are numbered RCV-1 to the counter without a gap.
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
    problems += sequence_problems(
        "Receivings", "receiving", db.session.scalars(select(Receiving.number)), "RCV-"
    )
    return problems
