"""The one way stock changes: `move_stock` writes a ledger row and moves on-hand.

On-hand moves by a conditional UPDATE (`on_hand = on_hand + q WHERE on_hand + q >= 0`)
in the caller's transaction, so two counters taking the last unit at once cannot
both succeed: the second waits for the first's row lock (PostgreSQL) or write lock
(SQLite), sees the new figure, matches no row, and gets InsufficientStock. The
CHECK constraint on products.on_hand backs this up.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from jcicons.db import sum_or_zero
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import MovementReason, Product, SerialUnit, StockMovement
from jcicons.money import round_centavos

if TYPE_CHECKING:
    from jcicons.auth.models import User

logger = logging.getLogger(__name__)

# Reasons that need a product the shop still trades in.
TRADING_REASONS = frozenset({MovementReason.RECEIVED, MovementReason.SOLD})


class InsufficientStock(DomainError):
    """Fewer units on hand than asked for."""

    def __init__(self, product: Product, wanted: int, available: int) -> None:
        super().__init__(
            f"Only {available} {product.unit} of {product.name} on hand; "
            f"{wanted} needed."
        )
        self.product_id = product.id
        self.wanted = wanted
        self.available = available


class StockRuleError(DomainError):
    """The product cannot move this way (a service, or archived)."""


def _current_on_hand(product_id: int) -> int:
    return int(
        db.session.scalar(select(Product.on_hand).where(Product.id == product_id)) or 0
    )


def move_stock(
    product: Product,
    quantity: int,
    reason: MovementReason,
    actor: User | None,
    reference_type: str,
    reference_id: int | None = None,
    *,
    unit_cost_centavos: int | None = None,
    note: str = "",
    serial_unit: SerialUnit | None = None,
) -> StockMovement:
    """Move `quantity` units (negative takes stock away) and record the ledger row.

    Raises StockRuleError for a service product, or for receiving or selling an
    archived one; InsufficientStock when on-hand would go below zero.
    """
    if quantity == 0:
        raise ValueError("a stock movement needs a non-zero quantity")
    if product.is_service:
        raise StockRuleError(f"{product.name} is a service: it has no stock to move.")
    if product.is_archived and reason in TRADING_REASONS:
        raise StockRuleError(
            f"{product.name} is archived: it cannot be received or sold."
        )

    statement = update(Product).where(Product.id == product.id)
    if quantity < 0:
        statement = statement.where(Product.on_hand >= -quantity)
    statement = statement.values(on_hand=Product.on_hand + quantity).returning(
        Product.on_hand
    )
    after = db.session.execute(
        statement, execution_options={"synchronize_session": False}
    ).scalar_one_or_none()
    if after is None:
        raise InsufficientStock(product, -quantity, _current_on_hand(product.id))
    set_committed_value(product, "on_hand", int(after))

    if unit_cost_centavos is None:
        unit_cost_centavos = int(
            db.session.scalar(
                select(Product.cost_centavos).where(Product.id == product.id)
            )
            or 0
        )
    movement = StockMovement(
        product_id=product.id,
        quantity=quantity,
        on_hand_after=int(after),
        unit_cost_centavos=unit_cost_centavos,
        reason=reason.value,
        reference_type=reference_type,
        reference_id=reference_id,
        serial_unit_id=serial_unit.id if serial_unit is not None else None,
        note=note[:500],
        actor_id=actor.id if actor is not None else None,
    )
    db.session.add(movement)
    db.session.flush()
    return movement


def moving_average_cost(
    on_hand_before: int, old_cost: int, quantity: int, unit_cost_centavos: int
) -> int:
    """Return the unit cost after receiving `quantity` units at a unit cost.

    The old cost is weighted by the units already on hand; with nothing on hand
    the new cost is simply the receipt's. Rounded half-up, once.
    """
    on_hand_after = on_hand_before + quantity
    if on_hand_after <= 0 or on_hand_before <= 0:
        return unit_cost_centavos
    total = Decimal(on_hand_before) * old_cost + Decimal(quantity) * unit_cost_centavos
    return round_centavos(total / on_hand_after)


def apply_receipt_cost(product: Product, quantity: int, unit_cost_centavos: int) -> int:
    """Fold a receipt into the moving-average unit cost; return the new cost.

    Call right after the receipt's `move_stock`: the product row is locked by then,
    so the on-hand and cost read here are current.
    """
    on_hand_after, old_cost = db.session.execute(
        select(Product.on_hand, Product.cost_centavos).where(Product.id == product.id)
    ).one()
    new_cost = moving_average_cost(
        on_hand_after - quantity, old_cost, quantity, unit_cost_centavos
    )
    db.session.execute(
        update(Product).where(Product.id == product.id).values(cost_centavos=new_cost),
        execution_options={"synchronize_session": False},
    )
    set_committed_value(product, "cost_centavos", new_cost)
    return new_cost


def ledger_mismatches() -> list[tuple[int, str, int, int]]:
    """Return (product id, SKU, on-hand, ledger sum) wherever the two disagree."""
    ledger = (
        select(
            StockMovement.product_id,
            sum_or_zero(StockMovement.quantity).label("total"),
        )
        .group_by(StockMovement.product_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Product.id, Product.sku, Product.on_hand, func.coalesce(ledger.c.total, 0)
        )
        .outerjoin(ledger, ledger.c.product_id == Product.id)
        .where(Product.on_hand != func.coalesce(ledger.c.total, 0))
        .order_by(Product.id)
    ).all()
    return [(int(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows]
