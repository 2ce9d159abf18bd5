"""How ledger rows name and link their documents on the inventory pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app, url_for

from jcicons.inventory.exports import movement_numbers, reference_text
from jcicons.inventory.models import StockMovement
from jcicons.security.capabilities import ACCESS_ATTRIBUTE, PUBLIC, can

# Where a ledger row's document is shown (the page's own @requires decides who
# may open it): a receiving, a count, a sale's invoice, a repair ticket.
REFERENCE_PAGES = {
    "receiving": ("inventory.receiving_detail", "receiving_id"),
    "count": ("inventory.count_detail", "count_id"),
    "sale": ("sales.detail", "sale_id"),
    "repair": ("repairs.detail", "ticket_id"),
}


def _may_open(endpoint: str) -> bool:
    """Return True when the page exists and the signed-in user may open it."""
    view = current_app.view_functions.get(endpoint)
    access = getattr(view, ACCESS_ATTRIBUTE, None)
    return view is not None and (access == PUBLIC or bool(access and can(access)))


def _link(movement: StockMovement, allowed: dict[str, bool]) -> str | None:
    target = REFERENCE_PAGES.get(movement.reference_type)
    if target is None or movement.reference_id is None:
        return None
    endpoint, argument = target
    if endpoint not in allowed:
        allowed[endpoint] = _may_open(endpoint)
    if not allowed[endpoint]:
        return None
    values: dict[str, Any] = {argument: movement.reference_id}
    return url_for(endpoint, **values)


def movement_references(
    movements: Iterable[StockMovement],
) -> dict[int, tuple[str, str | None]]:
    """Return movement id -> (its document's name, a link when the viewer may open
    it), with the numbers of every row read in one select."""
    rows = list(movements)
    numbers = movement_numbers(rows)
    allowed: dict[str, bool] = {}
    return {m.id: (reference_text(m, numbers), _link(m, allowed)) for m in rows}
