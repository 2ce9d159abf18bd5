"""Forms for the ADMIN pages."""

from __future__ import annotations

from wtforms import BooleanField, DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from jcicons.forms import BaseForm, SearchForm
from jcicons.security.capabilities import TOGGLE_DESCRIPTIONS, Toggle


class SettingsForm(BaseForm):
    """Shop name, feature toggles and the ADMIN two-factor requirement."""

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


class AuditFilterForm(SearchForm):
    """Search the audit trail."""

    actor = StringField("User", validators=[Optional(), Length(max=64)])
    action = StringField("Action", validators=[Optional(), Length(max=64)])
    entity_type = StringField("Record type", validators=[Optional(), Length(max=64)])
    entity_id = StringField("Record id", validators=[Optional(), Length(max=64)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To (inclusive)", validators=[Optional()])
