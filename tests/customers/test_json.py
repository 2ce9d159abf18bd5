"""The JSON the point of sale and repair intake use: customer search for pickers,
and quick-create from a name and a mobile number."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jcicons.customers.models import Customer
from jcicons.extensions import db

FIELDS = {
    "id",
    "code",
    "kind",
    "name",
    "business_name",
    "display_name",
    "mobile",
    "mobiles",
    "email",
    "url",
}


def customer_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Customer))


def test_search_describes_each_customer(client, login_as, people):
    ana = people.customer(
        "Ana Reyes", phones=["09171234567", "09181234567"], email="ana@example.com"
    )
    login_as("SALES")

    found = client.get("/customers/search?q=0917-123").json["customers"]

    assert found == [
        {
            "id": ana,
            "code": "C-000001",
            "kind": "INDIVIDUAL",
            "name": "Ana Reyes",
            "business_name": "",
            "display_name": "Ana Reyes",
            "mobile": "0917 123 4567",
            "mobiles": ["0917 123 4567", "0918 123 4567"],
            "email": "ana@example.com",
            "url": f"/customers/{ana}",
        }
    ]


def test_search_returns_at_most_ten(client, login_as, people):
    people.many(12)
    login_as("SALES")

    found = client.get("/customers/search?q=customer").json["customers"]

    assert [c["code"] for c in found] == [f"C-{n:06d}" for n in range(1, 11)]


@pytest.mark.parametrize("term", ["", "   ", "zz"])
def test_search_without_a_match_returns_an_empty_list(client, login_as, people, term):
    people.customer()
    login_as("SALES")

    assert client.get("/customers/search", query_string={"q": term}).json == {
        "customers": []
    }


def test_quick_create_makes_a_customer_and_answers_201(app, client, login_as):
    login_as("SALES")

    response = client.post_json(
        "/customers/quick", {"name": "  Ana Reyes ", "mobile": "+63 917 123 4567"}
    )

    assert response.status_code == 201
    assert response.json["existing"] is False
    assert set(response.json["customer"]) == FIELDS
    assert response.json["customer"]["code"] == "C-000001"
    assert response.json["customer"]["name"] == "Ana Reyes"
    assert response.json["customer"]["mobile"] == "0917 123 4567"
    assert customer_count(app) == 1


def test_quick_create_returns_the_customer_who_has_the_number(
    app, client, login_as, people
):
    ana = people.customer("Ana Reyes", phones=["09171234567"])
    login_as("SALES")

    response = client.post_json(
        "/customers/quick", {"name": "Ana R.", "mobile": "0917-123-4567"}
    )

    assert response.status_code == 200
    assert response.json["existing"] is True
    assert (response.json["customer"]["id"], response.json["customer"]["name"]) == (
        ana,
        "Ana Reyes",
    )
    assert customer_count(app) == 1


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"name": "Ana", "mobile": "(02) 8123 4567"}, "mobile", "is a landline"),
        ({"name": "Ana", "mobile": ""}, "mobile", "Enter a mobile number"),
        ({"name": "", "mobile": "09171234567"}, "name", "Enter the customer's name."),
        ({"name": "Ana"}, "mobile", "Enter a mobile number"),
    ],
)
def test_quick_create_names_the_bad_field(
    app, client, login_as, payload, field, message
):
    login_as("SALES")

    response = client.post_json("/customers/quick", payload)

    assert response.status_code == 422
    assert message in response.json["errors"][field]
    assert customer_count(app) == 0


def test_quick_create_wants_json(client, login_as):
    login_as("SALES")

    response = client.post_form("/customers/quick", {"name": "Ana"})

    assert response.status_code == 400
    assert "Send JSON" in response.json["error"]


def test_quick_create_without_the_csrf_header_is_refused(app, client, login_as):
    login_as("SALES")

    response = client.post(
        "/customers/quick", json={"name": "Ana", "mobile": "09171234567"}
    )

    assert response.status_code == 400
    assert customer_count(app) == 0
