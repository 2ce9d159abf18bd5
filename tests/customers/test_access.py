"""Who reaches the customer screens: the capability per role and toggle, and the
TECH rule enforced in the queries (lists, searches and pages), not the templates."""

from __future__ import annotations

import pytest

TOGGLE = "TECH_CAN_VIEW_DETAILS"


@pytest.mark.parametrize(
    ("role", "toggle", "status"),
    [
        ("ADMIN", False, 200),
        ("SALES", False, 200),
        ("TECH", False, 403),
        ("ADMIN", True, 200),
        ("SALES", True, 200),
        ("TECH", True, 200),
    ],
)
def test_the_customer_screens_open_to_holders_of_customers_view(
    client, login_as, people, role, toggle, status
):
    customer = people.customer()
    people.toggle(TOGGLE, toggle)
    login_as(role)

    responses = [
        client.get("/customers/"),
        client.get("/customers/new"),
        client.get("/customers/search?q=juan"),
    ]

    assert [r.status_code for r in responses] == [status] * 3
    if status == 403:
        assert client.get(f"/customers/{customer}").status_code == 403


@pytest.mark.parametrize(
    ("role", "toggle", "shown"),
    [
        ("ADMIN", False, True),
        ("SALES", False, True),
        ("TECH", False, False),
        ("TECH", True, True),
    ],
)
def test_the_navigation_offers_customers_to_those_who_may_open_them(
    client, login_as, people, role, toggle, shown
):
    people.toggle(TOGGLE, toggle)
    login_as(role)

    page = client.get("/").text

    assert ('href="/customers/"' in page) is shown


@pytest.fixture
def tech_with_toggle(client, login_as, people) -> int:
    """A customer exists; a TECH with the toggle on is signed in."""
    customer = people.customer("Ana Reyes", email="ana@example.com")
    people.toggle(TOGGLE, True)
    login_as("TECH")
    return customer


def test_a_tech_lists_no_customers_while_no_repair_is_assigned_to_them(
    client, tech_with_toggle
):
    page = client.get("/customers/?q=").text

    assert "C-000001" not in page and "Ana Reyes" not in page
    assert "No customers yet." in page


@pytest.mark.parametrize("term", ["ana", "0917 123 4567", "C-000001", "ana@example"])
def test_a_tech_finds_nobody_in_the_search_box_or_the_picker(
    client, tech_with_toggle, term
):
    page = client.get("/customers/", query_string={"q": term}).text
    found = client.get("/customers/search", query_string={"q": term}).json

    assert "Ana Reyes" not in page
    assert found == {"customers": []}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ""),
        ("GET", "/edit"),
        ("POST", "/edit"),
        ("POST", "/notes"),
        ("POST", "/departments"),
    ],
)
def test_a_tech_gets_404_for_a_customer_of_no_repair_of_theirs(
    client, tech_with_toggle, method, path
):
    url = f"/customers/{tech_with_toggle}{path}"

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post_form(url, {"body": "hello", "name": "Ana"})

    assert response.status_code == 404
    assert "Ana Reyes" not in response.text


def test_a_tech_quick_creating_onto_a_number_they_may_not_see_learns_no_name(
    client, tech_with_toggle
):
    response = client.post_json(
        "/customers/quick", {"name": "Ana", "mobile": "0917 123 4567"}
    )

    assert response.status_code == 409
    assert "already belongs to another customer" in response.json["error"]
    assert "Ana Reyes" not in response.text and "C-000001" not in response.text


@pytest.mark.parametrize(("role", "status"), [("ADMIN", 200), ("SALES", 403)])
def test_only_an_admin_reaches_the_merge_page(client, login_as, people, role, status):
    customer = people.customer()
    login_as(role)

    merge_page = client.get(f"/customers/{customer}/merge")
    detail = client.get(f"/customers/{customer}").text

    assert merge_page.status_code == status
    assert (f'href="/customers/{customer}/merge"' in detail) is (status == 200)
