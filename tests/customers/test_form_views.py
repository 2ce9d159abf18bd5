"""Creating and editing customers: what is saved, what is shown, what is refused,
and the warning about a mobile number someone else has."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from jcicons import clock
from jcicons.audit.models import AuditEvent
from jcicons.customers.models import Customer
from jcicons.extensions import db


def new_customer(**fields: str) -> dict[str, str]:
    return {
        "kind": "INDIVIDUAL",
        "name": "Ana Reyes",
        "phones-0": "0917 123 4567",
        "phones-1": "",
    } | fields


def customer_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Customer))


def audit_actions(app, customer_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "customer")
            .where(AuditEvent.entity_id == str(customer_id))
            .order_by(AuditEvent.id)
        )
        return [(row.actor_username, row.action) for row in rows]


def value_of(page: str, name: str) -> str | None:
    """Return the value an input shows, or None when there is no such input."""
    for tag in re.findall(r"<input [^>]*>", page):
        if f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else ""
    return None


def created_id(response) -> int:
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


# Create -------------------------------------------------------------------------------


def test_creating_a_business_customer_saves_and_shows_everything(
    app, client, login_as, people
):
    owner = login_as("ADMIN")

    response = client.post_form(
        "/customers/new",
        new_customer(
            kind="BUSINESS",
            name="Ben Santos",
            business_name="Santos Hardware",
            **{"phones-0": "+63 918 222 3333", "phones-1": "0999-555-0000"},
            email="Orders@SantosHW.ph",
            address="12 Rizal St, Cebu City",
            tin="123456789 00000",
            credit_limit="₱15,000.50",
            has_contact_consent="y",
            note="Pays by cheque.",
        ),
    )
    customer_id = created_id(response)
    page = client.get(f"/customers/{customer_id}").text

    assert "Santos Hardware" in page and "C-000001" in page
    assert "<div>0918 222 3333</div><div>0999 555 0000</div>" in page
    assert 'data-testid="tin">123-456-789-00000<' in page
    assert 'data-testid="credit-limit">₱15,000.50<' in page
    assert "Orders@santoshw.ph" in page and "Pays by cheque." in page
    assert re.search(r'data-testid="consent">\s*Yes, since 20\d\d-', page)
    assert people.load(customer_id).credit_limit_centavos == 15_000_50
    assert audit_actions(app, customer_id) == [(owner.username, "customer.create")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter the customer&#39;s name."),
        ({"phones-0": ""}, "Enter at least one mobile number"),
        ({"phones-0": "(02) 8123 4567"}, "(02) 8123 4567 is a landline"),
        ({"phones-1": "0917 12"}, "is not a complete Philippine mobile number"),
        ({"phones-0": "call me"}, "Enter a mobile number in digits"),
        ({"email": "ana@"}, "That e-mail address is not valid"),
        ({"tin": "12-34-56"}, "A TIN is 9 digits, 000-000-000"),
        ({"credit_limit": "-100"}, "The amount cannot be negative."),
        ({"credit_limit": "1,25"}, "Use commas only between thousands"),
        ({"credit_limit": "lots"}, "at most two decimals"),
        ({"kind": "BUSINESS"}, "Enter the name of the business or government office."),
    ],
)
def test_a_bad_field_is_named_and_everything_typed_is_kept(
    app, client, login_as, fields, message
):
    login_as("ADMIN")
    typed = new_customer(address="Lahug, Cebu City", email="ana@example.com") | fields

    response = client.post_form("/customers/new", typed)

    assert response.status_code == 422
    assert message in response.text
    assert "Lahug, Cebu City</textarea>" in response.text
    for name in ("name", "phones-0", "phones-1", "email", "tin", "credit_limit"):
        assert value_of(response.text, name) == typed.get(name, "")
    assert customer_count(app) == 0


def test_every_bad_field_is_named_in_one_go(client, login_as):
    login_as("ADMIN")

    response = client.post_form(
        "/customers/new",
        new_customer(credit_limit="lots", email="nope", **{"phones-0": "12"}),
    )

    assert response.status_code == 422
    assert "at most two decimals" in response.text
    assert "That e-mail address is not valid" in response.text
    assert "is not a complete Philippine mobile number" in response.text


# A number someone else has ----------------------------------------------------------


def test_a_number_already_on_file_is_flagged_with_its_owner_and_nothing_is_saved(
    app, client, login_as, people
):
    ana = people.customer("Ana Reyes", phones=["0917 123 4567"])
    login_as("SALES")

    response = client.post_form(
        "/customers/new", new_customer(name="Ben Reyes", **{"phones-0": "09171234567"})
    )

    assert response.status_code == 409
    assert "This mobile number already belongs to another customer." in response.text
    assert f'href="/customers/{ana}"' in response.text
    assert "Ana Reyes (C-000001)" in response.text
    assert ">Save anyway</button>" in response.text
    assert 'value="Ben Reyes"' in response.text
    assert customer_count(app) == 1


def test_saving_again_after_the_warning_shares_the_number_deliberately(
    app, client, login_as, people
):
    people.customer("Ana Reyes", phones=["0917 123 4567"])
    login_as("SALES")
    typed = new_customer(name="Ben Reyes", **{"phones-0": "0917-123-4567"})
    warning = client.post_form("/customers/new", typed).text
    confirmed = value_of(warning, "shared_ok")

    response = client.post_form("/customers/new", typed | {"shared_ok": confirmed})

    assert confirmed == "+639171234567"
    assert people.load(created_id(response)).phones[0].number == "+639171234567"
    assert customer_count(app) == 2


# Edit ---------------------------------------------------------------------------------


def test_the_edit_form_shows_what_is_on_file(client, login_as, people):
    customer = people.customer(
        phones=["09171234567"], credit_limit_centavos=2_500_00, tin="123456789"
    )
    login_as("ADMIN")

    form = client.get(f"/customers/{customer}/edit").text

    assert value_of(form, "phones-0") == "0917 123 4567"
    assert value_of(form, "phones-1") == ""
    assert value_of(form, "credit_limit") == "2,500.00"
    assert value_of(form, "tin") == "123-456-789"
    assert 'name="note"' not in form


def test_editing_saves_the_change_and_audits_it(app, client, login_as, people):
    customer = people.customer(phones=["09171234567"])
    sales = login_as("SALES")

    client.post_form(
        f"/customers/{customer}/edit",
        new_customer(**{"phones-0": "", "phones-1": "0918 765 4321"}),
    )

    assert [p.number for p in people.load(customer).phones] == ["+639187654321"]
    assert audit_actions(app, customer)[-1] == (sales.username, "customer.update")


def test_withdrawn_consent_shows_when_it_was_withdrawn(client, login_as, people):
    customer = people.customer(has_contact_consent=True)
    login_as("SALES")
    clock.set_frozen(datetime(2026, 6, 30, 17, 15, tzinfo=UTC))  # 01:15 in Manila

    client.post_form(f"/customers/{customer}/edit", new_customer())
    page = client.get(f"/customers/{customer}").text

    assert re.search(r"No: withdrawn on 2026-07-01 01:15", page)


def test_saving_an_unchanged_form_says_so(client, login_as, people):
    customer = people.customer("Ana Reyes", phones=["09171234567"])
    login_as("SALES")

    response = client.post_form(
        f"/customers/{customer}/edit", new_customer(), follow_redirects=True
    )

    assert "Nothing changed." in response.text


# Notes and departments ----------------------------------------------------------------


def test_notes_show_newest_first_with_author(client, login_as, people):
    customer = people.customer()
    sales = login_as("SALES")

    client.post_form(f"/customers/{customer}/notes", {"body": "Called about RAM."})
    client.post_form(f"/customers/{customer}/notes", {"body": "Bought RAM."})
    page = client.get(f"/customers/{customer}").text

    assert page.index("Bought RAM.") < page.index("Called about RAM.")
    assert f"· {sales.username}</div>" in page


def test_an_empty_note_is_refused(client, login_as, people):
    customer = people.customer()
    login_as("SALES")

    response = client.post_form(f"/customers/{customer}/notes", {"body": "  "})

    assert response.status_code == 422
    assert "Write the note first." in response.text


def test_a_business_gets_departments_and_can_remove_one(client, login_as, people):
    office = people.customer("Liza", kind="GOVERNMENT", business_name="DepEd Cebu")
    login_as("SALES")

    client.post_form(
        f"/customers/{office}/departments",
        {"name": "Accounting", "contact_name": "Mia"},
    )
    page = client.get(f"/customers/{office}").text
    remove = re.search(r'action="(/customers/\d+/departments/\d+/remove)"', page)
    client.post_form(remove.group(1))

    assert "<td>Accounting</td><td>Mia</td>" in page
    assert "<td>Accounting</td>" not in client.get(f"/customers/{office}").text


def test_a_person_has_no_departments_section(client, login_as, people):
    customer = people.customer()
    login_as("SALES")

    page = client.get(f"/customers/{customer}").text
    refused = client.post_form(
        f"/customers/{customer}/departments",
        {"name": "Accounting"},
        follow_redirects=True,
    )

    assert "Departments and branches" not in page
    assert "Only businesses and government offices have departments." in refused.text
    assert "<td>Accounting</td>" not in refused.text


def test_a_missing_customer_is_a_404(client, login_as):
    login_as("SALES")

    assert client.get("/customers/999999").status_code == 404
