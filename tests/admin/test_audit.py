"""The audit trail page: search, shop-time date range, paging, detail."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from helpers import count_statements
from jcicons.audit.models import AuditEvent
from jcicons.extensions import db

# Asia/Manila is UTC+8 all year: 16:00 UTC is midnight in the shop.
MARCH_10_2359_MANILA = datetime(2026, 3, 10, 15, 59, 59, tzinfo=UTC)
MARCH_11_0000_MANILA = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)


@pytest.fixture
def add_event(app):
    """Store one audit row and return its id."""

    def add(
        created_at: datetime = MARCH_10_2359_MANILA,
        actor: str = "boss",
        action: str = "user.update",
        entity_type: str = "user",
        entity_id: str = "7",
        before: dict | None = None,
        after: dict | None = None,
    ) -> int:
        with app.app_context():
            row = AuditEvent(
                created_at=created_at,
                actor_username=actor,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                before=before,
                after=after,
            )
            db.session.add(row)
            db.session.commit()
            return row.id

    return add


def listed_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/admin/audit/(\d+)"', page)]


@pytest.mark.parametrize("role", ["SALES", "TECH"])
def test_only_admin_may_read_the_audit_trail(client, login_as, add_event, role):
    entry = add_event()
    login_as(role)

    assert client.get("/admin/audit").status_code == 403
    assert client.get(f"/admin/audit/{entry}").status_code == 403


def test_list_shows_shop_time_actor_action_and_record(client, login_as, add_event):
    login_as("ADMIN")
    add_event(
        actor="maria",
        action="settings.update",
        entity_type="settings",
        entity_id="shop",
    )

    page = client.get("/admin/audit").text

    assert "When (Asia/Manila)" in page
    assert re.search(
        r"2026-03-10 23:59:59</td>\s*<td>maria</td>\s*<td><code>settings.update</code>"
        r"</td>\s*<td>settings #shop</td>",
        page,
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor=maria", ["maria-create"]),
        ("actor=MARIA", ["maria-create"]),
        ("actor=mar", []),
        ("action=user.", ["maria-create", "boss-update"]),
        ("action=user.create", ["maria-create"]),
        ("action=update", []),
        ("action=%25", []),
        ("action=user_", []),
        ("entity_type=settings", ["boss-settings"]),
        ("entity_type=user&entity_id=12", ["boss-update"]),
        ("entity_id=1", []),
    ],
)
def test_search_by_actor_action_prefix_and_record(
    client, login_as, add_event, query, expected
):
    ids = {
        "boss-settings": add_event(
            actor="boss",
            action="settings.update",
            entity_type="settings",
            entity_id="shop",
        ),
        "maria-create": add_event(actor="maria", action="user.create", entity_id="11"),
        "boss-update": add_event(actor="boss", action="user.update", entity_id="12"),
    }
    login_as("ADMIN", username="boss")

    page = client.get(f"/admin/audit?{query}").text

    shown = set(listed_ids(page)) & set(ids.values())
    assert shown == {ids[name] for name in expected}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date_to=2026-03-10", ["last-minute"]),
        ("date_from=2026-03-11", ["next-midnight"]),
        ("date_from=2026-03-10&date_to=2026-03-10", ["last-minute"]),
        ("date_from=2026-03-11&date_to=2026-03-11", ["next-midnight"]),
        ("date_from=2026-03-10&date_to=2026-03-11", ["last-minute", "next-midnight"]),
        ("date_from=2026-03-12", []),
    ],
)
def test_date_range_is_whole_days_in_manila_time(
    client, login_as, add_event, query, expected
):
    ids = {
        "last-minute": add_event(created_at=MARCH_10_2359_MANILA),
        "next-midnight": add_event(created_at=MARCH_11_0000_MANILA),
    }
    login_as("ADMIN")

    page = client.get(f"/admin/audit?{query}").text

    shown = set(listed_ids(page)) & set(ids.values())
    assert shown == {ids[name] for name in expected}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=yesterday", "From: Not a valid date value."),
        ("date_to=2026-02-30", "To (inclusive): Not a valid date value."),
        ("date_to=9999-12-31", "To (inclusive): Choose a date between"),
        ("date_from=0001-01-01", "From: Choose a date between"),
    ],
)
def test_bad_dates_give_a_clear_message(client, login_as, add_event, query, message):
    add_event()
    login_as("ADMIN")

    response = client.get(f"/admin/audit?{query}")

    assert response.status_code == 200
    assert message in response.text
    assert "Dates look like 2026-12-31." in response.text


def test_pages_hold_50_entries_and_keep_the_search(client, login_as, add_event):
    for _ in range(55):
        add_event(action="user.update")
    add_event(action="user.create")
    login_as("ADMIN")

    first = client.get("/admin/audit?action=user.up").text
    second = client.get("/admin/audit?action=user.up&page=2").text

    assert len(listed_ids(first)) == 50
    assert len(listed_ids(second)) == 5
    assert set(listed_ids(first)).isdisjoint(listed_ids(second))
    assert "55 in all · page 1 of 2" in first
    assert 'href="/admin/audit?page=2&amp;action=user.up"' in first


def test_newest_entries_come_first(client, login_as, add_event):
    older = add_event(created_at=MARCH_10_2359_MANILA)
    newer = add_event(created_at=MARCH_11_0000_MANILA)
    login_as("ADMIN")

    assert listed_ids(client.get("/admin/audit?actor=boss").text) == [newer, older]


def test_list_issues_the_same_number_of_queries_for_few_and_many_rows(
    app, client, login_as, add_event
):
    login_as("ADMIN")
    for n in range(3):
        add_event(actor=f"user{n}", action=f"thing{n}.update")
    client.get("/admin/audit")
    few = count_statements(client, "/admin/audit")

    for n in range(60):
        add_event(actor=f"user{n}", action=f"thing{n % 7}.update")
    many = count_statements(client, "/admin/audit")

    assert few == many


def test_detail_shows_who_when_and_the_values_before_and_after(
    client, login_as, add_event
):
    entry = add_event(
        actor="maria",
        entity_id="12",
        before={"full_name": "Ana Reyes", "role": "SALES"},
        after={"full_name": "Ana Santos", "role": "TECH"},
    )
    login_as("ADMIN")

    page = client.get(f"/admin/audit/{entry}").text

    assert "<code>user.update</code> on user #12" in page
    assert "By <strong>maria</strong> at 2026-03-10 23:59:59" in page
    before, after = re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.S)
    assert '"full_name": "Ana Reyes"' in before and '"role": "SALES"' in before
    assert '"full_name": "Ana Santos"' in after and '"role": "TECH"' in after


def test_detail_escapes_recorded_values(client, login_as, add_event):
    entry = add_event(after={"full_name": "<script>alert(1)</script>"})
    login_as("ADMIN")

    page = client.get(f"/admin/audit/{entry}").text

    assert "<script>alert(1)" not in page
    assert "alert(1)" in page


def test_unknown_entry_is_a_404(client, login_as):
    login_as("ADMIN")
    assert client.get("/admin/audit/424242").status_code == 404


def test_changes_made_on_the_users_pages_appear_in_the_trail(client, login_as):
    login_as("ADMIN", username="boss")
    client.post_form(
        "/admin/users/new", {"username": "nena", "full_name": "Nena", "role": "TECH"}
    )

    page = client.get("/admin/audit?actor=boss").text

    assert re.search(r"<td>boss</td>\s*<td><code>user.create</code></td>", page)
    assert "1 in all" in page
