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

DEFAULT_INTAKE_TERMS = """\
Diagnosis: the diagnostic fee is charged whether or not the repair goes ahead.
Estimates: no repair is done before you approve the estimate; we call you first.
Data: back up your files. We are not liable for data lost during diagnosis or repair.
Parts: replaced parts are yours to take; parts we supply carry their own warranty.
Warranty: covers the same fault on the work we did, for the days on your release slip.
Unclaimed units: devices not claimed 90 days after we tell you they are ready may be
disposed of to cover the charges."""

REPAIR_DEFAULTS: dict[str, Any] = {
    "REPAIR_INTAKE_TERMS": DEFAULT_INTAKE_TERMS,
    "REPAIR_INTAKE_FORMAT": "A4",
    "REPAIR_UNCLAIMED_DAYS": 30,
}

SMTP_PASSWORD = "SMTP_PASSWORD"  # noqa: S105 - the name of a setting

# The outgoing mail server, kept on its own page (/admin/email). SMTP_PASSWORD holds
# the password encrypted by jcicons.security.crypto, or "" when there is none.
SMTP_DEFAULTS: dict[str, Any] = {
    "SMTP_HOST": "",
    "SMTP_PORT": 587,
    "SMTP_SECURITY": "starttls",
    "SMTP_USERNAME": "",
    SMTP_PASSWORD: "",
    "SMTP_SENDER_NAME": "",
    "SMTP_SENDER_ADDRESS": "",
}

# A fingerprint of the logo kept by jcicons.settings.logo ("" for none); set by
# the logo page, not the settings form.
SHOP_LOGO = "SHOP_LOGO"

# Settings whose values never reach the audit trail: it records that they changed.
SECRET_SETTINGS = frozenset({SMTP_PASSWORD})

SETTING_DEFAULTS: dict[str, Any] = {
    **{toggle.value: default for toggle, default in TOGGLE_DEFAULTS.items()},
    REQUIRE_ADMIN_TWO_FACTOR: False,
    SHOP_NAME: "JC Icons",
    **SHOP_PROFILE_DEFAULTS,
    **REPAIR_DEFAULTS,
    **SMTP_DEFAULTS,
    SHOP_LOGO: "",
}

# The keys edited on the main settings page; the SMTP keys and the logo have pages
# of their own.
GENERAL_SETTING_KEYS = tuple(
    key for key in SETTING_DEFAULTS if key not in SMTP_DEFAULTS and key != SHOP_LOGO
)


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


def _audited(key: str, value: Any, *, after: bool) -> Any:
    """Return the value the audit trail shows: a secret only says what happened."""
    if key not in SECRET_SETTINGS:
        return value
    if after:
        return "(new value)" if value else "(removed)"
    return "(set)" if value else "(not set)"


def update_settings(changes: Mapping[str, Any], actor: User) -> dict[str, Any]:
    """Store changed settings and audit them; return what actually changed.

    Secret settings (SECRET_SETTINGS) are audited as changed, never with a value.
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
        before = {key: _audited(key, current[key], after=False) for key in changed}
        after = {
            key: _audited(key, value, after=True) for key, value in changed.items()
        }
        record_audit(actor, "settings.update", "settings", "shop", before, after)
        db.session.flush()
        logger.info("settings %s changed by %s", sorted(changed), actor.username)
    return changed
