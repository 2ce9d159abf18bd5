"""The form base class every form uses: control characters stripped, lengths bounded.

Forms take their number and date fields from here, not from wtforms: these refuse
values no database column holds (a 25-digit id, the year 9999), with a message,
instead of letting them reach a query and fail there.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField as _DateField
from wtforms import Form, HiddenField, PasswordField, StringField, TextAreaField
from wtforms import IntegerField as _IntegerField
from wtforms.validators import DataRequired, Length, Regexp

from jcicons.exceptions import DomainError

# The largest whole number a BIGINT column (and SQLite's INTEGER) can hold.
MAX_INTEGER = 2**63 - 1
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)

SINGLE_LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
MULTI_LINE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def show_domain_error(form: Any, exc: DomainError, default: str | None = None) -> None:
    """Put a service's refusal on the field it names (or `default`), else above
    the form."""
    field = getattr(form, exc.field or default or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def strip_spaces(value: Any) -> Any:
    """Remove the spaces around a value (a field filter)."""
    return value.strip() if isinstance(value, str) else value


def strip_single_line(value: Any) -> Any:
    """Remove control characters (newlines included) from a one-line value."""
    return SINGLE_LINE_CONTROLS.sub("", value) if isinstance(value, str) else value


def strip_multi_line(value: Any) -> Any:
    """Remove control characters except tab and newlines from a text area."""
    return MULTI_LINE_CONTROLS.sub("", value) if isinstance(value, str) else value


def is_storable_integer(value: int) -> bool:
    """Return True for a whole number a database column can hold."""
    return -MAX_INTEGER <= value <= MAX_INTEGER


def query_int(value: Any) -> int:
    """Parse a number from a request: `request.args.get(..., type=query_int)`, or
    `coerce=query_int` on a select of ids.

    Raises ValueError (so `get` falls back to its default, and a field shows an
    error) for text and for numbers too large to be an id or a count.
    """
    number = int(value)
    if not is_storable_integer(number):
        raise ValueError("number out of range")
    return number


class IntegerField(_IntegerField):
    """A whole number that fits a database column."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the number; refuse one too large to store."""
        super().process_formdata(valuelist)
        number: int | None = getattr(self, "data", None)
        if number is not None and not is_storable_integer(number):
            self.data = None
            raise ValueError(self.gettext("That number is too large."))


class DateField(_DateField):
    """A calendar date between 1900 and 2999 (later ones overflow a day's end)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the date; refuse one outside the years the shop can have."""
        super().process_formdata(valuelist)
        day: date | None = getattr(self, "data", None)
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            self.data = None
            raise ValueError(
                f"Choose a date between {EARLIEST_DATE.isoformat()} and "
                f"{LATEST_DATE.isoformat()}."
            )


class BaseForm(FlaskForm):
    """A CSRF-protected form whose text fields are cleaned of control characters.

    Passwords are left exactly as typed: any Unicode, never truncated.
    """

    class Meta:
        def bind_field(
            self, form: Form, unbound_field: Any, options: dict[str, Any]
        ) -> Any:
            field_class = unbound_field.field_class
            if not issubclass(field_class, PasswordField):
                if issubclass(field_class, TextAreaField):
                    cleaner = strip_multi_line
                elif issubclass(field_class, StringField):
                    cleaner = strip_single_line
                else:
                    cleaner = None
                if cleaner is not None:
                    extra = tuple(unbound_field.kwargs.get("filters", ()))
                    unbound_field.kwargs["filters"] = (cleaner, *extra)
            return unbound_field.bind(form=form, **options)


class ConfirmForm(BaseForm):
    """An empty form: a CSRF token for POST-only buttons."""


def new_form_key() -> str:
    """Return a fresh idempotency key for a form about to be shown."""
    return secrets.token_urlsafe(24)


def idempotency_key_field() -> HiddenField:
    """Return the hidden field that names one filling-in of a form.

    The service stores it with a unique constraint, so the same form sent twice
    (a double click, a reload that sends it again) does its work once.
    """
    return HiddenField(
        validators=[
            DataRequired("This form is out of date: check it and send it again."),
            Length(max=64),
            Regexp(
                r"^[A-Za-z0-9_-]+$",
                message="This form is out of date: check it and send it again.",
            ),
        ]
    )


class KeyedForm(BaseForm):
    """A form that carries an idempotency key (see `idempotency_key_field`)."""

    idempotency_key = idempotency_key_field()

    def key(self) -> str:
        """Return the key sent with the form, or '' when it is missing or garbled."""
        if self.idempotency_key.errors:
            return ""
        return str(self.idempotency_key.data or "")

    def renew_key_if_bad(self) -> None:
        """Give a form whose key was missing or garbled a fresh one, and say so."""
        if self.idempotency_key.errors:
            self.form_errors.append(self.idempotency_key.errors[0])
            self.idempotency_key.data = new_form_key()


class SearchForm(FlaskForm):
    """A GET search form (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False
