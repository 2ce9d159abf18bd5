"""In Chromium: a sent form cannot be sent again by a second click (static/js/app.js).

Most tests answer the form's POST with 204 No Content, which leaves the page as it
was: the test then sees what a second click would send while the first is out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import waitress
from playwright.sync_api import Browser, Page, Request, Route, sync_playwright

from helpers import needs_chromium
from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.inventory.services import (
    ProductData,
    create_category,
    create_product,
    start_count,
)

pytestmark = pytest.mark.e2e

CSP_REPORTS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportProblem("CSP: " + event.violatedDirective);
});
"""


@pytest.fixture(scope="module")
def live_url(app) -> Iterator[str]:
    """Serve the session's app with waitress on a free port."""
    server: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.trigger.pull_trigger(
        lambda: [channel.close() for channel in list(server._map.values())]
    )
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = needs_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=["--headless=new", "--no-sandbox"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def problems() -> list[str]:
    return []


@pytest.fixture
def page(browser, live_url, problems) -> Iterator[Page]:
    context = browser.new_context(base_url=live_url)
    context.expose_function("reportProblem", lambda text: problems.append(text))
    context.add_init_script(CSP_REPORTS)
    tab = context.new_page()
    tab.on("pageerror", lambda error: problems.append(f"script: {error}"))
    yield tab
    context.close()


@pytest.fixture
def shop(app, make_user, page) -> dict[str, int]:
    """A product and an open count, and an ADMIN signed in."""
    account = make_user("ADMIN")
    with app.app_context():
        owner = db.session.get(User, account.id)
        ram = create_category("RAM", owner)
        product = create_product(ProductData("DDR4 8GB", ram.id, 1_500_00), owner)
        count = start_count(None, owner)
        db.session.commit()
        ids = {"product": product.id, "count": count.id}
    page.goto("/auth/login")
    page.fill("#username", account.username)
    page.fill("#password", account.password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    return ids


def answer_posts(page: Page, pattern: str) -> list[Request]:
    """Answer every POST to `pattern` with 204 (the page stays); return them."""
    sent: list[Request] = []

    def answer(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        sent.append(route.request)
        route.fulfill(status=204)

    page.route(pattern, answer)
    return sent


def test_a_second_click_or_enter_sends_nothing_more(page, shop, problems):
    page.goto(f"/inventory/products/{shop['product']}/adjust")
    page.fill("#quantity", "3")
    sent = answer_posts(page, "**/adjust")
    button = page.get_by_role("button", name="Adjust stock")

    button.click()
    page.wait_for_timeout(300)
    button.click(force=True)
    page.press("#quantity", "Enter")
    page.wait_for_timeout(300)

    assert len(sent) == 1
    assert button.is_disabled()
    assert problems == []


def test_the_clicked_button_still_says_what_to_do(page, shop, problems):
    page.goto(f"/inventory/counts/{shop['count']}")
    sent = answer_posts(page, f"**/inventory/counts/{shop['count']}*")

    page.get_by_role("button", name="Save and review differences").click()
    page.wait_for_timeout(300)

    assert len(sent) == 1
    assert "action=review" in (sent[0].post_data or "")
    assert page.get_by_role("button", name="Save", exact=True).is_disabled()
    assert problems == []


def test_a_form_whose_confirmation_is_declined_stays_usable(page, shop):
    page.goto(f"/inventory/counts/{shop['count']}")
    sent = answer_posts(page, "**/cancel")
    page.once("dialog", lambda dialog: dialog.dismiss())
    button = page.get_by_test_id("cancel-count")

    button.click()
    page.wait_for_timeout(300)

    assert sent == [] and button.is_enabled()
