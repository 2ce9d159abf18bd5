"""Logging configured once per app: operational log to stderr, security log to file."""

from __future__ import annotations

import logging
import sys

from flask import Flask, g, has_request_context

from jcicons.audit.security_log import configure_security_log


class RequestIdFilter(logging.Filter):
    """Add the current request id to every record, '-' outside requests."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach `request_id` to the record."""
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(app: Flask) -> None:
    """Send the package's log to stderr with request ids; open the security log."""
    package_logger = logging.getLogger("jcicons")
    if not any(getattr(h, "_jcicons", False) for h in package_logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._jcicons = True  # type: ignore[attr-defined]
        handler.addFilter(RequestIdFilter())
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
            )
        )
        package_logger.addHandler(handler)
    package_logger.setLevel(logging.INFO)
    configure_security_log(app)
    # The security logger writes JSON lines to its own file only.
    logging.getLogger("jcicons.security").propagate = False
