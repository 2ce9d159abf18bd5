"""Forms for the sales documents: the list filter, payments, returns, voids and
the drawer count."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from jcicons.forms import BaseForm, DateField, SearchForm
from jcicons.inventory.forms import PesoField
from jcicons.sales.models import METHOD_LABELS, PaymentMethod, SaleLine, SaleStatus
from jcicons.sales.queries import SaleFilter, list_cashiers
from jcicons.sales.services import ReturnInput


def method_choices(store_credit: bool = True) -> list[SelectChoice]:
    """Return the payment methods as select choices, store credit only if offered."""
    return [
        SelectChoice(m.value, label)
        for m, label in METHOD_LABELS.items()
        if store_credit or m != PaymentMethod.STORE_CREDIT
    ]


def offered_method(form: Any, field: SelectField) -> None:
    """Refuse a method the form does not offer, saying why for store credit."""
    if field.data == PaymentMethod.STORE_CREDIT.value and not form.store_credit:
        raise ValidationError(
            "Store credit belongs to a customer, and this sale has none: choose "
            "another method."
        )
    if field.data not in {m.value for m in PaymentMethod}:
        raise ValidationError("Choose a method from the list.")


class _SaleMethodForm(BaseForm):
    """A form whose method list offers store credit only for a sale's customer.

    Pass `store_credit=True` when the sale has a customer.
    """

    method_field_name = "method"

    def __init__(self, *args: Any, store_credit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store_credit = store_credit
        field = getattr(self, self.method_field_name)
        field.choices = method_choices(store_credit)


class SaleFilterForm(SearchForm):
    """Narrow the sales list by words, shop-local dates, cashier, method, status."""

    q = StringField(
        "Search",
        validators=[Optional(), Length(max=100)],
        description="Invoice, customer, product, SKU or serial",
    )
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    cashier = SelectField("Cashier", validate_choice=False)
    method = SelectField("Paid by", validate_choice=False)
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Any status"),
            *(SelectChoice(s.value, s.value.title()) for s in SaleStatus),
        ],
        validate_choice=False,
    )
    open_balance = BooleanField("Open balance only")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cashier.choices = [
            SelectChoice("", "Anyone"),
            *(SelectChoice(str(uid), name) for uid, name in list_cashiers()),
        ]
        self.method.choices = [SelectChoice("", "Any method"), *method_choices()]

    def validate_date_to(self, field: DateField) -> None:
        """Refuse a range that ends before it starts."""
        start: date | None = self.date_from.data
        if start and field.data and field.data < start:
            raise ValueError("The end date is before the start date.")

    def criteria(self) -> SaleFilter:
        """Return the filter the form asks for (everything, when it is invalid)."""
        if not self.validate():
            return SaleFilter()
        cashier = self.cashier.data or ""
        return SaleFilter(
            search=self.q.data or "",
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            cashier_id=int(cashier) if cashier.isdigit() else None,
            method=self.method.data or "",
            status=self.status.data or "",
            open_balance=bool(self.open_balance.data),
        )


class PaymentForm(_SaleMethodForm):
    """A payment on an open balance; cash may give the amount tendered."""

    method = SelectField("Method", [offered_method], validate_choice=False)
    amount = PesoField("Amount")
    reference = StringField(
        "Reference",
        validators=[Optional(), Length(max=64)],
        description="Needed for everything but cash.",
    )
    tendered = PesoField(
        "Cash tendered", required=False, description="Cash only; change is worked out."
    )


class ReturnForm(_SaleMethodForm):
    """The reason and the refund of a return; the lines come as line-<id> inputs."""

    method_field_name = "refund_method"

    refund_method = SelectField("Refund by", [offered_method], validate_choice=False)
    reference = StringField(
        "Refund reference",
        validators=[Optional(), Length(max=64)],
        description="Needed for a refund by anything but cash or store credit.",
    )
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired("Give the reason for the return."),
            Length(max=500),
        ],
    )


def parse_return_lines(
    data: Mapping[str, str], lines: Iterable[SaleLine]
) -> tuple[list[ReturnInput], dict[int, str]]:
    """Read `qty-<id>` and `defective-<id>` inputs of the returnable lines.

    Return what comes back and a message for each bad quantity.
    """
    items: list[ReturnInput] = []
    errors: dict[int, str] = {}
    for line in lines:
        left = line.quantity - line.returned_quantity
        text = data.get(f"qty-{line.id}", "").strip()
        if not text or left <= 0:
            continue
        if not text.isdigit() or int(text) > left:
            errors[line.id] = f"Use a whole number from 0 to {left}."
            continue
        if int(text) > 0:
            restock = not data.get(f"defective-{line.id}")
            items.append(ReturnInput(line.id, int(text), restock))
    return items, errors


class VoidForm(BaseForm):
    """Why a whole sale is voided."""

    reason = TextAreaField(
        "Reason for voiding",
        validators=[
            DataRequired("Give the reason for voiding the sale."),
            Length(max=500),
        ],
    )


class DayForm(SearchForm):
    """Pick a business day."""

    day = DateField("Day", validators=[Optional()])


class CashCountForm(BaseForm):
    """The cash counted in the drawer at the end of a day."""

    day = DateField(
        widget=HiddenInput(),
        validators=[InputRequired("Choose the day the count is for.")],
    )
    counted = PesoField("Cash counted")
    note = StringField("Note", validators=[Optional(), Length(max=500)])
