"""The form base class every form uses: control characters stripped, lengths bounded."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form, PasswordField, StringField, TextAreaField

SINGLE_LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
MULTI_LINE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_single_line(value: Any) -> Any:
    """Remove control characters (newlines included) from a one-line value."""
    return SINGLE_LINE_CONTROLS.sub("", value) if isinstance(value, str) else value


def strip_multi_line(value: Any) -> Any:
    """Remove control characters except tab and newlines from a text area."""
    return MULTI_LINE_CONTROLS.sub("", value) if isinstance(value, str) else value


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


class SearchForm(FlaskForm):
    """A GET search form (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False
