"""The customer list: one search box, paging by fifty, empty states, and a fixed
number of queries whatever the rows."""

from __future__ import annotations

import re

import pytest

from helpers import count_statements


def codes(page: str) -> list[str]:
    """Return the customer codes listed in the table, in order."""
    return re.findall(r'<td><a href="/customers/\d+">(C-\d{6})</a></td>', page)


@pytest.fixture
def book(people) -> None:
    """Three customers: a person, a business with two numbers, a government office."""
    people.customer("Ana Reyes", phones=["0917 123 4567"], email="ana@gmail.com")
    people.customer(
        "Ben Santos",
        kind="BUSINESS",
        business_name="Santos Hardware",
        phones=["0918 222 3333", "0999 555 0000"],
        email="orders@santoshw.ph",
    )
    people.customer(
        "Liza Cruz",
        kind="GOVERNMENT",
        business_name="DepEd Cebu",
        phones=["0905 777 8888"],
    )


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ana", ["C-000001"]),
        ("REYES", ["C-000001"]),
        ("santos hardware", ["C-000002"]),
        ("deped", ["C-000003"]),
        ("09171234567", ["C-000001"]),
        ("0917-123-4567", ["C-000001"]),
        ("+63 917 123 4567", ["C-000001"]),
        ("639171234567", ["C-000001"]),
        ("0999 555", ["C-000002"]),
        ("8888", ["C-000003"]),
        ("ana@gmail.com", ["C-000001"]),
        ("santoshw", ["C-000002"]),
        ("C-000002", ["C-000002"]),
        ("c-000003", ["C-000003"]),
        ("nobody like this", []),
        ("100%", []),
    ],
)
def test_one_search_box_finds_name_business_phone_email_and_code(
    client, login_as, book, search, expected
):
    login_as("SALES")

    page = client.get("/customers/", query_string={"q": search}).text

    assert codes(page) == expected


def test_the_list_is_by_name_and_shows_numbers_the_philippine_way(
    client, login_as, book
):
    login_as("SALES")

    page = client.get("/customers/").text

    assert codes(page) == ["C-000001", "C-000002", "C-000003"]
    assert "<div>0918 222 3333</div><div>0999 555 0000</div>" in page
    assert "Santos Hardware<div" in page and "Ben Santos" in page


def test_the_list_pages_by_fifty(client, login_as, people):
    people.many(60)
    login_as("SALES")

    first = client.get("/customers/").text
    second = client.get("/customers/?page=2").text

    assert len(codes(first)) == 50 and len(codes(second)) == 10
    assert "60 in all · page 1 of 2" in first
    assert codes(second)[-1] == "C-000060"


def test_a_search_keeps_its_term_across_pages(client, login_as, people):
    people.many(55)
    login_as("SALES")

    page = client.get("/customers/?q=customer").text

    assert 'href="/customers/?page=2&amp;q=customer"' in page


def test_the_list_runs_the_same_number_of_queries_for_3_or_60_customers(
    app, client, login_as, people
):
    people.many(3)
    login_as("ADMIN")
    few = count_statements(client, "/customers/")
    people.many(57)

    many = count_statements(client, "/customers/")

    assert many == few


def test_the_customer_page_runs_the_same_queries_however_much_it_shows(
    app, client, login_as, people
):
    bare = people.customer("Ana", kind="BUSINESS", business_name="A Co.")
    full = people.customer(
        "Ben",
        kind="BUSINESS",
        business_name="B Co.",
        phones=["09181112222", "09182223333", "09183334444"],
        note="First note.",
    )
    login_as("ADMIN")
    for n in range(3):
        client.post_form(f"/customers/{full}/notes", {"body": f"note {n}"})
        client.post_form(f"/customers/{full}/departments", {"name": f"Dept {n}"})

    assert count_statements(client, f"/customers/{bare}") == count_statements(
        client, f"/customers/{full}"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "No customers yet."), ("?q=zzz", "No customers match “zzz”.")],
)
def test_an_empty_list_says_why(client, login_as, query, message):
    login_as("SALES")

    page = client.get(f"/customers/{query}").text

    assert message in page
    assert 'href="/customers/new"' in page
