"""The categories screen: create, rename, archive while unused, restore."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jcicons.audit.models import AuditEvent
from jcicons.extensions import db
from jcicons.inventory.models import Category


def load(app, category_id: int) -> Category:
    with app.app_context():
        category = db.session.get(Category, category_id)
        db.session.expunge(category)
        return category


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "category")
                .order_by(AuditEvent.id)
            )
        )


def test_list_shows_each_category_with_its_prefix_and_products(client, login_as, seed):
    seed.product("ThinkPad T14")
    seed.product("IdeaPad 3")
    seed.category("Printers")
    login_as("TECH")

    page = client.get("/inventory/categories").text
    rows = [
        re.sub(r"<[^>]+>|\s+", " ", row).split()
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]
    ]

    assert rows == [
        ["Laptops", "LAP", "2", "0", "active"],
        ["Printers", "PRI", "0", "0", "active"],
    ]
    assert "New category" not in page


def test_creating_a_category_gives_it_a_sku_prefix(app, client, login_as):
    login_as("ADMIN")

    response = client.post_form(
        "/inventory/categories/new", {"name": "  Phone   cases "}, follow_redirects=True
    )

    assert "Category Phone cases is created (SKU prefix PHO)." in response.text
    assert audit_actions(app) == ["category.create"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a category name."),
        ("laptops", "There is already a category with that name."),
        ("x" * 81, "A category name has at most 80 characters."),
    ],
)
def test_a_bad_category_name_is_refused_with_a_reason(
    client, login_as, seed, name, message
):
    seed.category("Laptops")
    login_as("ADMIN")

    response = client.post_form("/inventory/categories/new", {"name": name})

    assert response.status_code == 422
    assert message in response.text


def test_renaming_keeps_the_prefix(app, client, login_as, seed):
    category = seed.category("Laptop")
    login_as("ADMIN")

    response = client.post_form(
        f"/inventory/categories/{category}/edit", {"name": "Laptops and notebooks"}
    )

    assert response.status_code == 302
    renamed = load(app, category)
    assert (renamed.name, renamed.code) == ("Laptops and notebooks", "LAP")
    assert audit_actions(app)[-1] == "category.rename"


def test_a_category_with_active_products_cannot_be_archived(
    app, client, login_as, seed
):
    seed.product("ThinkPad T14")
    login_as("ADMIN")

    response = client.post_form(
        f"/inventory/categories/{seed.category()}/archive", follow_redirects=True
    )

    assert "1 active product(s) still use Laptops: move or archive them first." in (
        response.text
    )
    assert load(app, seed.category()).is_archived is False


def test_archiving_then_restoring_a_category_whose_products_are_archived(
    app, client, login_as, seed
):
    product = seed.product("Windows XP laptop")
    login_as("ADMIN")
    client.post_form(f"/inventory/products/{product}/archive")

    archived = client.post_form(
        f"/inventory/categories/{seed.category()}/archive", follow_redirects=True
    )
    state_after_archive = load(app, seed.category()).is_archived
    client.post_form(f"/inventory/categories/{seed.category()}/restore")

    assert "Category Laptops is archived." in archived.text
    assert re.search(r"Laptops.*?archived</span>", archived.text, re.S)
    assert state_after_archive is True
    assert load(app, seed.category()).is_archived is False
    assert audit_actions(app)[-2:] == ["category.archive", "category.restore"]


def test_a_product_of_an_archived_category_cannot_be_restored_first(
    client, login_as, seed
):
    product = seed.product()
    login_as("ADMIN")
    client.post_form(f"/inventory/products/{product}/archive")
    client.post_form(f"/inventory/categories/{seed.category()}/archive")

    response = client.post_form(
        f"/inventory/products/{product}/restore", follow_redirects=True
    )

    assert "Restore the category Laptops first." in response.text
    assert seed.load(product).is_archived is True
