"""Forms for the stock screens: counts, the movement ledger, low stock, import,
export and labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.forms import BaseForm, DateField, IntegerField, SearchForm, query_int
from jcicons.inventory.labels import LABELS_PER_SHEET
from jcicons.inventory.models import REASON_LABELS, StockCountLine
from jcicons.inventory.queries import SORTS, ProductFilter, category_choices
from jcicons.inventory.services import MAX_QUANTITY

STOCK_STATES = ("in", "low", "out", "service")
MAX_COUNT_SERIALS = 1_000  # serial numbers one count line may name
STATUSES = ("active", "archived", "all")


class CountStartForm(BaseForm):
    """Start a count of one category, or of every product (category 0)."""

    category_id = SelectField("What to count", coerce=query_int)
    note = StringField(
        "Note", validators=[Optional(), Length(max=500)], description="Optional."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category_id.choices = _category_choices("Every product")


class CountPostForm(BaseForm):
    """Confirm the reviewed differences; `shown` names what the reviewer saw."""

    confirm = BooleanField(
        "I have checked these differences: post them as stock adjustments.",
        validators=[DataRequired("Tick the box to confirm the differences.")],
    )
    shown = HiddenField()


def parse_counted(
    form: Mapping[str, str], lines: Iterable[StockCountLine]
) -> tuple[dict[int, int | None], dict[int, str]]:
    """Read `line-<id>` inputs: a blank means not counted.

    Return the counted quantities by line id and a message for each bad entry.
    """
    values: dict[int, int | None] = {}
    errors: dict[int, str] = {}
    for line in lines:
        text = form.get(f"line-{line.id}", "").strip()
        if not text:
            values[line.id] = None
        elif text.isdigit() and int(text) <= MAX_QUANTITY:
            values[line.id] = int(text)
        else:
            errors[line.id] = f"Use a whole number from 0 to {MAX_QUANTITY:,}."
    return values, errors


def parse_count_serials(
    form: MultiDict[str, str], line_ids: Iterable[int]
) -> dict[int, list[str]]:
    """Read `serials-<line id>` inputs of a count's review: ticked serial numbers
    of missing units, or found ones typed one a line. Return them by line id."""
    serials: dict[int, list[str]] = {}
    for line_id in line_ids:
        values = [
            line.strip()
            for value in form.getlist(f"serials-{line_id}")[:MAX_COUNT_SERIALS]
            for line in value.splitlines()
            if line.strip()
        ]
        if values:
            serials[line_id] = values[:MAX_COUNT_SERIALS]
    return serials


def _category_choices(everything: str) -> list[SelectChoice]:
    return [
        SelectChoice(0, everything),
        *(SelectChoice(i, name) for i, name in category_choices()),
    ]


def _user_choices() -> list[SelectChoice]:
    rows = db.session.execute(select(User.id, User.username).order_by(User.username))
    return [SelectChoice("", "Anyone"), *(SelectChoice(str(i), n) for i, n in rows)]


class MovementFilterForm(SearchForm):
    """Narrow the ledger by product, reason, person and shop-local dates."""

    product = StringField(
        "Product",
        validators=[Optional(), Length(max=64)],
        description="SKU or barcode",
    )
    product_id = HiddenField()
    reason = SelectField(
        "Reason",
        choices=[
            SelectChoice("", "Any reason"),
            *(SelectChoice(r.value, text) for r, text in REASON_LABELS.items()),
        ],
        validate_choice=False,
    )
    actor = SelectField("By", validate_choice=False)
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor.choices = _user_choices()

    def validate_date_to(self, field: DateField) -> None:
        """Refuse a range that ends before it starts."""
        start: date | None = self.date_from.data
        if start and field.data and field.data < start:
            raise ValueError("The end date is before the start date.")


class CategoryFilterForm(SearchForm):
    """Narrow a list to one category."""

    category = SelectField("Category", coerce=query_int, validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = _category_choices("All categories")


def product_filter(args: Mapping[str, str]) -> ProductFilter:
    """Return the product list's filter from its query arguments."""
    stock = args.get("stock", "")
    status = args.get("status", "active")
    sort = args.get("sort", "name")
    category = args.get("category", "")
    return ProductFilter(
        search=args.get("q", "")[:100],
        category_id=int(category) if category.isdigit() else None,
        stock=stock if stock in STOCK_STATES else "",
        status=status if status in STATUSES else "active",
        sort=sort if sort in SORTS else "name",
    )


class ImportUploadForm(BaseForm):
    """Upload a product file for a preview."""

    file = FileField(
        "Product file (.csv or .xlsx)",
        validators=[
            FileRequired("Choose a file to upload."),
            FileAllowed(["csv", "xlsx"], "Upload a .csv or .xlsx file."),
        ],
    )


class ImportConfirmForm(BaseForm):
    """Import the previewed rows, optionally leaving out the ones with problems."""

    skip_invalid = BooleanField("Skip the rows with problems and import the rest")


class LabelPickForm(SearchForm):
    """Find products to print labels for, and where on the sheet to start."""

    q = StringField("Search", validators=[Optional(), Length(max=100)])
    category = SelectField("Category", coerce=query_int, validate_choice=False)
    start = IntegerField(
        "Start at label",
        default=1,
        validators=[Optional(), NumberRange(1, LABELS_PER_SHEET)],
        description=f"1 to {LABELS_PER_SHEET}: skips labels already used on the sheet.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = _category_choices("All categories")


def parse_label_quantities(args: Mapping[str, str]) -> tuple[dict[int, int], bool]:
    """Read `qty-<product id>` arguments; return the quantities and whether all
    were whole numbers."""
    quantities: dict[int, int] = {}
    clean = True
    for key, value in args.items():
        if not key.startswith("qty-"):
            continue
        product_id, text = key[4:], value.strip()
        if not text:
            continue
        if not (product_id.isdigit() and text.isdigit() and len(text) <= 4):
            clean = False
            continue
        quantities[int(product_id)] = int(text)
    return quantities, clean
