"""An ADMIN's approval on the spot, with their password, of a discount above the
SALES cap: at the point of sale and on a repair ticket."""

from __future__ import annotations

from typing import Any

from jcicons.audit.security_log import record_security_event
from jcicons.auth.models import User
from jcicons.auth.services import InvalidCredentials, authenticate
from jcicons.security.capabilities import Role
from jcicons.security.ratelimit import client_ip, login_throttle


def approve_on_the_spot(form: Any) -> User | None:
    """Return the ADMIN who approved a discount on the spot, or None.

    `form` carries `approver_username` and `approver_password` (the counter's
    checkout and a repair ticket's discount). A wrong password (or a non-ADMIN) is
    refused with a form error on `approver_username` and logged.
    """
    username = (form.approver_username.data or "").strip()
    if not username:
        return None
    # The counter must not become a way round the sign-in throttle for ADMIN passwords.
    ip = client_ip()
    if login_throttle.is_blocked(username, ip):
        record_security_event("login_locked", username=username[:64], persist=True)
        form.approver_username.errors = [
            "Too many wrong passwords for that ADMIN: wait a few minutes."
        ]
        return None
    try:
        user = authenticate(username, form.approver_password.data or "")
    except InvalidCredentials as exc:
        login_throttle.record_failure(username, ip)
        record_security_event(
            "discount_approval_failed",
            detail={"approver": username, "reason": exc.reason},
            persist=True,
        )
        form.approver_username.errors = ["That ADMIN username or password is wrong."]
        return None
    if user.role != Role.ADMIN.value:
        record_security_event(
            "discount_approval_failed",
            detail={"approver": username, "reason": "not_admin"},
            persist=True,
        )
        form.approver_username.errors = ["Only an ADMIN can approve the discount."]
        return None
    return user
