"""Forms for the ADMIN pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from jcicons.forms import BaseForm, DateField, IntegerField, SearchForm
from jcicons.security.capabilities import TOGGLE_DESCRIPTIONS, Toggle


class LogoForm(BaseForm):
    """Upload the shop's logo for receipts and printed forms."""

    logo = FileField(
        "Logo image",
        validators=[
            FileRequired("Choose the logo file."),
            FileAllowed(
                ["png", "jpg", "jpeg", "gif", "webp"],
                "The logo must be a PNG, JPEG, GIF or WebP image.",
            ),
        ],
        description="PNG, JPEG, GIF or WebP up to 2 MB; it is shrunk to fit receipts.",
    )


class SettingsForm(BaseForm):
    """Shop name and profile, feature toggles, counter rules, ADMIN two-factor."""

    SHOP_NAME = StringField("Shop name", validators=[DataRequired(), Length(max=120)])
    POS_ENABLED = BooleanField(
        "Point of sale enabled", description=TOGGLE_DESCRIPTIONS[Toggle.POS_ENABLED]
    )
    SALES_CAN_EDIT_INVENTORY = BooleanField(
        "SALES may edit inventory",
        description=TOGGLE_DESCRIPTIONS[Toggle.SALES_CAN_EDIT_INVENTORY],
    )
    TECH_CAN_VIEW_DETAILS = BooleanField(
        "Technicians see customer details",
        description=TOGGLE_DESCRIPTIONS[Toggle.TECH_CAN_VIEW_DETAILS],
    )
    REQUIRE_ADMIN_TWO_FACTOR = BooleanField(
        "Require two-factor sign-in for ADMIN accounts",
        description="ADMIN accounts without it must set it up at their next page view.",
    )
    SHOP_ADDRESS = TextAreaField("Address", validators=[Length(max=300)])
    SHOP_TIN = StringField(
        "TIN with branch code",
        validators=[
            Optional(),
            Regexp(
                r"^\d{3}-\d{3}-\d{3}-\d{3,5}$",
                message="Write the TIN as 123-456-789-00000 (branch code last).",
            ),
        ],
        description="For example 123-456-789-00000.",
    )
    SHOP_PHONES = StringField("Phone numbers", validators=[Length(max=120)])
    VAT_REGISTERED = BooleanField(
        "VAT-registered",
        description="Receipts show VATable sales, VAT-exempt, zero-rated and VAT.",
    )
    RECEIPT_FOOTER = TextAreaField("Receipt footer", validators=[Length(max=300)])
    WARRANTY_TERMS = TextAreaField("Warranty terms", validators=[Length(max=1000)])
    SALES_DISCOUNT_CAP_PERCENT = IntegerField(
        "Largest discount SALES may give (%)",
        validators=[
            InputRequired("Enter a percentage from 0 to 100."),
            NumberRange(0, 100, "Enter a percentage from 0 to 100."),
        ],
        description="A bigger discount needs an ADMIN's password at the counter.",
    )
    RECEIPT_FORMAT = SelectField(
        "Receipt paper",
        choices=[
            SelectChoice("80mm", "80 mm thermal"),
            SelectChoice("58mm", "58 mm thermal"),
            SelectChoice("A4", "A4 invoice"),
        ],
        description=(
            "The paper of computers that have not picked their own: a computer "
            "keeps the paper chosen on its receipt page, for its own printer."
        ),
    )
    PESO_SIGN_FALLBACK = BooleanField(
        'Print "PHP" instead of the peso sign',
        description="For receipt printers that cannot print ₱.",
    )
    # The terms must fit the eight printed lines of the terms box (INTAKE_BOXES
    # in repairs/printing.py): longer terms would push the claim stub off the
    # sheet. 800 characters fill it; short clauses on lines of their own take a
    # line each, so the box is checked line by line too.
    REPAIR_INTAKE_TERMS = TextAreaField(
        "Repair intake terms",
        validators=[
            Length(
                max=800,
                message=(
                    "Keep the intake terms to 800 characters or fewer: that is what "
                    "fits the terms box of the printed intake form."
                ),
            )
        ],
        description=(
            "Printed on every intake form above the signature lines; up to 800 "
            "characters in at most eight printed lines."
        ),
    )

    def validate_REPAIR_INTAKE_TERMS(self, field: Any) -> None:
        """Refuse terms the printed terms box would cut (too many lines)."""
        from jcicons.repairs.printing import terms_fit_the_form

        if field.data and not terms_fit_the_form(field.data):
            raise ValidationError(
                "The intake terms take more than the eight printed lines of the "
                "terms box: join short lines or shorten them."
            )

    REPAIR_INTAKE_FORMAT = SelectField(
        "Intake form paper",
        choices=[
            SelectChoice("A4", "A4"),
            SelectChoice("half", "Half page (A5)"),
        ],
    )
    REPAIR_UNCLAIMED_DAYS = IntegerField(
        "Unclaimed after (days ready for pickup)",
        validators=[
            InputRequired("Enter a number of days from 1 to 365."),
            NumberRange(1, 365, "Enter a number of days from 1 to 365."),
        ],
    )


EARLIEST_SEARCH_DATE = date(1900, 1, 1)
LATEST_SEARCH_DATE = date(2999, 12, 31)


def within_search_years(form: Any, field: Field) -> None:
    """Refuse dates far outside the shop's records (9999-12-31 overflows a day)."""
    if field.data and not EARLIEST_SEARCH_DATE <= field.data <= LATEST_SEARCH_DATE:
        raise ValidationError(
            f"Choose a date between {EARLIEST_SEARCH_DATE} and {LATEST_SEARCH_DATE}."
        )


class AuditFilterForm(SearchForm):
    """Search the audit trail."""

    actor = StringField("User", validators=[Optional(), Length(max=64)])
    action = StringField("Action", validators=[Optional(), Length(max=64)])
    entity_type = StringField("Record type", validators=[Optional(), Length(max=64)])
    entity_id = StringField("Record id", validators=[Optional(), Length(max=64)])
    date_from = DateField("From", validators=[Optional(), within_search_years])
    date_to = DateField("To (inclusive)", validators=[Optional(), within_search_years])
