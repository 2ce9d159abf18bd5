"""Every route x every role, checked against the capability table.

The routes come from `app.url_map`, so a new view is covered (or flagged) the
moment it is registered. The expected answer for each role comes from
`role_can` with the toggles stored in the database at that moment.
"""

from __future__ import annotations

from html.parser import HTMLParser
from itertools import product
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_login import login_user
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from helpers import login
from jcicons.audit.models import SecurityEvent
from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.security.capabilities import (
    ACCESS_ATTRIBUTE,
    CAPABILITIES,
    PUBLIC,
    TOGGLE_DEFAULTS,
    Role,
    Toggle,
    can,
    role_can,
)
from jcicons.settings.services import get_toggles, update_settings

STATIC_ENDPOINTS = {"static", "bootstrap.static", "assets.bootstrap_stylesheet"}
CHANGING_METHODS = ("POST", "PUT", "PATCH", "DELETE")
FORBIDDEN_TEXT = "Your account does not have access to this page"
ROLES = [role.value for role in Role]
FLIPPED = {toggle.value: not default for toggle, default in TOGGLE_DEFAULTS.items()}

# DESIGN.md section 1a with the default toggles: ADMIN, SALES, TECH.
DESIGN_TABLE = {
    "dashboard.view": "yyy",
    "inventory.view": "yyy",
    "inventory.view_costs": "ynn",
    "inventory.edit": "ynn",
    "inventory.archive": "ynn",
    "pos.use": "yyn",
    "sales.view": "yyn",
    "sales.return": "yyn",
    "sales.void": "ynn",
    "customers.view": "yyn",
    "customers.merge": "ynn",
    "customers.credit_limit": "ynn",
    "repairs.create": "yyy",
    "repairs.view": "yyy",
    "repairs.view_all": "yyn",
    "repairs.view_details": "yyn",
    "repairs.work": "yny",
    "repairs.assign": "yyn",
    "repairs.take": "nny",
    "repairs.collect": "yyn",
    "repairs.manage": "ynn",
    "reports.daily": "yyn",
    "reports.view": "ynn",
    "users.manage": "ynn",
    "settings.manage": "ynn",
    "audit.view": "ynn",
}

# What switching each toggle away from its default must change, and nothing else.
TOGGLE_EFFECTS = {
    Toggle.POS_ENABLED: {("ADMIN", "pos.use"), ("SALES", "pos.use")},
    Toggle.SALES_CAN_EDIT_INVENTORY: {("SALES", "inventory.edit")},
    Toggle.TECH_CAN_VIEW_DETAILS: {
        ("TECH", "customers.view"),
        ("TECH", "repairs.view_details"),
    },
}


def unmarked_views(app: Flask) -> list[str]:
    """Return the endpoints whose view declares neither a capability nor public."""
    return sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in STATIC_ENDPOINTS
        and getattr(view, ACCESS_ATTRIBUTE, None) not in {PUBLIC, *CAPABILITIES}
    )


def routes(app: Flask) -> list[tuple[str, str, str]]:
    """Return (method, url, access) for every rule, ints filled in with 1."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC_ENDPOINTS:
            continue
        methods = rule.methods or set()
        method = (
            "GET"
            if "GET" in methods
            else next(m for m in CHANGING_METHODS if m in methods)
        )
        url = adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, 1), method)
        access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTRIBUTE)
        found.append((method, url, access))
    return found


def send(client, method: str, url: str):
    """GET the page, or send the change with a valid CSRF token."""
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": client.csrf_token()})


def signed_in(app: Flask, account):
    client = app.test_client()
    login(client, account.username, account.password)
    return client


def denials(app: Flask, username: str, url: str) -> list[SecurityEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(SecurityEvent).where(
                    SecurityEvent.event == "permission_denied",
                    SecurityEvent.username == username,
                    SecurityEvent.path == urlsplit(url).path,
                )
            )
        )


def stored_toggles(app: Flask) -> dict[Toggle, bool]:
    with app.app_context():
        return get_toggles()


def switch_toggles(app: Flask, admin_id: int, values: dict[str, bool]) -> None:
    with app.app_context():
        update_settings(values, db.session.get(User, admin_id))
        db.session.commit()


def test_every_view_declares_its_access(app):
    assert unmarked_views(app) == []


def test_a_view_without_an_access_declaration_is_reported(make_app):
    other = make_app()
    other.add_url_rule("/forgotten", "forgotten", lambda: "open to all")
    assert unmarked_views(other) == ["forgotten"]


def test_an_unknown_capability_name_counts_as_undeclared(make_app):
    other = make_app()

    def typo() -> str:
        return "typo"

    setattr(typo, ACCESS_ATTRIBUTE, "users.manaeg")
    other.add_url_rule("/typo", "typo", typo)
    assert unmarked_views(other) == ["typo"]


def test_every_admin_page_needs_a_capability_only_admins_hold(app):
    combos = [
        dict(zip(Toggle, v, strict=True)) for v in product([False, True], repeat=3)
    ]
    leaks = [
        (url, access)
        for _, url, access in routes(app)
        if url.startswith("/admin/")
        and (
            access == PUBLIC
            or any(role_can(r, access, t) for r in ("SALES", "TECH") for t in combos)
        )
    ]
    assert leaks == []


@pytest.mark.parametrize("name", sorted(DESIGN_TABLE))
def test_capability_table_matches_the_design_with_default_toggles(name):
    answers = "".join("y" if role_can(role, name, {}) else "n" for role in ROLES)
    assert answers == DESIGN_TABLE[name]


def test_the_design_table_lists_every_capability():
    assert set(DESIGN_TABLE) == set(CAPABILITIES)


def test_anonymous_visitors_are_sent_to_sign_in_except_on_public_pages(app, client):
    problems = []
    for method, url, access in routes(app):
        response = send(client, method, url)
        location = urlsplit(response.headers.get("Location", "")).path
        if access == PUBLIC:
            ok = response.status_code in {200, 302} and location in {"", "/auth/login"}
        else:
            ok = response.status_code == 302 and location == "/auth/login"
        if not ok:
            problems.append(f"{method} {url}: {response.status_code} {location}")
    assert problems == []


def allowed_problems(method: str, url: str, response) -> list[str]:
    """Return what is wrong with the answer to a role that holds the capability."""
    location = urlsplit(response.headers.get("Location", ""))
    if response.status_code == 403 or response.status_code >= 500:
        return [f"{method} {url} (allowed): {response.status_code}"]
    if location.path == "/auth/login" and "next=" in location.query:
        return [f"{method} {url} (allowed): sent to sign in"]
    return []


def denied_problems(app: Flask, username: str, method: str, url: str, response):
    """Return what is wrong with the answer to a role that lacks the capability."""
    if response.status_code != 403 or FORBIDDEN_TEXT not in response.text:
        return [f"{method} {url} (denied): {response.status_code}, not the 403 page"]
    if len(denials(app, username, url)) != 1:
        return [f"{method} {url} (denied): no permission_denied event stored"]
    return []


class _Targets(HTMLParser):
    """Collect where a page's links and forms lead: (method, path)."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a":
            target, method = values.get("href"), "GET"
        elif tag == "form":
            target, method = values.get("action"), (values.get("method") or "GET")
        else:
            return
        if target and target.startswith("/") and not target.startswith("//"):
            self.targets.append((method.upper(), urlsplit(target).path))


def offered_but_refused(app: Flask, role: str, toggles, html: str) -> list[str]:
    """Return the links and forms on a page that the role would be refused."""
    parser = _Targets()
    parser.feed(html)
    adapter = app.url_map.bind("localhost")
    refused = []
    for method, path in parser.targets:
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            continue  # a dead link is not an access question
        access = getattr(app.view_functions[endpoint], ACCESS_ATTRIBUTE, PUBLIC)
        if access != PUBLIC and not role_can(role, access, toggles):
            refused.append(f"{method} {path}")
    return refused


def test_a_page_offering_what_the_role_would_be_refused_is_reported(app):
    html = (
        '<a href="/admin/users/?q=x">Users</a><a href="/account/">Me</a>'
        '<form method="post" action="/admin/users/7/deactivate"></form>'
    )
    assert offered_but_refused(app, "SALES", {}, html) == [
        "GET /admin/users/",
        "POST /admin/users/7/deactivate",
    ]


@pytest.mark.parametrize("flip", [False, True], ids=["default-toggles", "flipped"])
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_the_capability_table_grants(
    app, make_user, role, flip
):
    make_user("TECH", username="target")  # id 1 on SQLite: the subject of /<id>/ URLs
    admin = make_user("ADMIN")
    if flip:
        switch_toggles(app, admin.id, FLIPPED)
    toggles = stored_toggles(app)
    account = make_user(role)
    reader = signed_in(app, account)
    problems = []
    # Pages first, on one session; each change gets a fresh session, as a change
    # (sign out, end other sessions) may end the one it was sent from.
    for method, url, access in sorted(routes(app), key=lambda r: r[0] != "GET"):
        client = reader if method == "GET" else signed_in(app, account)
        response = send(client, method, url)
        if access != PUBLIC and not role_can(role, access, toggles):
            problems += denied_problems(app, account.username, method, url, response)
            continue
        problems += allowed_problems(method, url, response)
        if response.mimetype == "text/html":
            refused = offered_but_refused(app, role, toggles, response.text)
            problems += [f"{url} offers {target}" for target in refused]
    assert problems == []


def test_a_denied_request_stores_the_capability_and_the_user(app, login_as, client):
    sales = login_as("SALES")
    response = client.get("/admin/settings")
    assert response.status_code == 403
    (event,) = denials(app, sales.username, "/admin/settings")
    assert event.detail == {"capability": "settings.manage"}
    assert event.user_id == sales.id


@pytest.mark.parametrize("toggle", list(Toggle))
def test_switching_a_toggle_changes_exactly_the_capabilities_it_governs(
    ctx, make_user, toggle
):
    admin = db.session.get(User, make_user("ADMIN").id)
    before = get_toggles()
    update_settings({toggle.value: not before[toggle]}, admin)
    after = get_toggles()
    changed = {
        (role, name)
        for role, name in product(ROLES, CAPABILITIES)
        if role_can(role, name, before) != role_can(role, name, after)
    }
    assert after[toggle] is not before[toggle]
    assert changed == TOGGLE_EFFECTS[toggle]


@pytest.mark.parametrize(
    ("role", "capability", "toggle", "expected"),
    [
        ("SALES", "inventory.edit", Toggle.SALES_CAN_EDIT_INVENTORY, True),
        ("TECH", "customers.view", Toggle.TECH_CAN_VIEW_DETAILS, True),
        ("TECH", "repairs.view_details", Toggle.TECH_CAN_VIEW_DETAILS, True),
        ("SALES", "pos.use", Toggle.POS_ENABLED, False),
        ("ADMIN", "pos.use", Toggle.POS_ENABLED, False),
        ("TECH", "inventory.edit", Toggle.SALES_CAN_EDIT_INVENTORY, False),
    ],
)
def test_can_answers_for_the_signed_in_user_after_a_toggle_is_switched(
    ctx, make_user, role, capability, toggle, expected
):
    admin = db.session.get(User, make_user("ADMIN").id)
    user = db.session.get(User, make_user(role).id)
    update_settings({toggle.value: not get_toggles()[toggle]}, admin)
    with ctx.test_request_context():
        login_user(user)
        assert can(capability) is expected


@pytest.mark.parametrize(
    "values", list(product([False, True], repeat=3)), ids=lambda v: str(v)
)
def test_admin_is_limited_by_no_toggle_but_the_point_of_sale(values):
    toggles = dict(zip(Toggle, values, strict=True))
    refused = {name for name in CAPABILITIES if not role_can("ADMIN", name, toggles)}
    expected = {"repairs.take"} | (
        set() if toggles[Toggle.POS_ENABLED] else {"pos.use"}
    )
    assert refused == expected


def dashboard_links(client) -> set[str]:
    parser = _Targets()
    parser.feed(client.get("/").text)
    return {path for method, path in parser.targets if method == "GET"}


@pytest.mark.parametrize("flip", [False, True], ids=["default-toggles", "flipped"])
@pytest.mark.parametrize("role", ROLES)
def test_the_navigation_offers_only_what_the_user_may_use(
    app, client, make_user, login_as, role, flip
):
    if flip:
        switch_toggles(app, make_user("ADMIN").id, FLIPPED)
    login_as(role)
    page = client.get("/").text
    assert "Dashboard" in page
    assert offered_but_refused(app, role, stored_toggles(app), page) == []


@pytest.mark.parametrize(
    ("role", "shown"), [("ADMIN", True), ("SALES", False), ("TECH", False)]
)
def test_the_admin_menu_is_shown_to_admins_only(client, login_as, role, shown):
    login_as(role)
    links = dashboard_links(client)
    admin_pages = {
        "/admin/users/",
        "/admin/settings",
        "/admin/audit",
        "/admin/security",
    }
    assert (admin_pages <= links) is shown
    assert bool(admin_pages & links) is shown
