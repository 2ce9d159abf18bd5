"""Sales pages: the point of sale under /pos, sales documents under /sales."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sales", __name__, url_prefix="/sales")
pos_bp = Blueprint("pos", __name__, url_prefix="/pos")

# The modules below attach their routes to `bp` or `pos_bp` when imported.
from jcicons.sales.views import daily, documents, pos, prints  # noqa: E402, F401
