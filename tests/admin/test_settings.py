"""The settings page: shop name, feature toggles, ADMIN two-factor requirement."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from jcicons.admin.forms import SettingsForm
from jcicons.audit.models import AuditEvent
from jcicons.extensions import db
from jcicons.mail.forms import SmtpSettingsForm
from jcicons.security.capabilities import Role, role_can
from jcicons.settings.models import Setting
from jcicons.settings.services import (
    GENERAL_SETTING_KEYS,
    SETTING_DEFAULTS,
    SMTP_DEFAULTS,
    get_settings,
    get_toggles,
)

DEFAULTS = {
    "SHOP_NAME": "JC Icons",
    "POS_ENABLED": True,
    "SALES_CAN_EDIT_INVENTORY": False,
    "TECH_CAN_VIEW_DETAILS": False,
    "REQUIRE_ADMIN_TWO_FACTOR": False,
    "VAT_REGISTERED": True,
    "PESO_SIGN_FALLBACK": False,
}


def form_data(**changes) -> dict[str, str]:
    """Return the settings form as a browser sends it (unticked boxes are absent)."""
    values = {**DEFAULTS, **changes}
    data = {
        "SHOP_NAME": values.pop("SHOP_NAME"),
        "SALES_DISCOUNT_CAP_PERCENT": "10",
        "RECEIPT_FORMAT": "80mm",
        "REPAIR_INTAKE_FORMAT": "A4",
        "REPAIR_UNCLAIMED_DAYS": "30",
    }
    data.update({key: "y" for key, on in values.items() if on})
    return data


def is_ticked(page: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*id="{name}"[^>]*>', page)
    assert tag, f"no {name} box on the page"
    return " checked" in tag.group(0)


def stored(app) -> dict:
    with app.app_context():
        return get_settings()


def audit_rows(app) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).filter_by(action="settings.update")
        )
        return [(row.actor_username, row.before, row.after) for row in rows]


def settings_log_lines(app) -> list[str]:
    log = Path(app.extensions["jcicons_security_log"]).read_text()
    return [line for line in log.splitlines() if '"settings_changed"' in line]


@pytest.mark.parametrize("role", ["SALES", "TECH"])
def test_only_admin_may_see_or_change_settings(app, client, login_as, role):
    login_as(role)

    assert client.get("/admin/settings").status_code == 403
    response = client.post_form(
        "/admin/settings", form_data(SALES_CAN_EDIT_INVENTORY=True)
    )

    assert response.status_code == 403
    assert stored(app)["SALES_CAN_EDIT_INVENTORY"] is False


def test_page_shows_the_stored_values(app, client, login_as):
    login_as("ADMIN")
    with app.app_context():
        db.session.add_all(
            [
                Setting(key="SHOP_NAME", value="JC Icons Cubao"),
                Setting(key="POS_ENABLED", value=False),
                Setting(key="TECH_CAN_VIEW_DETAILS", value=True),
            ]
        )
        db.session.commit()

    page = client.get("/admin/settings").text

    assert 'value="JC Icons Cubao"' in page
    assert not is_ticked(page, "POS_ENABLED")
    assert not is_ticked(page, "SALES_CAN_EDIT_INVENTORY")
    assert is_ticked(page, "TECH_CAN_VIEW_DETAILS")
    assert not is_ticked(page, "REQUIRE_ADMIN_TWO_FACTOR")


def test_switching_a_toggle_is_stored_audited_and_logged(app, client, login_as):
    login_as("ADMIN", username="boss")

    response = client.post_form(
        "/admin/settings",
        form_data(SALES_CAN_EDIT_INVENTORY=True, POS_ENABLED=False),
        follow_redirects=True,
    )

    assert "Settings saved." in response.text
    assert is_ticked(response.text, "SALES_CAN_EDIT_INVENTORY")
    assert not is_ticked(response.text, "POS_ENABLED")
    assert stored(app) == {
        **SETTING_DEFAULTS,
        "SALES_CAN_EDIT_INVENTORY": True,
        "POS_ENABLED": False,
    }
    assert audit_rows(app) == [
        (
            "boss",
            {"POS_ENABLED": True, "SALES_CAN_EDIT_INVENTORY": False},
            {"POS_ENABLED": False, "SALES_CAN_EDIT_INVENTORY": True},
        )
    ]
    [line] = settings_log_lines(app)[-1:]
    assert '"username": "boss"' in line
    assert '"keys": ["POS_ENABLED", "SALES_CAN_EDIT_INVENTORY"]' in line


def test_shop_name_is_trimmed_and_audited(app, client, login_as):
    login_as("ADMIN", username="boss")

    client.post_form("/admin/settings", form_data(SHOP_NAME="  JC Icons Cubao  "))

    assert stored(app)["SHOP_NAME"] == "JC Icons Cubao"
    assert audit_rows(app) == [
        ("boss", {"SHOP_NAME": "JC Icons"}, {"SHOP_NAME": "JC Icons Cubao"})
    ]


def test_saving_without_changes_writes_nothing(app, client, login_as):
    login_as("ADMIN")
    logged_before = len(settings_log_lines(app))

    response = client.post_form("/admin/settings", form_data(), follow_redirects=True)

    assert "Nothing changed." in response.text
    assert audit_rows(app) == []
    with app.app_context():
        assert db.session.scalars(select(Setting)).all() == []
    assert len(settings_log_lines(app)) == logged_before


@pytest.mark.parametrize(
    ("shop_name", "message"),
    [("", "This field is required."), ("x" * 121, "longer than 120 characters")],
)
def test_bad_shop_name_gives_the_form_back_and_changes_nothing(
    app, client, login_as, shop_name, message
):
    login_as("ADMIN")

    response = client.post_form(
        "/admin/settings", form_data(SHOP_NAME=shop_name, POS_ENABLED=False)
    )

    assert response.status_code == 422
    assert message in response.text
    assert stored(app) == SETTING_DEFAULTS


def test_post_without_a_csrf_token_changes_nothing(app, client, login_as):
    login_as("ADMIN")

    response = client.post("/admin/settings", data=form_data(POS_ENABLED=False))

    assert response.status_code == 400
    assert stored(app)["POS_ENABLED"] is True


@pytest.mark.parametrize(
    ("toggle", "role", "capability"),
    [
        ("SALES_CAN_EDIT_INVENTORY", Role.SALES, "inventory.edit"),
        ("TECH_CAN_VIEW_DETAILS", Role.TECH, "customers.view"),
    ],
)
def test_a_toggle_switched_on_the_page_changes_what_the_role_can_do(
    app, client, login_as, toggle, role, capability
):
    login_as("ADMIN")
    with app.app_context():
        assert not role_can(role, capability, get_toggles())

    client.post_form("/admin/settings", form_data(**{toggle: True}))

    with app.app_context():
        assert role_can(role, capability, get_toggles())


def test_switching_pos_off_closes_the_point_of_sale_for_admin_too(
    app, client, login_as
):
    login_as("ADMIN")

    client.post_form("/admin/settings", form_data(POS_ENABLED=False))

    with app.app_context():
        toggles = get_toggles()
    assert not role_can(Role.ADMIN, "pos.use", toggles)
    assert not role_can(Role.SALES, "pos.use", toggles)


def test_requiring_two_factor_sends_an_admin_without_it_to_set_up(client, login_as):
    login_as("ADMIN")

    response = client.post_form(
        "/admin/settings", form_data(REQUIRE_ADMIN_TWO_FACTOR=True)
    )
    next_page = client.get(response.headers["Location"])

    assert next_page.status_code == 302
    assert next_page.headers["Location"] == "/account/two-factor/setup"


def test_every_setting_has_a_field_on_exactly_one_settings_page(app):
    with app.test_request_context():
        general = set(SettingsForm(meta={"csrf": False})._fields)
        email = set(SmtpSettingsForm(meta={"csrf": False})._fields)

    assert set(GENERAL_SETTING_KEYS) <= general
    assert set(SMTP_DEFAULTS) <= email
    assert set(SETTING_DEFAULTS) == set(GENERAL_SETTING_KEYS) | set(SMTP_DEFAULTS) | {
        "SHOP_LOGO"
    }
    assert not general & email
