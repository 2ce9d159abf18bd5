"""Import products from a file: check every row, keep the upload, then create.

`import_files.read_upload` turns the file into rows of text. Between the preview
and the confirmation those rows wait in an ImportBatch row under a random token
that only the uploader can use; the confirmation checks them again against the
database as it is then, and never trusts anything posted back by the browser.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select

from jcicons.audit.services import record_audit
from jcicons.clock import utcnow
from jcicons.exceptions import DomainError, NotFound
from jcicons.extensions import db
from jcicons.inventory.import_files import COLUMNS, ParsedFile
from jcicons.inventory.models import Category, ImportBatch, Product, VatClass
from jcicons.inventory.services import (
    MAX_QUANTITY,
    ProductData,
    check_product_data,
    create_product,
)
from jcicons.money import MoneyError, parse_pesos

if TYPE_CHECKING:
    from jcicons.auth.models import User

logger = logging.getLogger(__name__)

BATCH_LIFETIME = timedelta(hours=2)
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")

# check_product_data names fields after the model; the file names them by column.
FIELD_COLUMNS = {
    "category_id": "category",
    "price_centavos": "price",
    "cost_centavos": "cost",
    "is_service": "service",
    "is_serialized": "serialized",
}
VAT_WORDS = {
    "": VatClass.VATABLE,
    "VAT": VatClass.VATABLE,
    "VATABLE": VatClass.VATABLE,
    "EXEMPT": VatClass.EXEMPT,
    "VAT_EXEMPT": VatClass.EXEMPT,
    "ZERO_RATED": VatClass.ZERO_RATED,
    "ZERO": VatClass.ZERO_RATED,
}
COST_COLUMN = "cost"
TRUE_WORDS = {"yes", "y", "true", "1", "x"}
FALSE_WORDS = {"", "no", "n", "false", "0"}


# Checking ---------------------------------------------------------------------


@dataclass
class RowResult:
    """One file row checked: its cells, its problems by column, its product data."""

    line: int
    cells: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    data: ProductData | None = None

    @property
    def is_valid(self) -> bool:
        """Return True when the row can be imported."""
        return not self.errors


def _money(text: str, required: bool) -> tuple[int, str | None]:
    if not text:
        return 0, ("Enter the price (0 if it is free)." if required else None)
    if text.startswith("="):
        return 0, "Formulas are not evaluated: type the amount."
    try:
        return parse_pesos(text), None
    except MoneyError as exc:
        return 0, str(exc)


def _whole_number(text: str) -> tuple[int, str | None]:
    if not text:
        return 0, None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return 0, f"Use a whole number from 0 to {MAX_QUANTITY:,}."
    if number < 0:
        return 0, "This cannot be negative."
    if number != number.to_integral_value() or number > MAX_QUANTITY:
        return 0, f"Use a whole number from 0 to {MAX_QUANTITY:,}."
    return int(number), None


def _flag(text: str) -> tuple[bool, str | None]:
    word = text.lower()
    if word in TRUE_WORDS:
        return True, None
    if word in FALSE_WORDS:
        return False, None
    return False, "Use yes or no."


def _vat(text: str) -> tuple[str, str | None]:
    word = re.sub(r"[\s-]+", "_", text.upper())
    vat = VAT_WORDS.get(word)
    if vat is None:
        return VatClass.VATABLE.value, "Use VATABLE, EXEMPT or ZERO_RATED."
    return vat.value, None


def _category_lookup() -> dict[str, Category]:
    lookup: dict[str, Category] = {}
    for category in db.session.scalars(select(Category)):
        lookup.setdefault(category.code.lower(), category)
        lookup[category.name.lower()] = category
    return lookup


def _check_row(
    row: dict[str, Any], categories: dict[str, Category], may_set_cost: bool
) -> RowResult:
    cells: dict[str, str] = {name: row["cells"].get(name, "") for name in COLUMNS}
    errors: dict[str, str] = dict(row.get("problems", {}))
    if not may_set_cost:
        cells["cost"] = ""
        errors.pop("cost", None)
    category = categories.get(cells["category"].lower())
    if not cells["category"]:
        errors.setdefault("category", "Enter a category.")
    elif category is None:
        errors.setdefault(
            "category",
            f'Unknown category "{cells["category"]}": create it first, or use the '
            "name of an existing one.",
        )
    parsed: dict[str, Any] = {}
    for name, value, problem in (
        ("price", *_money(cells["price"], required=True)),
        ("cost", *_money(cells["cost"], required=False)),
        ("reorder_level", *_whole_number(cells["reorder_level"])),
        ("reorder_quantity", *_whole_number(cells["reorder_quantity"])),
        ("vat_class", *_vat(cells["vat_class"])),
        ("service", *_flag(cells["service"])),
        ("serialized", *_flag(cells["serialized"])),
    ):
        parsed[name] = value
        if problem:
            errors.setdefault(name, problem)
    data = ProductData(
        name=cells["name"],
        category_id=category.id if category is not None else 0,
        price_centavos=parsed["price"],
        sku=cells["sku"],
        barcode=cells["barcode"],
        brand=cells["brand"],
        model=cells["model"],
        description=cells["description"],
        unit=cells["unit"],
        cost_centavos=parsed["cost"],
        reorder_level=parsed["reorder_level"],
        reorder_quantity=parsed["reorder_quantity"],
        vat_class=parsed["vat_class"],
        is_service=parsed["service"],
        is_serialized=parsed["serialized"],
    )
    for key, message in check_product_data(data).items():
        errors.setdefault(FIELD_COLUMNS.get(key, key), message)
    return RowResult(row["line"], cells, errors, data)


def _mark_repeats(results: list[RowResult], column: str, label: str) -> None:
    lines: dict[str, list[int]] = {}
    for result in results:
        value = result.cells[column].strip().upper()
        if value:
            lines.setdefault(value, []).append(result.line)
    for result in results:
        value = result.cells[column].strip().upper()
        where = lines.get(value, [])
        if len(where) > 1:
            others = ", ".join(str(n) for n in where)
            result.errors.setdefault(column, f"{label} {value} is on rows {others}.")


def check_rows(
    rows: list[dict[str, Any]], *, may_set_cost: bool = True
) -> list[RowResult]:
    """Check every stored row against the rules and the database as it is now.

    A SKU or barcode used twice in the file marks every row that uses it; one
    already in the database marks the row (check_product_data finds it). Without
    `may_set_cost` (the right to see costs) the cost column is ignored, as the
    product form has no cost field for such users.
    """
    categories = _category_lookup()
    results = [_check_row(row, categories, may_set_cost) for row in rows]
    _mark_repeats(results, "sku", "SKU")
    _mark_repeats(results, "barcode", "Barcode")
    return results


# Keeping the upload between preview and confirmation ------------------------


def without_costs(parsed: ParsedFile) -> ParsedFile:
    """Return the file without its cost column, listed then among the ignored."""
    had_cost = any(COST_COLUMN in row["cells"] for row in parsed.rows)
    rows = [
        {
            **row,
            "cells": {k: v for k, v in row["cells"].items() if k != COST_COLUMN},
            "problems": {
                k: v for k, v in row.get("problems", {}).items() if k != COST_COLUMN
            },
        }
        for row in parsed.rows
    ]
    ignored = list(parsed.ignored_columns)
    if had_cost:
        ignored.append(COST_COLUMN)
    return ParsedFile(rows, ignored)


def save_import_batch(
    parsed: ParsedFile, filename: str, actor: User, *, may_set_cost: bool
) -> ImportBatch:
    """Keep parsed rows for the actor under a new random token.

    Without `may_set_cost` the cost column is dropped before it is kept. The
    actor's earlier uploads and everyone's expired ones are removed.
    """
    if not may_set_cost:
        parsed = without_costs(parsed)
    db.session.execute(
        delete(ImportBatch).where(
            or_(
                ImportBatch.user_id == actor.id,
                ImportBatch.created_at < utcnow() - BATCH_LIFETIME,
            )
        )
    )
    batch = ImportBatch(
        token=secrets.token_urlsafe(32),
        user_id=actor.id,
        filename=PurePath(filename).name[:200],
        rows=parsed.rows,
        ignored_columns=parsed.ignored_columns,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def get_import_batch(token: str, actor: User) -> ImportBatch:
    """Return the actor's upload kept under `token`.

    Raises NotFound for an unknown, expired or someone else's token.
    """
    gone = NotFound("This upload is no longer available: upload the file again.")
    if not TOKEN_PATTERN.fullmatch(token):
        raise gone
    batch = db.session.scalar(
        select(ImportBatch).where(
            ImportBatch.token == token, ImportBatch.user_id == actor.id
        )
    )
    if batch is None or batch.created_at < utcnow() - BATCH_LIFETIME:
        raise gone
    return batch


def discard_import_batch(batch: ImportBatch) -> None:
    """Forget an upload without importing it."""
    db.session.delete(batch)


@dataclass
class ImportOutcome:
    """What an import created and which file rows it left out."""

    created: list[Product]
    skipped_lines: list[int]


def import_products(
    batch: ImportBatch, actor: User, skip_invalid: bool, *, may_set_cost: bool
) -> ImportOutcome:
    """Create the products of an upload in one transaction, then forget the upload.

    Nothing is created while any row has a problem, unless `skip_invalid`, when
    the good rows are created and the others listed. Rows with a SKU are created
    before rows without, so a generated SKU never takes one the file asks for.
    Unit costs are set only with `may_set_cost` (the right to see costs); the
    products of others start without a cost, which receiving stock then sets.
    Raises DomainError when rows have problems (and may not be skipped) or when
    no row can be imported.
    """
    results = check_rows(batch.rows, may_set_cost=may_set_cost)
    bad = [result.line for result in results if not result.is_valid]
    if bad and not skip_invalid:
        raise DomainError(
            f"{len(bad)} row(s) have problems. Fix the file and upload it again, "
            "or choose to skip those rows."
        )
    good = [result for result in results if result.is_valid and result.data]
    if not good:
        raise DomainError("No row of this file can be imported.")
    good.sort(key=lambda result: not result.cells["sku"])
    created = [create_product(result.data, actor) for result in good if result.data]
    record_audit(
        actor,
        "product.import",
        "import",
        batch.id,
        None,
        {
            "file": batch.filename,
            "created": len(created),
            "skipped_rows": bad,
            "skus": [product.sku for product in created],
        },
    )
    logger.info(
        "%d products imported from %s by %s (%d rows skipped)",
        len(created),
        batch.filename,
        actor.username,
        len(bad),
    )
    db.session.delete(batch)
    return ImportOutcome(created, bad)
