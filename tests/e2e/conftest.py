"""A real browser against the real app: waitress in a thread, Debian's Chromium.

The app is the test session's app, so users made with `make_user` can sign in. Every
test gets a fresh browser context (its own cookies) and a list of the problems the
browser noticed: console errors, uncaught script errors and CSP violations.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import waitress
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from helpers import Account, needs_chromium

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# A form with mistakes is shown again with status 422, by design; Chromium logs that.
FORM_ERRORS_STATUS = (
    "Failed to load resource: the server responded with a status of 422"
)

# Runs in every page before its own scripts; it cannot be blocked by the page's CSP.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportCspViolation(event.violatedDirective + " blocked " + event.blockedURI);
});
"""


def _stop(server: Any, thread: threading.Thread) -> None:
    """Close the server's sockets from inside its own loop, then let it end."""

    def close_everything() -> None:
        for channel in list(server._map.values()):
            channel.close()

    server.trigger.pull_trigger(close_everything)
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()


def _note_console(message: ConsoleMessage, problems: list[str]) -> None:
    """Keep console errors, except the 422 of a form sent back with its errors."""
    if message.type != "error" or message.text.startswith(FORM_ERRORS_STATUS):
        return
    problems.append(f"console: {message.text} ({message.location.get('url')})")


@pytest.fixture(scope="module")
def live_url(app: Flask) -> Iterator[str]:
    """Serve the session's app with waitress on a free port; return its address."""
    server: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="e2e-waitress", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    _stop(server, thread)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, started once per module."""
    executable = needs_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def browser_problems() -> list[str]:
    """What the browser complained about during the test; it should stay empty."""
    return []


@pytest.fixture
def page(
    browser: Browser, live_url: str, browser_problems: list[str]
) -> Iterator[Page]:
    """A page in a fresh browser context that records console errors and CSP reports."""
    context = browser.new_context(base_url=live_url)
    context.expose_function(
        "reportCspViolation", lambda text: browser_problems.append(f"CSP: {text}")
    )
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    new_page = context.new_page()
    new_page.on("console", lambda message: _note_console(message, browser_problems))
    new_page.on("pageerror", lambda error: browser_problems.append(f"script: {error}"))
    yield new_page
    context.close()


@pytest.fixture
def sign_in(page: Page) -> Callable[[Account], Page]:
    """Sign in through the sign-in form and return the page it lands on."""

    def submit(account: Account) -> Page:
        page.goto("/auth/login")
        page.fill("#username", account.username)
        page.fill("#password", account.password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in", exact=True).click()
        return page

    return submit
