"""Forms for a user's own account."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from jcicons.forms import BaseForm
from jcicons.security.passwords import MAX_LENGTH


class ProfileForm(BaseForm):
    """Own name and e-mail."""

    full_name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = StringField(
        "E-mail",
        validators=[Optional(), Length(max=254)],
        render_kw={"autocomplete": "email", "type": "email"},
    )


class ChangePasswordForm(BaseForm):
    """Current password, new password twice."""

    current_password = PasswordField(
        "Current password",
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password", "data-password-meter": "1"},
    )
    confirm_password = PasswordField(
        "New password again",
        validators=[
            DataRequired(),
            EqualTo("new_password", "The two new passwords differ."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class TwoFactorConfirmForm(BaseForm):
    """The first code from the authenticator app."""

    code = StringField(
        "Code from the app",
        validators=[DataRequired(), Length(max=16)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class PasswordConfirmForm(BaseForm):
    """The user's password, to confirm a sensitive change."""

    password = PasswordField(
        "Your password",
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
