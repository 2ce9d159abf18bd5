"""Inventory pages: counts (routes are attached to the inventory blueprint)."""

from __future__ import annotations

from jcicons.inventory.views import bp  # noqa: F401
