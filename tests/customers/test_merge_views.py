"""Merging duplicates from the screens: compare, confirm, merge; the merged
customer disappears from lists and its old address leads to the kept one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jcicons.audit.models import AuditEvent
from jcicons.extensions import db


@pytest.fixture
def pair(people) -> tuple[int, int]:
    """Two records of one person: the same number typed two ways."""
    kept = people.customer("Juan Dela Cruz", phones=["0917 123 4567"])
    duplicate = people.customer(
        "Juan dela Cruz",
        phones=["+63 917 123 4567", "0918 765 4321"],
        email="juan@example.com",
        note="Left a laptop charger.",
    )
    return kept, duplicate


def test_the_merge_page_suggests_customers_with_the_same_number_or_name(
    client, login_as, people, pair
):
    kept, _ = pair
    people.customer("Someone Else", phones=["0999 000 1111"])
    login_as("ADMIN")

    page = client.get(f"/customers/{kept}/merge").text

    assert "C-000002 · Juan dela Cruz" in page
    assert "Someone Else" not in page
    assert f'href="/customers/{kept}/merge?duplicate=C-000002"' in page


def test_choosing_a_duplicate_shows_both_side_by_side_before_anything_changes(
    client, login_as, people, pair
):
    kept, duplicate = pair
    login_as("ADMIN")

    page = client.get(f"/customers/{kept}/merge?duplicate=c-000002").text

    assert 'data-testid="merge-preview"' in page
    assert "0918 765 4321" in page and "juan@example.com" in page
    assert "Merge C-000002 into C-000001" in page
    assert people.load(duplicate).merged_into_id is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [("C-999999", "No customer has the code C-999999."), ("C-000001", "That is this")],
)
def test_a_wrong_code_is_explained(client, login_as, pair, code, problem):
    kept, _ = pair
    login_as("ADMIN")

    page = client.get(f"/customers/{kept}/merge?duplicate={code}").text

    assert problem in page
    assert 'data-testid="merge-preview"' not in page


def test_merging_needs_the_box_ticked(client, login_as, people, pair):
    kept, duplicate = pair
    login_as("ADMIN")

    response = client.post_form(
        f"/customers/{kept}/merge", {"duplicate_id": str(duplicate)}
    )

    assert response.status_code == 422
    assert "Tick the box to confirm the merge." in response.text
    assert people.load(duplicate).merged_into_id is None


def test_a_confirmed_merge_moves_everything_and_hides_the_duplicate(
    app, client, login_as, people, pair
):
    kept, duplicate = pair
    admin = login_as("ADMIN")

    done = client.post_form(
        f"/customers/{kept}/merge",
        {"duplicate_id": str(duplicate), "confirm": "y"},
        follow_redirects=True,
    )
    listed = client.get("/customers/").text

    assert "C-000002 is merged into C-000001: 1 number(s)" in done.text
    assert "0918 765 4321" in done.text and "Left a laptop charger." in done.text
    assert re.findall(r">(C-\d{6})</a></td>", listed) == ["C-000001"]
    assert people.load(duplicate).merged_into_id == kept
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_username == admin.username)
        ).all()
    assert set(actions) == {"customer.merge", "customer.merged_into"}


def test_the_old_address_of_a_merged_customer_leads_to_the_kept_one(
    client, login_as, pair
):
    kept, duplicate = pair
    login_as("ADMIN")
    client.post_form(
        f"/customers/{kept}/merge", {"duplicate_id": str(duplicate), "confirm": "y"}
    )

    response = client.get(f"/customers/{duplicate}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/customers/{kept}")
    assert client.get(f"/customers/{duplicate}/edit").status_code == 404


def test_a_sales_user_cannot_merge_by_posting_directly(client, login_as, people, pair):
    kept, duplicate = pair
    login_as("SALES")

    response = client.post_form(
        f"/customers/{kept}/merge", {"duplicate_id": str(duplicate), "confirm": "y"}
    )

    assert response.status_code == 403
    assert people.load(duplicate).merged_into_id is None
