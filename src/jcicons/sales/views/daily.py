"""Sales pages: daily (routes attach to the blueprints in this package)."""

from __future__ import annotations

from jcicons.sales.views import bp, pos_bp  # noqa: F401
