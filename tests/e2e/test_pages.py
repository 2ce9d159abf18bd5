"""In Chromium: the everyday pages load under the CSP without a complaint."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Good day, Maria Santos"),
        ("/admin/users/new", "New user"),
        ("/admin/settings", "Settings"),
        ("/admin/security", "Security events"),
        ("/account/sessions", "Signed-in devices"),
    ],
)
def test_admin_page_loads_without_console_errors_or_csp_violations(
    page, make_user, sign_in, browser_problems, path, heading
):
    sign_in(make_user("ADMIN", full_name="Maria Santos"))
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert browser_problems == []


def test_narrow_screen_opens_the_menu_with_the_menu_button(
    page, make_user, sign_in, browser_problems
):
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(make_user("SALES"))
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    assert browser_problems == []
