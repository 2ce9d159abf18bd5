"""The users admin pages: list, create, edit, deactivate, reset, end sessions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import STRONG_PASSWORD, count_statements, login
from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User
from jcicons.extensions import db

PAGES = [
    ("get", "/admin/users/"),
    ("get", "/admin/users/new"),
    ("get", "/admin/users/{id}"),
    ("get", "/admin/users/{id}/edit"),
    ("post", "/admin/users/new"),
    ("post", "/admin/users/{id}/edit"),
    ("post", "/admin/users/{id}/deactivate"),
    ("post", "/admin/users/{id}/reactivate"),
    ("post", "/admin/users/{id}/reset-password"),
    ("post", "/admin/users/{id}/end-sessions"),
]


def one_time_password(response) -> str:
    match = re.search(r'data-testid="one-time-password">([^<]+)<', response.text)
    assert match, "no one-time password on the page"
    return match.group(1)


def load(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def audit_actions(app, entity_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
        return [(row.actor_username, row.action) for row in rows]


def stored_anywhere(app, secret: str) -> bool:
    """Return True when any column of any table holds the secret."""
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if secret in str(db.session.execute(select(table)).all()):
                return True
    return False


def security_log(app) -> str:
    return Path(app.extensions["jcicons_security_log"]).read_text()


def signed_in_client(app, account):
    other = app.test_client()
    assert login(other, account.username, account.password).status_code == 302
    return other


@pytest.mark.parametrize("role", ["SALES", "TECH"])
@pytest.mark.parametrize(("method", "url"), PAGES)
def test_only_admin_reaches_the_users_pages(
    client, login_as, make_user, role, method, url
):
    target = make_user("SALES")
    login_as(role)
    address = url.format(id=target.id)

    if method == "get":
        response = client.get(address)
    else:
        response = client.post_form(address, {"full_name": "X", "role": "ADMIN"})

    assert response.status_code == 403
    assert load(client.application, target.id).role == "SALES"


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/users/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_list_shows_names_roles_and_status(client, login_as, make_user):
    login_as("ADMIN", username="boss")
    make_user("TECH", username="carla", full_name="Carla Mendoza", active=False)

    page = client.get("/admin/users/").text

    assert "carla" in page and "Carla Mendoza" in page
    assert re.search(r"Carla Mendoza</td>\s*<td>TECH</td>\s*<td>.*inactive", page)
    assert "2 in all" in page


def test_list_pages_by_25_and_shows_the_total(client, login_as, make_user):
    login_as("ADMIN", username="admin")
    for n in range(1, 31):
        make_user("SALES", username=f"clerk{n:02d}")

    first = client.get("/admin/users/").text
    second = client.get("/admin/users/?page=2").text

    assert len(re.findall(r'<td><a href="/admin/users/\d+">', first)) == 25
    assert "clerk24" in first and "clerk25" not in first
    assert [f"clerk{n}" for n in range(25, 31)] == re.findall(r">(clerk\d+)<", second)
    assert "31 in all · page 2 of 2" in second


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=mendoza", "carla", "ben"),
        ("q=BEN%40SHOP", "ben", "carla"),
        ("role=TECH", "carla", "ben"),
        ("status=inactive", "ben", "carla"),
        ("role=SALES&status=active", "No users match", "carla"),
    ],
)
def test_list_search_and_filters(client, login_as, make_user, query, shown, hidden):
    login_as("ADMIN", username="boss")
    make_user("TECH", username="carla", full_name="Carla Mendoza")
    make_user("SALES", username="ben", email="ben@shop.example.com", active=False)

    page = client.get(f"/admin/users/?{query}").text

    assert shown in page
    assert f">{hidden}<" not in page


def test_list_issues_the_same_number_of_queries_for_5_and_40_users(
    app, client, login_as, make_user
):
    login_as("ADMIN")
    for _ in range(4):
        make_user("TECH")
    client.get("/admin/users/")
    few = count_statements(client, "/admin/users/")

    for _ in range(35):
        make_user("SALES")
    many = count_statements(client, "/admin/users/")

    assert few == many


def test_create_shows_the_one_time_password_once_and_stores_it_nowhere(
    app, client, login_as
):
    login_as("ADMIN", username="boss")

    response = client.post_form(
        "/admin/users/new",
        {"username": "Nena_G", "full_name": "Nena Garcia", "role": "TECH"},
    )

    assert response.status_code == 200
    assert "User created: nena_g" in response.text
    password = one_time_password(response)
    user = load(app, _id_of(app, "nena_g"))
    assert (user.full_name, user.role, user.must_change_password) == (
        "Nena Garcia",
        "TECH",
        True,
    )
    assert not stored_anywhere(app, password)
    assert password not in security_log(app)
    assert password not in client.get(f"/admin/users/{user.id}").text


def _id_of(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def test_new_user_must_change_the_one_time_password_at_first_sign_in(
    app, client, login_as
):
    login_as("ADMIN")
    response = client.post_form(
        "/admin/users/new", {"username": "nena", "full_name": "Nena", "role": "SALES"}
    )
    newcomer = app.test_client()

    signed_in = login(newcomer, "nena", one_time_password(response))
    dashboard = newcomer.get(signed_in.headers["Location"])

    assert dashboard.status_code == 302
    assert dashboard.headers["Location"] == "/account/password"


def test_create_is_audited_and_logged_with_the_actor(app, client, login_as):
    login_as("ADMIN", username="boss")

    client.post_form(
        "/admin/users/new",
        {"username": "nena", "full_name": "Nena", "email": "", "role": "SALES"},
    )

    assert audit_actions(app, _id_of(app, "nena")) == [("boss", "user.create")]
    assert '"event": "user_created", "username": "boss"' in security_log(app)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "ab"}, "A username is 3 to 32 letters, digits or underscores."),
        ({"username": "a" * 33}, "A username is 3 to 32 letters, digits or"),
        ({"username": "juan dela"}, "A username is 3 to 32 letters, digits or"),
        ({"username": "MARIA"}, "That username is taken."),
        ({"email": "juan@"}, "That e-mail address is not valid"),
        ({"email": "juan at shop"}, "That e-mail address is not valid"),
        ({"role": "OWNER"}, "Not a valid choice"),
        ({"full_name": ""}, "This field is required."),
    ],
)
def test_invalid_new_user_gives_the_form_back_and_creates_nothing(
    app, client, login_as, make_user, changes, message
):
    login_as("ADMIN")
    make_user("SALES", username="maria")
    data = {"username": "juan", "full_name": "Juan", "role": "SALES", **changes}

    response = client.post_form("/admin/users/new", data)

    assert response.status_code == 422
    assert message in response.text
    assert count_users(app) == 2


def test_edit_changes_name_email_and_role_and_is_audited(
    app, client, login_as, make_user
):
    login_as("ADMIN", username="boss")
    clerk = make_user("SALES", username="ana", full_name="Ana Reyes")

    response = client.post_form(
        f"/admin/users/{clerk.id}/edit",
        {"full_name": "Ana Santos", "email": "ana@shop.example.com", "role": "TECH"},
        follow_redirects=True,
    )

    assert "ana is saved." in response.text
    assert "Ana Santos" in response.text and "ana@shop.example.com" in response.text
    user = load(app, clerk.id)
    assert (user.full_name, user.email, user.role) == (
        "Ana Santos",
        "ana@shop.example.com",
        "TECH",
    )
    assert audit_actions(app, clerk.id)[-1] == ("boss", "user.update")


def test_edit_with_a_bad_email_changes_nothing(app, client, login_as, make_user):
    login_as("ADMIN")
    clerk = make_user("SALES", full_name="Ana Reyes")

    response = client.post_form(
        f"/admin/users/{clerk.id}/edit",
        {"full_name": "Ana Santos", "email": "ana@", "role": "SALES"},
    )

    assert response.status_code == 422
    assert "That e-mail address is not valid" in response.text
    assert load(app, clerk.id).full_name == "Ana Reyes"


def test_the_only_admin_cannot_demote_themselves(app, client, login_as):
    admin = login_as("ADMIN")

    response = client.post_form(
        f"/admin/users/{admin.id}/edit", {"full_name": "Boss", "role": "SALES"}
    )

    assert response.status_code == 422
    assert "You cannot take the ADMIN role from yourself." in response.text
    assert load(app, admin.id).role == "ADMIN"


def test_the_only_admin_cannot_deactivate_themselves(app, client, login_as):
    admin = login_as("ADMIN")

    response = client.post_form(
        f"/admin/users/{admin.id}/deactivate", follow_redirects=True
    )

    assert "You cannot deactivate your own account." in response.text
    assert load(app, admin.id).is_active is True
    assert audit_actions(app, admin.id) == [("system", "user.create")]


def test_deactivation_signs_the_user_out_and_keeps_them_out(
    app, client, login_as, make_user
):
    login_as("ADMIN", username="boss")
    tech = make_user("TECH", username="carla")
    their_browser = signed_in_client(app, tech)

    response = client.post_form(
        f"/admin/users/{tech.id}/deactivate", follow_redirects=True
    )

    assert "carla is deactivated and signed out everywhere." in response.text
    assert their_browser.get("/").headers["Location"].startswith("/auth/login")
    assert login(app.test_client(), "carla", tech.password).status_code == 422
    assert audit_actions(app, tech.id)[-1] == ("boss", "user.deactivate")


def test_reactivation_lets_the_user_sign_in_again(app, client, login_as, make_user):
    login_as("ADMIN", username="boss")
    tech = make_user("TECH", username="carla", active=False)

    response = client.post_form(
        f"/admin/users/{tech.id}/reactivate", follow_redirects=True
    )

    assert "carla can sign in again." in response.text
    assert login(app.test_client(), "carla", tech.password).status_code == 302
    assert audit_actions(app, tech.id)[-1] == ("boss", "user.reactivate")


def test_password_reset_shows_a_one_time_password_and_ends_sessions(
    app, client, login_as, make_user
):
    login_as("ADMIN", username="boss")
    clerk = make_user("SALES", username="ana", full_name="Ana Reyes")
    their_browser = signed_in_client(app, clerk)

    response = client.post_form(f"/admin/users/{clerk.id}/reset-password")

    assert "Password reset: ana" in response.text
    assert "Give this one-time password to Ana Reyes now." in response.text
    password = one_time_password(response)
    assert their_browser.get("/").headers["Location"].startswith("/auth/login")
    assert not stored_anywhere(app, password)
    assert password not in security_log(app)
    assert audit_actions(app, clerk.id)[-1] == ("boss", "user.password_reset")


def test_after_a_reset_only_the_new_password_works_and_must_be_changed(
    app, client, login_as, make_user
):
    login_as("ADMIN")
    clerk = make_user("SALES", username="ana")
    password = one_time_password(
        client.post_form(f"/admin/users/{clerk.id}/reset-password")
    )
    browser = app.test_client()

    assert login(browser, "ana", STRONG_PASSWORD).status_code == 422
    assert login(browser, "ana", password).status_code == 302
    assert browser.get("/").headers["Location"] == "/account/password"


def test_ending_a_users_sessions_signs_them_out(app, client, login_as, make_user):
    login_as("ADMIN", username="boss")
    tech = make_user("TECH", username="carla")
    their_browser = signed_in_client(app, tech)

    response = client.post_form(
        f"/admin/users/{tech.id}/end-sessions", follow_redirects=True
    )

    assert "1 session(s) of carla ended." in response.text
    assert their_browser.get("/").headers["Location"].startswith("/auth/login")
    assert audit_actions(app, tech.id)[-1] == ("boss", "user.sessions_end")


@pytest.mark.parametrize("action", ["deactivate", "reset-password", "end-sessions"])
def test_account_actions_refuse_get_and_posts_without_a_csrf_token(
    app, client, login_as, make_user, action
):
    login_as("ADMIN")
    clerk = make_user("SALES")
    before = load(app, clerk.id).password_hash

    assert client.get(f"/admin/users/{clerk.id}/{action}").status_code == 405
    assert client.post(f"/admin/users/{clerk.id}/{action}").status_code == 400
    assert load(app, clerk.id).is_active is True
    assert load(app, clerk.id).password_hash == before


def test_unknown_user_is_a_404(client, login_as):
    login_as("ADMIN")
    assert client.get("/admin/users/9999").status_code == 404
    assert client.post_form("/admin/users/9999/deactivate").status_code == 404
