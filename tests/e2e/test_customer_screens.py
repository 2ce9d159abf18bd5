"""In Chromium: the customer screens load under the CSP, and a shared mobile
number is saved only after the warning and a second, deliberate press."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jcicons.auth.models import User
from jcicons.customers.checks import CustomerData
from jcicons.customers.services import create_customer
from jcicons.extensions import db

pytestmark = pytest.mark.e2e


@pytest.fixture
def ana(app, make_user, sign_in) -> int:
    """A business customer on file, and an ADMIN signed in."""
    account = make_user("ADMIN", full_name="Maria Santos")
    with app.app_context():
        owner = db.session.get(User, account.id)
        data = CustomerData(
            "Ana Reyes",
            ["0917 123 4567"],
            kind="BUSINESS",
            business_name="Reyes Printing",
        )
        customer_id = create_customer(data, owner).id
        db.session.commit()
    sign_in(account)
    return customer_id


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/customers/", "Customers"),
        ("/customers/new", "New customer"),
        ("/customers/{id}", "Reyes Printing"),
        ("/customers/{id}/edit", "Edit C-000001"),
        ("/customers/{id}/merge", "Merge a duplicate into C-000001"),
    ],
)
def test_customer_page_loads_without_console_errors_or_csp_violations(
    page, ana, browser_problems, path, heading
):
    page.goto(path.format(id=ana))

    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert browser_problems == []


def test_a_shared_number_is_saved_after_the_warning_and_save_anyway(
    page, ana, browser_problems
):
    page.goto("/customers/new")
    page.fill("#name", "Ben Reyes")
    page.fill("#phones-0", "0917-123-4567")
    page.get_by_test_id("save").click()

    expect(page.get_by_test_id("shared-warning")).to_contain_text(
        "Reyes Printing (C-000001)"
    )
    page.get_by_role("button", name="Save anyway").click()

    expect(page.get_by_test_id("customer-name")).to_have_text("Ben Reyes")
    expect(page.get_by_test_id("mobiles")).to_contain_text("0917 123 4567")
    assert [p for p in browser_problems if "409" not in p] == []
