"""Read and change shop settings; every change is audited."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import g, has_request_context
from sqlalchemy import select

from jcicons.audit.services import record_audit
from jcicons.clock import utcnow
from jcicons.extensions import db
from jcicons.security.capabilities import TOGGLE_DEFAULTS, Toggle
from jcicons.settings.models import Setting

if TYPE_CHECKING:
    from jcicons.auth.models import User

logger = logging.getLogger(__name__)

REQUIRE_ADMIN_TWO_FACTOR = "REQUIRE_ADMIN_TWO_FACTOR"
SHOP_NAME = "SHOP_NAME"
RECEIPT_FORMATS = ("80mm", "58mm", "A4")

# The shop profile printed on receipts, and the counter's rules.
SHOP_PROFILE_DEFAULTS: dict[str, Any] = {
    "SHOP_ADDRESS": "",
    "SHOP_TIN": "",
    "SHOP_PHONES": "",
    "VAT_REGISTERED": True,
    "RECEIPT_FOOTER": "Thank you for shopping at JC Icons!",
    "WARRANTY_TERMS": "",
    "SALES_DISCOUNT_CAP_PERCENT": 10,
    "RECEIPT_FORMAT": "80mm",
    "PESO_SIGN_FALLBACK": False,
}

SETTING_DEFAULTS: dict[str, Any] = {
    **{toggle.value: default for toggle, default in TOGGLE_DEFAULTS.items()},
    REQUIRE_ADMIN_TWO_FACTOR: False,
    SHOP_NAME: "JC Icons",
    **SHOP_PROFILE_DEFAULTS,
}


def get_settings() -> dict[str, Any]:
    """Return every setting, defaults filled in, in one query."""
    values = dict(SETTING_DEFAULTS)
    for row in db.session.scalars(select(Setting)):
        values[row.key] = row.value
    return values


def current_settings() -> dict[str, Any]:
    """Return every setting, read once per request (or per call outside one)."""
    if not has_request_context():
        return get_settings()
    if "settings" not in g:
        g.settings = get_settings()
    return dict(g.settings)


def get_setting(key: str) -> Any:
    """Return one setting or its default."""
    row = db.session.get(Setting, key)
    return row.value if row is not None else SETTING_DEFAULTS[key]


def get_toggles() -> dict[Toggle, bool]:
    """Return the feature toggles."""
    values = current_settings()
    return {toggle: bool(values[toggle.value]) for toggle in Toggle}


def update_settings(changes: Mapping[str, Any], actor: User) -> dict[str, Any]:
    """Store changed settings and audit them; return what actually changed.

    Raises KeyError for a setting that does not exist.
    """
    current = get_settings()
    changed: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in SETTING_DEFAULTS:
            raise KeyError(f"unknown setting {key!r}")
        if current[key] == value:
            continue
        row = db.session.get(Setting, key)
        if row is None:
            row = Setting(key=key, value=value)
            db.session.add(row)
        row.value = value
        row.updated_at = utcnow()
        row.updated_by_id = actor.id
        changed[key] = value
    if has_request_context():
        g.pop("settings", None)
        g.pop("toggles", None)
    if changed:
        before = {key: current[key] for key in changed}
        record_audit(actor, "settings.update", "settings", "shop", before, changed)
        db.session.flush()
        logger.info("settings %s changed by %s", sorted(changed), actor.username)
    return changed
