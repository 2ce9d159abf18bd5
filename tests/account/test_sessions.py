"""The signed-in devices page: list one's sessions and end them."""

from __future__ import annotations

from sqlalchemy import select

from jcicons.auth.models import UserSession
from jcicons.extensions import db

DESK = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0 Safari/537.36"
PHONE = "Mozilla/5.0 (Linux; Android 14) Firefox/125.0"


def session_id(app, agent: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(UserSession.id).where(UserSession.user_agent == agent)
        )


def test_page_lists_each_device_and_marks_this_one(make_user, browser):
    account = make_user("SALES")
    desk = browser(account, DESK)
    browser(account, PHONE)

    page = desk.get("/account/sessions").text

    assert 'Chrome on Windows <span class="badge text-bg-primary">this device' in page
    assert "Firefox on Android" in page
    assert page.count("this device") == 1
    assert "Sessions end after 8 hours without use, and after 7 days at most." in page


def test_page_shows_only_ones_own_live_sessions(make_user, browser):
    account = make_user("SALES")
    desk = browser(account, DESK)
    browser(make_user("TECH"), PHONE)
    old = browser(account, "Mozilla/5.0 (iPhone) Safari/605.1")
    old.post_form("/auth/logout")

    page = desk.get("/account/sessions").text

    assert "Chrome on Windows" in page
    assert "Firefox on Android" not in page
    assert "Safari on iPhone" not in page


def test_ending_one_session_refuses_its_cookie(app, make_user, browser, signed_out):
    account = make_user("SALES")
    desk = browser(account, DESK)
    phone = browser(account, PHONE)

    response = desk.post_form(
        f"/account/sessions/{session_id(app, PHONE)}/end", follow_redirects=True
    )

    assert "That session is ended." in response.text
    assert "Firefox on Android" not in response.text
    assert signed_out(phone)
    assert not signed_out(desk)


def test_someone_elses_session_cannot_be_ended(app, make_user, browser, signed_out):
    desk = browser(make_user("SALES"), DESK)
    colleague = browser(make_user("TECH"), PHONE)

    response = desk.post_form(f"/account/sessions/{session_id(app, PHONE)}/end")

    assert response.status_code == 404
    assert not signed_out(colleague)


def test_ending_the_other_sessions_keeps_this_one(make_user, browser, signed_out):
    account = make_user("SALES")
    desk = browser(account, DESK)
    others = [browser(account, PHONE), browser(account, "Opera OPR/1")]
    colleague = browser(make_user("SALES"), PHONE)

    response = desk.post_form("/account/sessions/end-others", follow_redirects=True)

    assert "2 other session(s) ended." in response.text
    assert all(signed_out(other) for other in others)
    assert not signed_out(desk)
    assert not signed_out(colleague)


def test_ending_sessions_needs_a_csrf_token(app, make_user, browser, signed_out):
    account = make_user("SALES")
    desk = browser(account, DESK)
    phone = browser(account, PHONE)
    assert desk.post("/account/sessions/end-others").status_code == 400
    assert (
        desk.post(f"/account/sessions/{session_id(app, PHONE)}/end").status_code == 400
    )
    assert not signed_out(phone)


def test_sessions_page_needs_a_sign_in(client):
    response = client.get("/account/sessions")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
