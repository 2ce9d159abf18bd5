"""Inventory pages under /inventory: one blueprint, split by screen family."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inventory", __name__, url_prefix="/inventory")

# The modules below attach their routes to `bp` when imported.
from jcicons.inventory.views import (  # noqa: E402, F401
    categories,
    counts,
    exchange,
    ledger,
    products,
    receivings,
)
