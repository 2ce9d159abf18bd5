"""Customer rules: checking input, shared numbers, editing, quick-create, merging."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from jcicons import clock
from jcicons.audit.models import AuditEvent
from jcicons.customers.checks import (
    CustomerInvalid,
    normalise_tin,
    parse_credit_limit,
)
from jcicons.customers.models import Customer, CustomerNote
from jcicons.customers.queries import search_customers, visible_customers
from jcicons.customers.services import (
    CreditLimitExceeded,
    PhoneInUse,
    add_customer_note,
    add_department,
    check_credit,
    create_customer,
    merge_customers,
    quick_create_customer,
    remove_department,
    resolve_customer,
    update_customer,
)
from jcicons.exceptions import DomainError, NotFound, PermissionDenied
from jcicons.extensions import db


def audit_rows(entity_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "customer")
            .where(AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
    )


def live_codes(user) -> list[str]:
    return [c.code for c in db.session.scalars(visible_customers(user))]


# Input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("123-456-789", "123-456-789"),
        ("123456789", "123-456-789"),
        ("123 456 789 001", "123-456-789-001"),
        ("123-456-789-000", "123-456-789-000"),
        ("123-456-789-00000", "123-456-789-00000"),
        ("12345678900000", "123-456-789-00000"),
        ("", ""),
    ],
)
def test_a_tin_is_stored_in_its_dashed_shape(typed, stored):
    assert normalise_tin(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["12-345-6789", "123-456-78", "ABC-456-789", "123-456-789-0000", "123-456-789-"],
)
def test_a_tin_of_any_other_shape_is_refused(typed):
    with pytest.raises(DomainError, match="A TIN is 9 digits, 000-000-000"):
        normalise_tin(typed)


@pytest.mark.parametrize(
    ("typed", "centavos"),
    [("5,000", 5_000_00), ("₱2,500.50", 2_500_50), ("750.5", 750_50), ("", 0)],
)
def test_a_credit_limit_is_parsed_from_pesos_to_centavos(typed, centavos):
    assert parse_credit_limit(typed) == centavos


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-500", "cannot be negative"),
        ("1,25", "Use commas only between thousands"),
        ("five thousand", "at most two decimals"),
        ("10.005", "at most two decimals"),
    ],
)
def test_a_bad_credit_limit_is_refused_with_the_reason(typed, message):
    with pytest.raises(DomainError, match=message) as refused:
        parse_credit_limit(typed)
    assert refused.value.field == "credit_limit"


def test_every_problem_is_named_at_once_and_nothing_is_saved(admin, customer_data):
    data = customer_data(
        "  ",
        kind="BUSINESS",
        phones=["", "(02) 8123 4567"],
        email="not-an-address",
        tin="12-34",
        note="x" * 2001,
    )

    with pytest.raises(CustomerInvalid) as refused:
        create_customer(data, admin)

    assert set(refused.value.errors) == {
        "name",
        "business_name",
        "phones-1",
        "email",
        "tin",
        "note",
    }
    assert "landline" in refused.value.errors["phones-1"]
    assert db.session.scalar(select(Customer.id)) is None


def test_a_customer_needs_at_least_one_mobile_number(admin, customer_data):
    with pytest.raises(CustomerInvalid) as refused:
        create_customer(customer_data(phones=["", ""]), admin)

    assert "at least one mobile number" in refused.value.errors["phones-0"]


# Create -------------------------------------------------------------------------------


def test_creating_numbers_customers_and_normalises_what_was_typed(admin, customer_data):
    first = create_customer(customer_data("Ana Reyes"), admin)
    second = create_customer(
        customer_data(
            "  Ben   Santos ",
            kind="BUSINESS",
            business_name="Santos Hardware",
            phones=["0918-222-3333", "+63 918 222 3333", "639995550000"],
            email="Ben@Example.COM",
            tin="123456789",
            credit_limit_centavos=5_000_00,
            has_contact_consent=True,
            note="Pays by cheque.",
        ),
        admin,
    )

    assert (first.code, second.code) == ("C-000001", "C-000002")
    assert second.name == "Ben Santos"
    assert [p.number for p in second.phones] == ["+639182223333", "+639995550000"]
    assert second.email == "Ben@example.com"
    assert second.tin == "123-456-789"
    assert second.contact_consent_at is not None
    assert [n.body for n in db.session.scalars(select(CustomerNote))] == [
        "Pays by cheque."
    ]


def test_creating_writes_an_audit_row_with_what_was_saved(admin, customer_data):
    customer = create_customer(customer_data(email="ana@example.com"), admin)

    (row,) = audit_rows(customer.id)

    assert (row.action, row.actor_username) == ("customer.create", admin.username)
    assert row.after["code"] == "C-000001"
    assert row.after["phones"] == ["+639171234567"]


# Shared mobile numbers ----------------------------------------------------------------


def test_a_number_another_customer_has_is_refused_until_confirmed(admin, customer_data):
    owner = create_customer(customer_data("Ana Reyes"), admin)

    with pytest.raises(PhoneInUse) as warned:
        create_customer(customer_data("Ben Reyes", phones=["0917-123-4567"]), admin)
    shared = create_customer(
        customer_data("Ben Reyes", phones=["0917-123-4567"]),
        admin,
        shared_ok={"+639171234567"},
    )

    assert [(o.number, o.customer) for o in warned.value.owners] == [
        ("+639171234567", owner)
    ]
    assert shared.phones[0].number == owner.phones[0].number


def test_confirming_one_shared_number_does_not_let_another_through(
    admin, make_customer, customer_data
):
    make_customer("Ana", phones=["09171234567"])
    make_customer("Ben", phones=["09181234567"])
    data = customer_data("Cara", phones=["09171234567", "09181234567"])

    with pytest.raises(PhoneInUse) as warned:
        create_customer(data, admin, shared_ok={"+639171234567"})

    assert warned.value.numbers == ["+639181234567"]


def test_a_customer_never_shares_a_number_with_themselves(
    admin, make_customer, customer_data
):
    customer = make_customer()

    changed = update_customer(
        customer, customer_data(phones=["0917 123 4567"], address="Cebu"), admin
    )

    assert changed is True
    assert customer.address == "Cebu"


def test_a_tech_is_warned_without_being_told_who_has_the_number(
    make_customer, staff, customer_data
):
    make_customer("Ana Reyes")
    tech = staff["TECH"]

    with pytest.raises(PhoneInUse) as warned:
        create_customer(customer_data("Ben"), tech)

    assert [(o.number, o.customer) for o in warned.value.owners] == [
        ("+639171234567", None)
    ]


# Edit ---------------------------------------------------------------------------------


def test_editing_replaces_numbers_and_audits_before_and_after(
    admin, make_customer, customer_data
):
    customer = make_customer(phones=["09171234567", "09181234567"])

    update_customer(
        customer, customer_data(phones=["09181234567", "09991112222"]), admin
    )

    assert [p.number for p in customer.phones] == ["+639181234567", "+639991112222"]
    row = audit_rows(customer.id)[-1]
    assert row.action == "customer.update"
    assert row.before["phones"] == ["+639171234567", "+639181234567"]
    assert row.after["phones"] == ["+639181234567", "+639991112222"]


def test_saving_without_a_change_writes_no_audit_row(
    admin, make_customer, customer_data
):
    customer = make_customer()

    changed = update_customer(customer, customer_data(), admin)

    assert changed is False
    assert [r.action for r in audit_rows(customer.id)] == ["customer.create"]


def test_consent_keeps_the_time_it_was_given_and_withdrawn(
    admin, make_customer, customer_data
):
    given = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    withdrawn = datetime(2026, 5, 9, 7, 30, tzinfo=UTC)
    customer = make_customer()
    clock.set_frozen(given)
    update_customer(customer, customer_data(has_contact_consent=True), admin)
    clock.set_frozen(withdrawn)
    update_customer(customer, customer_data(has_contact_consent=True), admin)
    assert customer.contact_consent_at == given

    update_customer(customer, customer_data(has_contact_consent=False), admin)

    assert customer.has_contact_consent is False
    assert customer.contact_consent_at == withdrawn


# Quick-create -------------------------------------------------------------------------


def test_quick_create_makes_a_customer_from_a_name_and_a_number(admin):
    result = quick_create_customer("Ana Reyes", "0917-123-4567", admin)

    assert result.existing is False
    assert (result.customer.code, result.customer.name) == ("C-000001", "Ana Reyes")
    assert audit_rows(result.customer.id)[0].action == "customer.create"


def test_quick_create_returns_whoever_already_has_the_number(admin, make_customer):
    ana = make_customer("Ana Reyes")

    result = quick_create_customer("Someone else", "+63 917 123 4567", admin)

    assert (result.customer, result.existing) == (ana, True)
    assert len(live_codes(admin)) == 1


@pytest.mark.parametrize(
    ("name", "mobile", "field"),
    [("Ana", "(02) 8123 4567", "mobile"), ("", "09171234567", "name")],
)
def test_quick_create_names_the_bad_field(admin, name, mobile, field):
    with pytest.raises(CustomerInvalid) as refused:
        quick_create_customer(name, mobile, admin)

    assert list(refused.value.errors) == [field]


def test_a_tech_cannot_quick_create_onto_a_number_they_may_not_see(
    make_customer, staff
):
    make_customer("Ana Reyes")

    with pytest.raises(PhoneInUse):
        quick_create_customer("Ana", "09171234567", staff["TECH"])


# Who sees whom ------------------------------------------------------------------------


def test_a_tech_sees_no_customers_until_repairs_are_assigned(
    admin, make_customer, staff
):
    customer = make_customer()
    tech = staff["TECH"]

    assert live_codes(tech) == []
    assert search_customers(tech, "Juan") == []
    with pytest.raises(NotFound):
        resolve_customer(customer.id, tech)
    assert live_codes(admin) == ["C-000001"]


# Notes and departments ----------------------------------------------------------------


def test_notes_are_kept_with_their_author_and_audited(admin, make_customer):
    customer = make_customer()

    note = add_customer_note(customer, "  Prefers GCash.  ", admin)

    assert (note.body, note.author_id) == ("Prefers GCash.", admin.id)
    assert audit_rows(customer.id)[-1].action == "customer.note"


def test_departments_belong_to_businesses_and_government_only(admin, make_customer):
    person = make_customer()

    with pytest.raises(DomainError, match="Only businesses and government offices"):
        add_department(person, "Accounting", "", admin)


def test_a_department_name_is_used_once_and_removing_keeps_the_row(
    admin, make_customer
):
    office = make_customer("Maria Cruz", kind="GOVERNMENT", business_name="DepEd")
    accounting = add_department(office, "Accounting", "Liza", admin)

    with pytest.raises(DomainError, match="already has accounting"):
        add_department(office, "accounting", "", admin)
    remove_department(accounting, admin)

    assert accounting.is_archived is True
    assert [r.action for r in audit_rows(office.id)][-2:] == [
        "customer.department_add",
        "customer.department_remove",
    ]
    assert add_department(office, "Accounting", "", admin).id != accounting.id


# Merging ------------------------------------------------------------------------------


@pytest.fixture
def duplicates(admin, make_customer):
    kept = make_customer(
        "Juan Dela Cruz",
        kind="BUSINESS",
        business_name="JDC Trading",
        phones=["09171234567"],
    )
    merged = make_customer(
        "Juan dela Cruz",
        kind="BUSINESS",
        business_name="JDC Trading Inc.",
        phones=["09171234567", "09187654321"],
        email="juan@example.com",
        tin="123-456-789-00000",
        note="Old record from 2024.",
    )
    add_department(kept, "Main branch", "", admin)
    add_department(merged, "Main branch", "", admin)
    add_department(merged, "Cebu branch", "Rico", admin)
    return kept, merged


def test_merging_moves_numbers_departments_and_notes_to_the_kept_customer(
    admin, duplicates
):
    kept, merged = duplicates

    summary = merge_customers(kept, merged, admin)

    assert summary.numbers == ["+639187654321"]
    assert summary.departments == ["Cebu branch"]
    assert [p.number for p in kept.phones] == ["+639171234567", "+639187654321"]
    assert sorted(d.name for d in kept.departments) == ["Cebu branch", "Main branch"]
    notes = db.session.scalars(
        select(CustomerNote.body).where(CustomerNote.customer_id == kept.id)
    ).all()
    assert "Old record from 2024." in notes
    assert "C-000002 (JDC Trading Inc.) was merged into this customer." in notes


def test_merging_fills_what_the_kept_customer_lacks_and_keeps_the_rest(
    admin, duplicates
):
    kept, merged = duplicates

    summary = merge_customers(kept, merged, admin)

    assert summary.filled == ["email", "tin"]
    assert (kept.business_name, kept.email, kept.tin) == (
        "JDC Trading",
        "juan@example.com",
        "123-456-789-00000",
    )


def test_a_merged_customer_is_hidden_never_deleted_and_audited(admin, duplicates):
    kept, merged = duplicates

    merge_customers(kept, merged, admin)

    assert db.session.get(Customer, merged.id).merged_into_id == kept.id
    assert merged.merged_at is not None
    assert live_codes(admin) == ["C-000001"]
    assert search_customers(admin, "0918 765 4321") == [kept]
    assert audit_rows(kept.id)[-1].after["merged"] == "C-000002"
    assert audit_rows(merged.id)[-1].action == "customer.merged_into"


def test_a_sale_naming_a_merged_customer_lands_on_the_kept_one(admin, duplicates):
    kept, merged = duplicates
    merge_customers(kept, merged, admin)

    assert resolve_customer(merged.id, admin) == kept


@pytest.mark.parametrize("role", ["SALES", "TECH"])
def test_only_an_admin_may_merge(duplicates, staff, role):
    kept, merged = duplicates

    with pytest.raises(PermissionDenied):
        merge_customers(kept, merged, staff[role])

    assert merged.merged_into_id is None


def test_a_customer_cannot_be_merged_twice_or_into_itself(
    admin, duplicates, make_customer
):
    kept, merged = duplicates
    merge_customers(kept, merged, admin)

    with pytest.raises(DomainError, match="already been merged"):
        merge_customers(make_customer("Other"), merged, admin)
    with pytest.raises(DomainError, match="different customer"):
        merge_customers(kept, kept, admin)


# Credit -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "charge", "allowed"),
    [(0, 5_000_00, True), (3_000_00, 2_000_00, True), (3_000_00, 2_000_01, False)],
)
def test_a_charge_on_account_must_stay_within_the_credit_limit(
    make_customer, balance, charge, allowed
):
    customer = make_customer(credit_limit_centavos=5_000_00)

    if allowed:
        check_credit(customer, balance, charge)
    else:
        with pytest.raises(CreditLimitExceeded, match=r"₱2,000\.00 of credit is left"):
            check_credit(customer, balance, charge)
