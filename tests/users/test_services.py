"""Account rules: usernames, e-mail, roles, the last ADMIN, audit rows, resets."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User, UserSession
from jcicons.auth.services import start_session
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.security.passwords import verify_password
from jcicons.users.services import (
    count_active_admins,
    create_user,
    deactivate_user,
    end_sessions_of,
    reactivate_user,
    reset_password,
    update_user,
    users_query,
)


def get(account) -> User:
    return db.session.get(User, account.id)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).filter_by(action=action)))


def live_sessions(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    )


def test_new_user_gets_a_lower_case_username_and_a_one_time_password(ctx, make_user):
    admin = get(make_user("ADMIN"))

    user, one_time = create_user(
        "Juan_Dela", "Juan Dela Cruz", "juan@Example.COM", "TECH", admin
    )

    assert (user.username, user.role, user.email) == (
        "juan_dela",
        "TECH",
        "juan@example.com",
    )
    assert user.must_change_password is True
    assert one_time and one_time not in user.password_hash
    assert verify_password(user.password_hash, one_time)


@pytest.mark.parametrize(
    "username",
    ["ab", "a" * 33, "juan dela", "juan-dela", "juan.dela", "jüan", "<script>"],
)
def test_invalid_username_is_refused_and_nothing_is_created(ctx, username):
    with pytest.raises(DomainError) as refused:
        create_user(username, "Someone", None, "SALES", None)

    assert refused.value.field == "username"
    assert "3 to 32 letters, digits or underscores" in refused.value.message
    assert count(User) == 0


@pytest.mark.parametrize("username", ["abc", "a" * 32, "Tech_2"])
def test_usernames_of_3_to_32_word_characters_are_accepted(ctx, username):
    user, _ = create_user(username, "Someone", None, "SALES", None)
    assert user.username == username.lower()


def test_taken_username_in_another_case_is_refused(ctx, make_user):
    make_user("SALES", username="maria")

    with pytest.raises(DomainError, match="That username is taken") as refused:
        create_user("MARIA", "Maria Clara", None, "SALES", None)

    assert refused.value.field == "username"
    assert count(User) == 1


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [
        ("not-an-address", "SALES", "email"),
        ("juan@@example.com", "SALES", "email"),
        ("juan@example.com", "OWNER", "role"),
        ("juan@example.com", "", "role"),
    ],
)
def test_bad_email_or_unknown_role_is_refused(ctx, email, role, field):
    with pytest.raises(DomainError) as refused:
        create_user("juan", "Juan", email, role, None)

    assert refused.value.field == field
    assert count(User) == 0


def test_creating_a_user_is_audited_without_the_password(ctx, make_user):
    admin = get(make_user("ADMIN", username="boss"))

    user, one_time = create_user("pedro", "Pedro Penduko", None, "SALES", admin)

    [row] = [row for row in audit_rows("user.create") if row.actor_id]
    assert (row.actor_id, row.actor_username) == (admin.id, "boss")
    assert (row.entity_type, row.entity_id) == ("user", str(user.id))
    assert row.before is None
    assert row.after == {
        "username": "pedro",
        "full_name": "Pedro Penduko",
        "email": None,
        "role": "SALES",
        "is_active": True,
    }
    assert one_time not in str(row.after)


def test_rolling_back_a_change_removes_its_audit_row_too(ctx):
    create_user("pedro", "Pedro Penduko", None, "SALES", None)
    assert count(AuditEvent) == 1

    db.session.rollback()

    assert count(AuditEvent) == 0
    assert count(User) == 0


def test_update_audits_only_the_fields_that_changed(ctx, make_user):
    admin = get(make_user("ADMIN"))
    clerk = get(make_user("SALES", full_name="Ana Reyes", email="ana@example.com"))

    changed = update_user(clerk, "Ana Santos", "ana@example.com", "TECH", admin)

    assert changed == {"full_name": "Ana Santos", "role": "TECH"}
    [row] = audit_rows("user.update")
    assert row.before == {"full_name": "Ana Reyes", "role": "SALES"}
    assert row.after == {"full_name": "Ana Santos", "role": "TECH"}


def test_update_without_changes_writes_no_audit_row(ctx, make_user):
    admin = get(make_user("ADMIN"))
    clerk = get(make_user("SALES", full_name="Ana Reyes"))

    assert update_user(clerk, "Ana Reyes", "", "SALES", admin) == {}
    assert audit_rows("user.update") == []


def test_changing_a_role_ends_the_users_sessions(ctx, make_user):
    admin = get(make_user("ADMIN"))
    clerk = get(make_user("SALES"))
    start_session(clerk, "10.0.0.5", "Firefox")

    update_user(clerk, clerk.full_name, None, "TECH", admin)

    assert live_sessions(clerk) == 0


def test_admin_cannot_demote_themselves(ctx, make_user):
    make_user("ADMIN")
    admin = get(make_user("ADMIN"))

    with pytest.raises(DomainError, match="cannot take the ADMIN role from yourself"):
        update_user(admin, admin.full_name, None, "SALES", admin)

    assert admin.role == "ADMIN"


def test_last_active_admin_cannot_be_demoted(ctx, make_user):
    last = get(make_user("ADMIN"))
    former = get(make_user("ADMIN", active=False))

    with pytest.raises(DomainError, match="The last active ADMIN must stay ADMIN"):
        update_user(last, last.full_name, None, "TECH", former)

    assert last.role == "ADMIN"
    assert audit_rows("user.update") == []


def test_inactive_admin_may_be_demoted_while_another_admin_is_active(ctx, make_user):
    admin = get(make_user("ADMIN"))
    former = get(make_user("ADMIN", active=False))

    assert update_user(former, former.full_name, None, "SALES", admin) == {
        "role": "SALES"
    }


def test_admin_cannot_deactivate_themselves(ctx, make_user):
    make_user("ADMIN")
    admin = get(make_user("ADMIN"))

    with pytest.raises(DomainError, match="cannot deactivate your own account"):
        deactivate_user(admin, admin)

    assert admin.is_active is True


def test_last_active_admin_cannot_be_deactivated(ctx, make_user):
    last = get(make_user("ADMIN"))
    former = get(make_user("ADMIN", active=False))

    with pytest.raises(DomainError, match="last active ADMIN cannot be deactivated"):
        deactivate_user(last, former)

    assert last.is_active is True


def test_deactivation_ends_sessions_and_is_audited(ctx, make_user):
    admin = get(make_user("ADMIN"))
    other_admin = get(make_user("ADMIN"))
    start_session(other_admin, "10.0.0.5", "Firefox")
    start_session(other_admin, "10.0.0.6", "Chrome")

    deactivate_user(other_admin, admin)

    assert other_admin.is_active is False
    assert live_sessions(other_admin) == 0
    [row] = audit_rows("user.deactivate")
    assert row.before == {"is_active": True}
    assert row.after == {"is_active": False, "sessions_ended": 2}


def test_reactivation_is_audited_and_refused_for_an_active_account(ctx, make_user):
    admin = get(make_user("ADMIN"))
    clerk = get(make_user("SALES", active=False))

    reactivate_user(clerk, admin)

    assert clerk.is_active is True
    [row] = audit_rows("user.reactivate")
    assert (row.before, row.after) == ({"is_active": False}, {"is_active": True})
    with pytest.raises(DomainError, match="already active"):
        reactivate_user(clerk, admin)


def test_deactivating_an_inactive_account_is_refused(ctx, make_user):
    admin = get(make_user("ADMIN"))
    clerk = get(make_user("SALES", active=False))

    with pytest.raises(DomainError, match="already inactive"):
        deactivate_user(clerk, admin)


def test_password_reset_gives_a_fresh_one_time_password_and_ends_sessions(
    ctx, make_user
):
    admin = get(make_user("ADMIN"))
    clerk = get(make_user("SALES"))
    old_hash = clerk.password_hash
    start_session(clerk, "10.0.0.5", "Firefox")

    one_time = reset_password(clerk, admin)

    assert clerk.password_hash != old_hash
    assert verify_password(clerk.password_hash, one_time)
    assert clerk.must_change_password is True
    assert live_sessions(clerk) == 0
    [row] = audit_rows("user.password_reset")
    assert row.after == {"must_change_password": True, "sessions_ended": 1}
    assert one_time not in str(row.before) + str(row.after)


def test_ending_a_users_sessions_counts_and_audits_them(ctx, make_user):
    admin = get(make_user("ADMIN"))
    tech = get(make_user("TECH"))
    for ip in ("10.0.0.5", "10.0.0.6", "10.0.0.7"):
        start_session(tech, ip, "Chrome")

    assert end_sessions_of(tech, admin) == 3
    assert live_sessions(tech) == 0
    [row] = audit_rows("user.sessions_end")
    assert row.after == {"sessions_ended": 3}


@pytest.mark.parametrize(
    ("search", "role", "status", "expected"),
    [
        ("", "", "", ["ana_r", "ben", "carla", "juan_dela", "juanito"]),
        ("JUAN", "", "", ["juan_dela", "juanito"]),
        ("juan_", "", "", ["juan_dela"]),
        ("santos", "", "", ["ben"]),
        ("CARLA@SHOP", "", "", ["carla"]),
        ("", "TECH", "", ["carla", "juanito"]),
        ("", "", "inactive", ["juanito"]),
        ("", "TECH", "active", ["carla"]),
        ("%", "", "", []),
    ],
)
def test_users_list_filters_by_search_role_and_status(
    ctx, make_user, search, role, status, expected
):
    make_user("ADMIN", username="ana_r", full_name="Ana Reyes")
    make_user("SALES", username="ben", full_name="Benigno Santos")
    make_user("TECH", username="carla", email="carla@shop.example.com")
    make_user("SALES", username="juan_dela", full_name="Juan Dela Cruz")
    make_user("TECH", username="juanito", full_name="Juanito Ramos", active=False)

    found = db.session.scalars(users_query(search, role, status)).all()

    assert [user.username for user in found] == expected


def test_two_admins_deactivating_each_other_at_once_leave_one_active(app, make_user):
    """On SQLite and on PostgreSQL: the second request waits, then sees the first."""
    first, second = make_user("ADMIN"), make_user("ADMIN")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def deactivate(target_id: int, actor_id: int) -> None:
        with app.app_context():
            target, actor = (
                db.session.get(User, target_id),
                db.session.get(User, actor_id),
            )
            barrier.wait()
            try:
                deactivate_user(target, actor)
                db.session.commit()
                outcomes.append("deactivated")
            except DomainError as exc:
                db.session.rollback()
                outcomes.append(exc.message)

    threads = [
        threading.Thread(target=deactivate, args=(second.id, first.id)),
        threading.Thread(target=deactivate, args=(first.id, second.id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == [
        "The last active ADMIN cannot be deactivated.",
        "deactivated",
    ]
    with app.app_context():
        assert count_active_admins() == 1
