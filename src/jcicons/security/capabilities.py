"""Who may do what: the one table of capabilities per role (DESIGN.md section 1a).

Each capability maps a role to True, False, or the name of a feature toggle that
must be on. Views declare `@requires("capability")`; templates call
`can("capability")`; the access tests read this table. Ownership rules (a TECH sees
only the repairs assigned to them) are filters in the services, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import abort, current_app, g
from flask_login import current_user

if TYPE_CHECKING:
    from jcicons.auth.models import User


class Role(StrEnum):
    """The three kinds of staff account."""

    ADMIN = "ADMIN"
    SALES = "SALES"
    TECH = "TECH"


class Toggle(StrEnum):
    """Feature toggles an ADMIN switches on the settings page."""

    POS_ENABLED = "POS_ENABLED"
    SALES_CAN_EDIT_INVENTORY = "SALES_CAN_EDIT_INVENTORY"
    TECH_CAN_VIEW_DETAILS = "TECH_CAN_VIEW_DETAILS"


TOGGLE_DEFAULTS: dict[Toggle, bool] = {
    Toggle.POS_ENABLED: True,
    Toggle.SALES_CAN_EDIT_INVENTORY: False,
    Toggle.TECH_CAN_VIEW_DETAILS: False,
}

TOGGLE_DESCRIPTIONS: dict[Toggle, str] = {
    Toggle.POS_ENABLED: "Point of sale is open (switches it off for everyone when off).",
    Toggle.SALES_CAN_EDIT_INVENTORY: (
        "SALES staff may edit products and categories, receive and adjust stock."
    ),
    Toggle.TECH_CAN_VIEW_DETAILS: (
        "Technicians may see customer contact details and money on the repairs "
        "assigned to them."
    ),
}

Grant = bool | Toggle


@dataclass(frozen=True)
class Capability:
    """One thing a person can do, and which roles may do it."""

    name: str
    description: str
    admin: Grant
    sales: Grant
    tech: Grant

    def grant_for(self, role: Role) -> Grant:
        """Return the grant of one role."""
        return {Role.ADMIN: self.admin, Role.SALES: self.sales, Role.TECH: self.tech}[
            role
        ]


_T = Toggle
CAPABILITIES: dict[str, Capability] = {
    cap.name: cap
    for cap in [
        Capability("dashboard.view", "Dashboard, own profile and password", True, True, True),
        Capability("inventory.view", "See products and stock (no costs)", True, True, True),
        Capability("inventory.view_costs", "See unit costs, margins, stock value", True, False, False),
        Capability("inventory.edit", "Edit products, receive and adjust stock", True, _T.SALES_CAN_EDIT_INVENTORY, False),
        Capability("inventory.archive", "Archive products and categories", True, False, False),
        Capability("pos.use", "Ring up a sale at the point of sale", _T.POS_ENABLED, _T.POS_ENABLED, False),
        Capability("sales.view", "See sales and invoices, collect balances", True, True, False),
        Capability("sales.return", "Return items and refund", True, True, False),
        Capability("sales.void", "Void a whole sale", True, False, False),
        Capability("customers.view", "See and edit customers", True, True, _T.TECH_CAN_VIEW_DETAILS),
        Capability("customers.merge", "Merge duplicate customers", True, False, False),
        Capability("customers.credit_limit", "Set customers' credit limits", True, False, False),
        Capability("repairs.create", "Create repair tickets (intake)", True, True, True),
        Capability("repairs.view", "See repair tickets", True, True, True),
        Capability("repairs.view_all", "See every repair ticket", True, True, False),
        Capability("repairs.view_details", "See customer contact and money on tickets", True, True, _T.TECH_CAN_VIEW_DETAILS),
        Capability("repairs.work", "Work a repair: diagnosis, notes, parts, status", True, False, True),
        Capability("repairs.assign", "Assign technicians", True, True, False),
        Capability("repairs.take", "Take an unassigned ticket", False, False, True),
        Capability("repairs.collect", "Take repair payments, release a device", True, True, False),
        Capability("repairs.manage", "Release on credit, waive charges, reopen", True, False, False),
        Capability("reports.daily", "Daily sales summary", True, True, False),
        Capability("reports.view", "Financial, inventory and repair reports, exports", True, False, False),
        Capability("users.manage", "Users", True, False, False),
        Capability("settings.manage", "Settings and feature toggles", True, False, False),
        Capability("audit.view", "Audit trail and security events", True, False, False),
    ]
}  # fmt: skip

PUBLIC = "public"
ACCESS_ATTRIBUTE = "_jcicons_access"

F = TypeVar("F", bound=Callable[..., Any])


def role_can(role: Role | str, name: str, toggles: Mapping[Toggle, bool]) -> bool:
    """Return True when a role holds a capability under the given toggles."""
    capability = CAPABILITIES[name]
    grant = capability.grant_for(Role(role))
    if isinstance(grant, Toggle):
        return bool(toggles.get(grant, TOGGLE_DEFAULTS[grant]))
    return grant


def current_toggles() -> Mapping[Toggle, bool]:
    """Return the feature toggles, read once per request."""
    if "toggles" not in g:
        from jcicons.settings.services import get_toggles

        g.toggles = get_toggles()
    return cast(Mapping[Toggle, bool], g.toggles)


def signed_in_user() -> User:
    """Return the signed-in user itself (services take the acting user, not the
    request-bound proxy)."""
    return cast("User", current_user._get_current_object())


def can(name: str) -> bool:
    """Return True when the signed-in user holds a capability now."""
    if name not in CAPABILITIES:
        raise KeyError(f"unknown capability {name!r}")
    if not current_user.is_authenticated:
        return False
    return role_can(current_user.role, name, current_toggles())


def requires(name: str) -> Callable[[F], F]:
    """Let only signed-in users holding `name` reach the view; others get a 403."""
    if name not in CAPABILITIES:
        raise KeyError(f"unknown capability {name!r}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                login_manager = current_app.login_manager  # type: ignore[attr-defined]
                return login_manager.unauthorized()
            if not can(name):
                from jcicons.audit.security_log import record_security_event

                record_security_event(
                    "permission_denied", detail={"capability": name}, persist=True
                )
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, name)
        return cast(F, wrapped)

    return decorator


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view
