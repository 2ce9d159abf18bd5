"""Forms for the inventory screens: categories, products, receiving, adjustments.

Money is typed as pesos ("1,250.50") into `PesoField`, which keeps the text as
typed (so a form shown again with errors loses nothing) and parses it with
`money.parse_pesos` into `centavos`.
"""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from jcicons.clock import shop_today
from jcicons.forms import (
    BaseForm,
    DateField,
    IntegerField,
    KeyedForm,
    strip_multi_line,
    strip_single_line,
    strip_spaces,
)
from jcicons.inventory.models import (
    ADJUSTMENT_REASONS,
    REASON_LABELS,
    VAT_LABELS,
    Product,
    VatClass,
)
from jcicons.inventory.queries import find_by_code
from jcicons.inventory.services import (
    MAX_QUANTITY,
    ProductData,
    ReceivingLineData,
)
from jcicons.money import MoneyError, format_pesos, parse_pesos

RECEIVING_LINES = 5  # empty lines offered without JavaScript
MAX_RECEIVING_LINES = 200
QUANTITY_MESSAGE = f"Use a whole number from 0 to {MAX_QUANTITY:,}."


def split_lines(text: str | None) -> list[str]:
    """Return the non-blank lines of a text area, trimmed (one serial a line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _id_or_zero(value: Any) -> int:
    """Coerce a picked id; a blank or garbled one becomes 0 (no such record)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def pesos_text(centavos: int) -> str:
    """Return centavos as the text a money field shows: '1,250.50'."""
    return format_pesos(centavos, symbol="")


class PesoField(StringField):
    """An amount in pesos typed as text; `centavos` holds it once validated."""

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        required: bool = True,
        blank_message: str = "Enter an amount, for example 1,250.00.",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.blank_message = blank_message
        self.centavos: int | None = None

    def pre_validate(self, form: Any) -> None:
        """Parse the typed amount, or stop with a message that says what is wrong."""
        self.centavos = None
        text = (self.data or "").strip()
        if not text:
            if self.required:
                raise StopValidation(self.blank_message)
            return
        try:
            self.centavos = parse_pesos(text)
        except MoneyError as exc:
            raise StopValidation(str(exc)) from exc


def _vat_choices() -> list[SelectChoice]:
    return [SelectChoice(v.value, VAT_LABELS[v]) for v in VatClass]


class CategoryForm(BaseForm):
    """The name of a category."""

    name = StringField(
        "Category name",
        validators=[
            DataRequired(message="Enter a category name."),
            Length(max=80, message="A category name has at most 80 characters."),
        ],
    )


class ProductForm(BaseForm):
    """Every editable field of a product (the view drops `cost` for those who may
    not see costs)."""

    name = StringField(
        "Name",
        validators=[
            DataRequired(message="Enter the product's name."),
            Length(max=160, message="A name has at most 160 characters."),
        ],
    )
    sku = StringField(
        "SKU",
        validators=[Optional(), Length(max=40)],
        description="Leave blank to number it from the category, e.g. LAP-00012.",
        render_kw={"autocomplete": "off"},
    )
    barcode = StringField(
        "Barcode",
        validators=[Optional(), Length(max=64)],
        description="Optional. Click here and scan the product's barcode.",
        render_kw={"autocomplete": "off", "data-scan-field": "1"},
    )
    category_id = SelectField("Category", coerce=_id_or_zero, validate_choice=False)
    brand = StringField("Brand", validators=[Optional(), Length(max=80)])
    model = StringField("Model", validators=[Optional(), Length(max=80)])
    description = TextAreaField(
        "Description", validators=[Optional(), Length(max=5000)]
    )
    unit = StringField(
        "Unit of measure",
        default="pc",
        validators=[Optional(), Length(max=16)],
        description="pc, box, set, m, ...",
    )
    price = PesoField(
        "Selling price (₱, VAT included)",
        blank_message="Enter the selling price, for example 1,250.00.",
    )
    cost = PesoField(
        "Unit cost (₱)",
        required=False,
        description="Receiving stock updates it to the moving-average cost.",
    )
    reorder_level = IntegerField(
        "Reorder level",
        default=0,
        validators=[Optional(), NumberRange(0, MAX_QUANTITY, QUANTITY_MESSAGE)],
        description="Low stock at or under this many on hand.",
    )
    reorder_quantity = IntegerField(
        "Reorder quantity",
        default=0,
        validators=[Optional(), NumberRange(0, MAX_QUANTITY, QUANTITY_MESSAGE)],
        description="How many to order when it runs low.",
    )
    vat_class = SelectField(
        "VAT", choices=_vat_choices(), default=VatClass.VATABLE.value
    )
    is_service = BooleanField(
        "Service (labour, no stock)",
        description="Services are sold but never counted or received.",
    )
    is_serialized = BooleanField(
        "Serialized",
        description="Each unit has its own serial number or IMEI.",
    )

    # Service error keys that name a different form field.
    FIELD_FOR = {"price_centavos": "price", "cost_centavos": "cost"}

    def set_categories(self, choices: list[tuple[int, str]]) -> None:
        """Offer these (id, name) categories in the picker."""
        self.category_id.choices = [SelectChoice(i, name) for i, name in choices]

    def to_data(self) -> ProductData:
        """Return the validated fields as service input."""
        cost = getattr(self, "cost", None)
        return ProductData(
            name=self.name.data or "",
            category_id=self.category_id.data or 0,
            price_centavos=self.price.centavos or 0,
            sku=self.sku.data or "",
            barcode=self.barcode.data or "",
            brand=self.brand.data or "",
            model=self.model.data or "",
            description=self.description.data or "",
            unit=self.unit.data or "",
            cost_centavos=(cost.centavos or 0) if cost is not None else 0,
            reorder_level=self.reorder_level.data or 0,
            reorder_quantity=self.reorder_quantity.data or 0,
            vat_class=self.vat_class.data or "",
            is_service=bool(self.is_service.data),
            is_serialized=bool(self.is_serialized.data),
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put a service's field errors next to the fields they concern."""
        for key, message in errors.items():
            field = getattr(self, self.FIELD_FOR.get(key, key), None)
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]

    def validate_category_id(self, field: Any) -> None:
        """Refuse a category that is not on offer (or no category at all)."""
        offered = {choice.value for choice in field.choices or []}
        if field.data not in offered:
            raise StopValidation("Choose a category.")


def product_form_data(product: Product) -> dict[str, Any]:
    """Return a product's fields as the edit form shows them."""
    return {
        "name": product.name,
        "sku": product.sku,
        "barcode": product.barcode or "",
        "category_id": product.category_id,
        "brand": product.brand,
        "model": product.model,
        "description": product.description,
        "unit": product.unit,
        "price": pesos_text(product.price_centavos),
        "cost": pesos_text(product.cost_centavos),
        "reorder_level": product.reorder_level,
        "reorder_quantity": product.reorder_quantity,
        "vat_class": product.vat_class,
        "is_service": product.is_service,
        "is_serialized": product.is_serialized,
    }


class ReceivingLineForm(Form):
    """One line of a receiving; a line left wholly blank is ignored."""

    product = StringField(
        "Product (SKU or barcode)",
        filters=[strip_single_line, strip_spaces],
        validators=[Optional(), Length(max=64)],
    )
    quantity = IntegerField(
        "Quantity",
        validators=[
            Optional(),
            NumberRange(1, MAX_QUANTITY, f"1 to {MAX_QUANTITY:,}."),
        ],
    )
    unit_cost = PesoField(
        "Unit cost (₱)",
        required=False,
    )
    serials = TextAreaField(
        "Serial numbers, one a line",
        filters=[strip_multi_line],
        validators=[Optional(), Length(max=20_000)],
    )

    def is_blank(self) -> bool:
        """Return True when nothing was typed on the line."""
        typed = [
            self.product.data,
            self.quantity.raw_data and self.quantity.raw_data[0],
            self.unit_cost.data,
            self.serials.data,
        ]
        return not any(str(value or "").strip() for value in typed)


class ReceivingForm(KeyedForm):
    """A delivery from a supplier: who, which document, when, and its lines."""

    supplier_name = StringField(
        "Supplier",
        validators=[
            DataRequired(message="Enter the supplier's name."),
            Length(max=120),
        ],
    )
    supplier_document = StringField(
        "Supplier document no.",
        validators=[Optional(), Length(max=60)],
        description="Delivery receipt or sales invoice number.",
    )
    received_date = DateField(
        "Date received",
        default=shop_today,
        validators=[InputRequired(message="Enter the date the goods arrived.")],
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=500)])
    lines = FieldList(
        FormField(ReceivingLineForm),
        min_entries=RECEIVING_LINES,
        max_entries=MAX_RECEIVING_LINES,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.found: dict[int, Product] = {}

    def line_data(self) -> list[ReceivingLineData] | None:
        """Resolve the filled-in lines to service input, or mark what is missing.

        Returns None when any line has a problem; its fields then carry messages.
        """
        result: list[ReceivingLineData] = []
        ok = True
        for index, entry in enumerate(self.lines.entries):
            line: ReceivingLineForm = entry.form
            if line.is_blank():
                continue
            data = self._resolve_line(index, line)
            if data is None:
                ok = False
            else:
                result.append(data)
        if ok and not result:
            self.form_errors.append("Add at least one product to the receiving.")
            return None
        return result if ok else None

    def _resolve_line(
        self, index: int, line: ReceivingLineForm
    ) -> ReceivingLineData | None:
        product = find_by_code(line.product.data or "")
        serials = split_lines(line.serials.data)
        quantity = line.quantity.data
        if product is None:
            line.product.errors = [
                "No active product has this SKU or barcode."
                if line.product.data
                else "Choose a product."
            ]
        else:
            self.found[index] = product
            if product.is_serialized and quantity is None and serials:
                quantity = len(serials)
            if serials and not product.is_serialized:
                line.serials.errors = [
                    f"{product.name} is not serialized: leave this empty."
                ]
        if quantity is None and not line.quantity.errors:
            line.quantity.errors = ["Enter the quantity."]
        if line.unit_cost.centavos is None and not line.unit_cost.errors:
            line.unit_cost.errors = ["Enter the unit cost."]
        if product is None or quantity is None or line.errors:
            return None
        return ReceivingLineData(
            product.id, quantity, line.unit_cost.centavos or 0, serials
        )


def _reason_choices() -> list[SelectChoice]:
    return [SelectChoice(r.value, REASON_LABELS[r]) for r in ADJUSTMENT_REASONS]


class AdjustmentForm(KeyedForm):
    """A signed correction of stock with its reason."""

    quantity = IntegerField(
        "Change in quantity",
        validators=[
            InputRequired(message="Enter how many units to add (5) or remove (-2)."),
            NumberRange(
                -MAX_QUANTITY,
                MAX_QUANTITY,
                f"Enter a quantity from -{MAX_QUANTITY:,} to {MAX_QUANTITY:,}.",
            ),
        ],
        description="Positive adds units, negative removes them.",
    )
    reason = SelectField("Reason", choices=_reason_choices())
    note = StringField(
        "Note",
        validators=[Optional(), Length(max=500)],
        description='Required for "Other".',
    )
    serials = TextAreaField(
        "Serial numbers, one a line",
        validators=[Optional(), Length(max=20_000)],
        description="One per unit added or removed.",
    )
