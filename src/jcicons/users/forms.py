"""Forms for managing staff accounts."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from jcicons.forms import BaseForm
from jcicons.security.capabilities import Role

# WTForms 3.3 deprecates plain tuples as choices (a warning fails the tests).
ROLE_CHOICES = [
    SelectChoice(Role.SALES.value, "SALES: counter, customers, point of sale"),
    SelectChoice(Role.TECH.value, "TECH: repairs"),
    SelectChoice(Role.ADMIN.value, "ADMIN: everything"),
]


class UserEditForm(BaseForm):
    """Name, e-mail and role of an account."""

    full_name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = StringField(
        "E-mail (optional)",
        validators=[Optional(), Length(max=254)],
        render_kw={"type": "email"},
    )
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])


class UserCreateForm(UserEditForm):
    """A new account; its first password is generated and shown once."""

    username = StringField(
        "Username",
        validators=[
            DataRequired(),
            Regexp(
                r"^[A-Za-z0-9_]{3,32}$",
                message="A username is 3 to 32 letters, digits or underscores.",
            ),
        ],
        description="3 to 32 letters, digits or underscores. Not case-sensitive.",
        render_kw={"autocomplete": "off"},
    )
