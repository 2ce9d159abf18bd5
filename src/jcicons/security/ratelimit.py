"""Client identity for rate limits, and the login throttle.

The login throttle counts failed attempts per username and per IP address in the
same storage Flask-Limiter uses (memory, or Redis shared by every app process), with
a moving window. A successful login clears that username's count.
"""

from __future__ import annotations

from flask import current_app, request
from limits import parse


def client_ip() -> str:
    """Return the client's address as seen after the configured proxies only."""
    return request.remote_addr or "unknown"


class LoginThrottle:
    """Count failed sign-in attempts per username and per client address."""

    USER_SCOPE = "login-failures-user"
    IP_SCOPE = "login-failures-ip"

    def _limits(self) -> tuple[object, object]:
        config = current_app.config
        return (
            parse(config["LOGIN_LIMIT_PER_USERNAME"]),
            parse(config["LOGIN_LIMIT_PER_IP"]),
        )

    @staticmethod
    def _strategy():  # type: ignore[no-untyped-def]
        from jcicons.extensions import limiter

        return limiter.limiter

    def is_blocked(self, username: str, ip: str) -> bool:
        """Return True when this username or this address has used up its attempts."""
        per_user, per_ip = self._limits()
        strategy = self._strategy()
        return not (
            strategy.test(per_user, self.USER_SCOPE, username.lower())
            and strategy.test(per_ip, self.IP_SCOPE, ip)
        )

    def record_failure(self, username: str, ip: str) -> None:
        """Count one failed attempt against the username and the address."""
        per_user, per_ip = self._limits()
        strategy = self._strategy()
        strategy.hit(per_user, self.USER_SCOPE, username.lower())
        strategy.hit(per_ip, self.IP_SCOPE, ip)

    def clear(self, username: str) -> None:
        """Forget the failed attempts of a username after it signs in."""
        per_user, _ = self._limits()
        self._strategy().clear(per_user, self.USER_SCOPE, username.lower())


login_throttle = LoginThrottle()
