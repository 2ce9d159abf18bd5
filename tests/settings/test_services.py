"""Shop settings in the database: defaults, audited changes, toggles and can()."""

from __future__ import annotations

import pytest
from flask_login import login_user
from sqlalchemy import func, select

from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.security.capabilities import Role, Toggle, can, role_can
from jcicons.settings.models import Setting
from jcicons.settings.services import (
    REPAIR_DEFAULTS,
    SHOP_PROFILE_DEFAULTS,
    SMTP_DEFAULTS,
    get_setting,
    get_settings,
    get_toggles,
    update_settings,
)


def get(account) -> User:
    return db.session.get(User, account.id)


def audit_rows() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).filter_by(action="settings.update"))
    )


def test_defaults_apply_while_the_table_is_empty(ctx):
    assert get_settings() == {
        "POS_ENABLED": True,
        "SALES_CAN_EDIT_INVENTORY": False,
        "TECH_CAN_VIEW_DETAILS": False,
        "REQUIRE_ADMIN_TWO_FACTOR": False,
        "SHOP_NAME": "JC Icons",
        **SHOP_PROFILE_DEFAULTS,
        **REPAIR_DEFAULTS,
        **SMTP_DEFAULTS,
        "SHOP_LOGO": "",
    }
    assert db.session.scalar(select(func.count()).select_from(Setting)) == 0


def test_a_change_is_stored_and_audited_with_before_and_after(ctx, make_user):
    admin = get(make_user("ADMIN", username="boss"))

    changed = update_settings(
        {
            "SHOP_NAME": "JC Icons Cubao",
            "POS_ENABLED": True,
            "TECH_CAN_VIEW_DETAILS": True,
        },
        admin,
    )

    assert changed == {"SHOP_NAME": "JC Icons Cubao", "TECH_CAN_VIEW_DETAILS": True}
    row = db.session.get(Setting, "SHOP_NAME")
    assert (row.value, row.updated_by_id) == ("JC Icons Cubao", admin.id)
    assert db.session.get(Setting, "POS_ENABLED") is None
    [entry] = audit_rows()
    assert (entry.actor_username, entry.entity_type) == ("boss", "settings")
    assert entry.before == {"SHOP_NAME": "JC Icons", "TECH_CAN_VIEW_DETAILS": False}
    assert entry.after == changed


def test_saving_the_same_values_writes_nothing(ctx, make_user):
    admin = get(make_user("ADMIN"))
    update_settings({"POS_ENABLED": False}, admin)
    db.session.commit()

    assert update_settings(get_settings(), admin) == {}
    assert len(audit_rows()) == 1


def test_a_later_change_records_the_stored_value_as_before(ctx, make_user):
    admin = get(make_user("ADMIN"))
    update_settings({"SHOP_NAME": "First"}, admin)

    update_settings({"SHOP_NAME": "Second"}, admin)

    assert [(e.before, e.after) for e in audit_rows()] == [
        ({"SHOP_NAME": "JC Icons"}, {"SHOP_NAME": "First"}),
        ({"SHOP_NAME": "First"}, {"SHOP_NAME": "Second"}),
    ]
    assert get_setting("SHOP_NAME") == "Second"


def test_an_unknown_setting_is_refused(ctx, make_user):
    admin = get(make_user("ADMIN"))
    with pytest.raises(KeyError, match="LICENSE_KEY"):
        update_settings({"LICENSE_KEY": "secret"}, admin)
    assert audit_rows() == []


def test_rolled_back_change_leaves_neither_setting_nor_audit_row(ctx, make_user):
    admin = get(make_user("ADMIN"))
    update_settings({"POS_ENABLED": False}, admin)

    db.session.rollback()

    assert get_toggles()[Toggle.POS_ENABLED] is True
    assert audit_rows() == []


@pytest.mark.parametrize(
    ("toggle", "role", "capability"),
    [
        ("POS_ENABLED", Role.SALES, "pos.use"),
        ("POS_ENABLED", Role.ADMIN, "pos.use"),
        ("SALES_CAN_EDIT_INVENTORY", Role.SALES, "inventory.edit"),
        ("TECH_CAN_VIEW_DETAILS", Role.TECH, "customers.view"),
        ("TECH_CAN_VIEW_DETAILS", Role.TECH, "repairs.view_details"),
    ],
)
def test_flipping_a_toggle_flips_the_capability_it_governs(
    ctx, make_user, toggle, role, capability
):
    admin = get(make_user("ADMIN"))
    before = role_can(role, capability, get_toggles())

    update_settings({toggle: not get_settings()[toggle]}, admin)

    assert role_can(role, capability, get_toggles()) is (not before)


@pytest.mark.parametrize(
    "toggle", ["SALES_CAN_EDIT_INVENTORY", "TECH_CAN_VIEW_DETAILS"]
)
def test_admin_is_never_limited_by_the_permission_toggles(ctx, make_user, toggle):
    admin = get(make_user("ADMIN"))
    update_settings({toggle: False}, admin)

    toggles = get_toggles()

    assert role_can(Role.ADMIN, "inventory.edit", toggles)
    assert role_can(Role.ADMIN, "customers.view", toggles)


def test_can_answers_from_the_toggles_of_the_current_request(app, make_user):
    clerk = make_user("SALES")
    admin = make_user("ADMIN")

    def sales_can_edit() -> bool:
        with app.test_request_context("/"):
            login_user(db.session.get(User, clerk.id))
            return can("inventory.edit")

    assert sales_can_edit() is False
    with app.app_context():
        update_settings({"SALES_CAN_EDIT_INVENTORY": True}, get(admin))
        db.session.commit()
    assert sales_can_edit() is True


def test_a_secret_setting_is_audited_as_changed_never_with_its_value(ctx, make_user):
    admin = get(make_user("ADMIN"))

    update_settings({"SMTP_PASSWORD": "gAAAA-encrypted-token"}, admin)
    update_settings({"SMTP_PASSWORD": ""}, admin)

    assert [(row.before, row.after) for row in audit_rows()] == [
        ({"SMTP_PASSWORD": "(not set)"}, {"SMTP_PASSWORD": "(new value)"}),
        ({"SMTP_PASSWORD": "(set)"}, {"SMTP_PASSWORD": "(removed)"}),
    ]
