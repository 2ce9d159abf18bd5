"""Inventory pages: categories (routes attach to the inventory blueprint)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.forms import CategoryForm
from jcicons.inventory.models import Category
from jcicons.inventory.queries import category_usage
from jcicons.inventory.services import (
    create_category,
    list_categories,
    rename_category,
    set_category_archived,
)
from jcicons.inventory.views import bp
from jcicons.security.capabilities import requires


def _category_or_404(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        abort(404)
    return category


def _render_list(form: CategoryForm) -> Any:
    status = 422 if request.method == "POST" else 200
    return render_template(
        "inventory/categories.html",
        form=form,
        categories=list_categories(include_archived=True),
        usage=category_usage(),
    ), status


@bp.get("/categories")
@requires("inventory.view")
def categories() -> ResponseReturnValue:
    """List categories with how many products use each."""
    return _render_list(CategoryForm())


@bp.post("/categories/new")
@requires("inventory.edit")
def category_create() -> ResponseReturnValue:
    """Create a category; its SKU prefix comes from its name."""
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = create_category(
                form.name.data or "", current_user._get_current_object()
            )
        except DomainError as exc:
            db.session.rollback()
            form.name.errors = [*form.name.errors, exc.message]
        else:
            db.session.commit()
            flash(
                f"Category {category.name} is created (SKU prefix {category.code}).",
                "success",
            )
            return redirect(url_for("inventory.categories"))
    return _render_list(form)


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@requires("inventory.edit")
def category_edit(category_id: int) -> ResponseReturnValue:
    """Rename a category (its SKU prefix stays)."""
    category = _category_or_404(category_id)
    form = CategoryForm(data={"name": category.name})
    if form.validate_on_submit():
        try:
            rename_category(
                category, form.name.data or "", current_user._get_current_object()
            )
        except DomainError as exc:
            db.session.rollback()
            form.name.errors = [*form.name.errors, exc.message]
        else:
            db.session.commit()
            flash(f"Category {category.name} is saved.", "success")
            return redirect(url_for("inventory.categories"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "inventory/categories_form.html",
        form=form,
        category=category,
        usage=category_usage().get(category.id, (0, 0)),
    ), status


def _set_archived(category_id: int, archived: bool) -> ResponseReturnValue:
    category = _category_or_404(category_id)
    try:
        set_category_archived(category, archived, current_user._get_current_object())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        state = "archived" if archived else "active again"
        flash(f"Category {category.name} is {state}.", "success")
    return redirect(url_for("inventory.categories"))


@bp.post("/categories/<int:category_id>/archive")
@requires("inventory.archive")
def category_archive(category_id: int) -> ResponseReturnValue:
    """Archive a category nobody's active products use: hidden from pickers."""
    return _set_archived(category_id, True)


@bp.post("/categories/<int:category_id>/restore")
@requires("inventory.archive")
def category_restore(category_id: int) -> ResponseReturnValue:
    """Bring an archived category back into the pickers."""
    return _set_archived(category_id, False)
