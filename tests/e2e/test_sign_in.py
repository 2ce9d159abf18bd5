"""In Chromium: sign in with a password someone else set, choose one, sign out."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from helpers import Account

pytestmark = pytest.mark.e2e

FIRST_PASSWORD = "Xq7m-Rt2v-Lw9z-Pk4c"
NEW_PASSWORD = "Kalamansi-Bangka-Tsinelas-73"
# For a person to look at: the meter as Chromium draws it (/tmp/e2e-meter.png).
SCREENSHOT = Path(tempfile.gettempdir()) / "e2e-meter.png"


@pytest.fixture
def forced_user(make_user, sign_in) -> Account:
    """A user whose password was generated, signed in and sent to change it."""
    account = make_user(
        "SALES", full_name="Ana Reyes", password=FIRST_PASSWORD, must_change=True
    )
    sign_in(account)
    return account


def choose_password(page: Page, current: str, new: str) -> None:
    """Fill in the change-password form, the metered field last, and send it."""
    page.fill("#current_password", current)
    page.fill("#confirm_password", new)
    page.fill("#new_password", new)
    with page.expect_navigation():
        page.get_by_role("button", name="Change password", exact=True).click()


def test_user_with_a_generated_password_lands_on_the_change_password_page(
    page, forced_user, browser_problems
):
    expect(page).to_have_url(re.compile(r"/account/password$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    expect(page.get_by_role("alert")).to_contain_text(
        "Choose a new password before you continue."
    )
    assert browser_problems == []


def test_strength_meter_asks_the_server_and_follows_the_typed_password(
    page, forced_user, browser_problems
):
    meter = page.locator('[data-meter-for="new_password"]')
    label = meter.locator(".meter-label")
    expect(label).to_have_text("Type a password to see how strong it is.")

    with page.expect_request("**/account/password-check") as sent:
        page.fill("#new_password", "password1")
    token = page.get_attribute('meta[name="csrf-token"]', "content")
    assert sent.value.headers.get("x-csrftoken") == token
    expect(label).to_have_text("Too easy to guess: not accepted yet")
    expect(meter).to_have_attribute("data-score", "0")
    expect(meter).to_have_attribute("data-ok", "false")
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.fill("#new_password", NEW_PASSWORD)
    expect(label).to_have_text("Very strong: accepted")
    expect(meter).to_have_attribute("data-score", "4")
    expect(meter).to_have_attribute("data-ok", "true")

    page.fill("#new_password", "")
    expect(label).to_have_text("Type a password to see how strong it is.")
    expect(meter).not_to_have_attribute("data-score", re.compile(".*"))
    assert browser_problems == []


@pytest.mark.parametrize(
    ("password", "score", "ok", "label", "advice"),
    [
        ("password1", "0", "false", "Too easy to guess", "one capital letter"),
        ("Maynila1", "2", "false", "Fair", "too easy to guess"),
        ("kalamansi-bangka-tsinelas-73", "4", "false", "Very strong", "capital"),
    ],
)
def test_meter_agrees_with_the_policy_and_says_what_to_fix(
    page, forced_user, browser_problems, password, score, ok, label, advice
):
    meter = page.locator('[data-meter-for="new_password"]')
    page.fill("#new_password", password)
    expect(meter.locator(".meter-label")).to_have_text(f"{label}: not accepted yet")
    expect(meter).to_have_attribute("data-score", score)
    expect(meter).to_have_attribute("data-ok", ok)
    expect(meter.locator(".meter-feedback")).to_contain_text(advice)
    assert browser_problems == []


def test_show_password_toggle_switches_the_field_to_text_and_back(
    page, forced_user, browser_problems
):
    field = page.locator("#new_password")
    toggle = page.locator('[data-toggle-password="new_password"]')
    field.fill(NEW_PASSWORD)
    expect(field).to_have_attribute("type", "password")

    toggle.click()
    expect(field).to_have_attribute("type", "text")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_attribute("aria-label", "Hide password")

    toggle.click()
    expect(field).to_have_attribute("type", "password")
    expect(field).to_have_value(NEW_PASSWORD)
    assert browser_problems == []


def test_weak_new_password_is_refused_with_the_policy_message(
    page, forced_user, browser_problems
):
    choose_password(page, forced_user.password, "password1")

    expect(page).to_have_url(re.compile(r"/account/password$"))
    errors = page.locator("#new_password ~ .invalid-feedback")
    expect(errors.first).to_be_visible()
    expect(errors).to_contain_text(
        ["Add at least one capital letter (A-Z).", "This password is too easy to guess"]
    )
    assert browser_problems == []


def test_strong_new_password_opens_the_dashboard_and_sign_out_ends_the_session(
    page, forced_user, browser_problems
):
    choose_password(page, forced_user.password, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Good day, Ana Reyes")
    expect(page.get_by_role("alert")).to_contain_text("Your password is changed.")

    page.get_by_test_id("user-menu").click()
    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_role("alert")).to_contain_text("You are signed out.")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/auth/login\?next=%2F$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert browser_problems == []


def test_meter_sends_no_check_once_the_form_is_submitted(
    page, live_url, forced_user, browser_problems
):
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    choose_password(page, forced_user.password, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Good day, Ana Reyes")

    submitted = sent.index(f"{live_url}/account/password")
    assert not [url for url in sent[submitted:] if url.endswith("/password-check")]
    assert browser_problems == []
