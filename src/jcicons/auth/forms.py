"""Sign-in forms."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from jcicons.forms import BaseForm


class LoginForm(BaseForm):
    """Username and password."""

    username = StringField(
        "Username",
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class TwoFactorForm(BaseForm):
    """The code from the authenticator app, or a recovery code."""

    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=32)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "autofocus": True,
        },
        description="The 6-digit code from your authenticator app, or a recovery code.",
    )
