"""Forms of the e-mail settings page."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from jcicons.forms import BaseForm, IntegerField, strip_spaces
from jcicons.mail.models import SmtpSecurity

PORT_MESSAGE = "Enter the port, a number from 1 to 65535 (usually 587 or 465)."
ADDRESS_MESSAGE = "Enter a valid e-mail address, such as shop@jcicons.ph."


class SmtpSettingsForm(BaseForm):
    """The shop's mail server: where it is, how to sign in, who the mail is from.

    The fields are named after the settings they edit (settings.services.SMTP_DEFAULTS).
    """

    SMTP_HOST = StringField(
        "Mail server (SMTP host)",
        filters=[strip_spaces],
        validators=[
            Optional(),
            Length(max=253),
            Regexp(
                r"^[A-Za-z0-9.:\[\]-]+$",
                message=(
                    "Enter only the server's name or address, such as "
                    "smtp.gmail.com, without http:// or a port."
                ),
            ),
        ],
        description="For example smtp.gmail.com. Leave empty to switch e-mail off.",
    )
    SMTP_PORT = IntegerField(
        "Port",
        validators=[InputRequired(PORT_MESSAGE), NumberRange(1, 65535, PORT_MESSAGE)],
    )
    SMTP_SECURITY = SelectField(
        "Security",
        choices=[
            SelectChoice(SmtpSecurity.STARTTLS.value, "STARTTLS (usually port 587)"),
            SelectChoice(SmtpSecurity.SSL.value, "SSL/TLS (usually port 465)"),
            SelectChoice(
                SmtpSecurity.NONE.value,
                "None: no encryption (only for a mail relay on the shop's network)",
            ),
        ],
    )
    SMTP_USERNAME = StringField(
        "Username",
        filters=[strip_spaces],
        validators=[Length(max=254)],
        description="Often the full e-mail address. Leave empty if the server "
        "takes mail without signing in.",
        render_kw={"autocomplete": "off"},
    )
    SMTP_PASSWORD = PasswordField(
        "Password",
        validators=[Length(max=256)],
        description="Stored encrypted and never shown again. Leave empty to keep "
        "the stored password.",
        render_kw={"autocomplete": "new-password"},
    )
    clear_password = BooleanField("Remove the stored password")
    SMTP_SENDER_NAME = StringField(
        "Sender name",
        filters=[strip_spaces],
        validators=[Length(max=100)],
        description="The name customers see. Empty: the shop name.",
    )
    SMTP_SENDER_ADDRESS = StringField(
        "Sender address",
        filters=[strip_spaces],
        validators=[Optional(), Length(max=254), Email(ADDRESS_MESSAGE)],
        description="The address the shop's e-mail comes from.",
        render_kw={"type": "email"},
    )

    def validate(self, extra_validators: Any = None) -> bool:
        """Check each field, then the rules that join fields."""
        valid = super().validate(extra_validators)
        problems = []
        if self.SMTP_HOST.data and not self.SMTP_SENDER_ADDRESS.data:
            problems.append(
                (self.SMTP_SENDER_ADDRESS, "Enter the address the e-mail comes from.")
            )
        if self.SMTP_PASSWORD.data and not self.SMTP_USERNAME.data:
            problems.append(
                (self.SMTP_USERNAME, "Enter the username that goes with the password.")
            )
        if self.SMTP_PASSWORD.data and self.clear_password.data:
            problems.append(
                (
                    self.SMTP_PASSWORD,
                    "Either type a new password or remove the stored one, not both.",
                )
            )
        for form_field, message in problems:
            form_field.errors = [*form_field.errors, message]
        return valid and not problems


class SendTestEmailForm(BaseForm):
    """Where to send a test message."""

    recipient = StringField(
        "Send a test e-mail to",
        filters=[strip_spaces],
        validators=[
            DataRequired("Enter the address to send the test e-mail to."),
            Length(max=254),
            Email(ADDRESS_MESSAGE),
        ],
        render_kw={"type": "email"},
    )
