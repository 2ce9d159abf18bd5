"""Domain errors: raised by services, shown to people by views and the API."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; the message is safe to show to the user."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The record asked for does not exist."""

    status_code = 404


class PermissionDenied(DomainError):
    """The acting user may not do this to this record."""

    status_code = 403
