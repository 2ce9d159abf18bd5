"""Credit limits: only an ADMIN sets them, on the form and in the services; anyone
else's attempt leaves the limit as it was and is written to the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from jcicons.audit.models import AuditEvent
from jcicons.customers.services import create_customer, update_customer
from jcicons.extensions import db
from jcicons.security.capabilities import role_can


def refusals(customer_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "customer.credit_limit_refused")
            .where(AuditEvent.entity_id == str(customer_id))
        )
    )


def edit_form(**fields: str) -> dict[str, str]:
    return {
        "kind": "INDIVIDUAL",
        "name": "Ana Reyes",
        "phones-0": "0917 123 4567",
        "phones-1": "",
    } | fields


def test_only_an_admin_holds_the_right_to_set_credit_limits():
    toggles_on = {"TECH_CAN_VIEW_DETAILS": True, "SALES_CAN_EDIT_INVENTORY": True}
    roles = ("ADMIN", "SALES", "TECH")
    answers = [role_can(role, "customers.credit_limit", toggles_on) for role in roles]
    assert answers == [True, False, False]


def test_an_admin_changes_a_credit_limit_and_the_audit_shows_before_and_after(
    staff, make_customer, customer_data
):
    customer = make_customer("Ana Reyes")

    changed = update_customer(
        customer,
        customer_data("Ana Reyes", credit_limit_centavos=20_000_00),
        staff["ADMIN"],
    )

    assert changed is True
    assert customer.credit_limit_centavos == 20_000_00
    update = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "customer.update")
    ).one()
    assert update.before["credit_limit_centavos"] == 0
    assert update.after["credit_limit_centavos"] == 20_000_00


def test_a_sales_user_cannot_raise_a_limit_through_the_service(
    staff, make_customer, customer_data
):
    customer = make_customer("Ana Reyes", credit_limit_centavos=5_000_00)

    changed = update_customer(
        customer,
        customer_data(
            "Ana Reyes", address="Lahug, Cebu", credit_limit_centavos=900_000_00
        ),
        staff["SALES"],
    )

    assert changed is True  # the address still changes
    assert (customer.credit_limit_centavos, customer.address) == (
        5_000_00,
        "Lahug, Cebu",
    )
    [refused] = refusals(customer.id)
    assert refused.actor_username == staff["SALES"].username
    assert refused.after == {
        "credit_limit_centavos": 5_000_00,
        "asked_centavos": 900_000_00,
    }


def test_a_refused_limit_alone_changes_nothing_but_is_still_audited(
    staff, make_customer, customer_data
):
    customer = make_customer("Ana Reyes")

    changed = update_customer(
        customer, customer_data("Ana Reyes", credit_limit_centavos=1_00), staff["TECH"]
    )

    assert changed is False
    assert customer.credit_limit_centavos == 0
    assert len(refusals(customer.id)) == 1


def test_a_customer_created_by_sales_starts_without_credit(staff, customer_data):
    customer = create_customer(
        customer_data("Ben Santos", credit_limit_centavos=50_000_00), staff["SALES"]
    )

    assert customer.credit_limit_centavos == 0
    assert refusals(customer.id)[0].after["asked_centavos"] == 50_000_00


def test_keeping_the_same_limit_is_no_attempt_to_change_it(
    staff, make_customer, customer_data
):
    customer = make_customer("Ana Reyes", credit_limit_centavos=5_000_00)

    update_customer(
        customer,
        customer_data("Ana Reyes", credit_limit_centavos=5_000_00),
        staff["SALES"],
    )

    assert refusals(customer.id) == []


def test_the_sales_form_shows_the_limit_without_a_field_and_keeps_it(
    app, client, login_as, people
):
    customer = people.customer("Ana Reyes", credit_limit_centavos=2_500_00)
    login_as("SALES")

    form = client.get(f"/customers/{customer}/edit").text
    client.post_form(
        f"/customers/{customer}/edit",
        edit_form(address="Lahug, Cebu City", credit_limit="999,999"),
    )

    assert 'name="credit_limit"' not in form
    assert 'data-testid="credit-limit-fixed">₱2,500.00<' in form
    assert "Only an ADMIN sets credit limits." in form
    stored = people.load(customer)
    assert (stored.credit_limit_centavos, stored.address) == (
        2_500_00,
        "Lahug, Cebu City",
    )
    with app.app_context():
        assert refusals(customer) == []  # the form never asked for the change


def test_a_technician_allowed_customer_details_gets_no_limit_field(
    client, login_as, people
):
    people.toggle("TECH_CAN_VIEW_DETAILS", True)
    login_as("TECH")

    page = client.get("/customers/new")

    assert page.status_code == 200
    assert 'name="credit_limit"' not in page.text
    assert 'data-testid="credit-limit-fixed">₱0.00<' in page.text


def test_the_admin_form_sets_the_limit(client, login_as, people):
    customer = people.customer("Ana Reyes")
    login_as("ADMIN")

    form = client.get(f"/customers/{customer}/edit").text
    client.post_form(f"/customers/{customer}/edit", edit_form(credit_limit="12,000"))

    assert 'name="credit_limit"' in form
    assert people.load(customer).credit_limit_centavos == 12_000_00
