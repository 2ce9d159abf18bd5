"""Forms for the customer screens: the customer, a note, a department, a merge.

The credit limit is typed in pesos and parsed with `money.parse_pesos`, and only
those who may set limits (ADMIN) get the field; mobile numbers, e-mail and TIN are
checked by the services, which know the rules.
"""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    FieldList,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError
from wtforms.widgets import HiddenInput

from jcicons.customers.checks import (
    MAX_NOTE,
    MAX_PHONES,
    CustomerData,
    parse_credit_limit,
)
from jcicons.customers.models import KIND_LABELS, Customer, CustomerKind
from jcicons.customers.services import PhoneInUse
from jcicons.exceptions import DomainError
from jcicons.forms import BaseForm, IntegerField, strip_single_line
from jcicons.money import format_pesos
from jcicons.security.capabilities import can

PHONE_SLOTS = 2  # empty mobile-number boxes a new customer form offers
NOTE_TOO_LONG = f"A note has at most {MAX_NOTE:,} characters."


def _kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, KIND_LABELS[kind]) for kind in CustomerKind]


class CustomerForm(BaseForm):
    """Every editable field of a customer (the edit form drops the first note).

    Without the right to set credit limits the form has no credit-limit field and
    hands the services the limit the customer already has.
    """

    kind = SelectField(
        "Kind of customer",
        choices=_kind_choices(),
        default=CustomerKind.INDIVIDUAL.value,
    )
    name = StringField(
        "Name",
        validators=[
            DataRequired(message="Enter the customer's name."),
            Length(max=120, message="A name has at most 120 characters."),
        ],
        description="The person's name; for a business, the contact person.",
    )
    business_name = StringField(
        "Business or office name",
        validators=[
            Optional(),
            Length(max=160, message="A business name has at most 160 characters."),
        ],
        description="Required for businesses and government offices.",
    )
    phones = FieldList(
        StringField(
            "Mobile number",
            filters=[strip_single_line],
            validators=[Optional(), Length(max=32, message="That is too long.")],
            render_kw={"inputmode": "tel", "autocomplete": "off"},
        ),
        min_entries=PHONE_SLOTS,
        max_entries=MAX_PHONES,
    )
    email = StringField(
        "E-mail",
        validators=[Optional(), Length(max=254, message="That e-mail is too long.")],
        render_kw={"inputmode": "email"},
    )
    address = TextAreaField(
        "Address",
        validators=[
            Optional(),
            Length(max=500, message="An address has at most 500 characters."),
        ],
        render_kw={"rows": 2},
    )
    tin = StringField(
        "TIN",
        validators=[Optional(), Length(max=20, message="A TIN is at most 17 digits.")],
        description="For business invoices: 000-000-000, or with the branch code "
        "000-000-000-00000.",
    )
    credit_limit = StringField(
        "Credit limit (₱)",
        description="How much the customer may owe. Blank or 0: no credit.",
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    has_contact_consent = BooleanField(
        "Agrees to be contacted by SMS, call or e-mail",
        description="The date it was given or withdrawn is kept.",
    )
    note = TextAreaField(
        "Note",
        validators=[
            Optional(),
            Length(max=MAX_NOTE, message=NOTE_TOO_LONG),
        ],
        render_kw={"rows": 2},
    )
    shared_ok = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial = kwargs.get("data") or {}
        self.credit_limit_centavos = int(initial.get("credit_limit_centavos", 0))
        self.shared: PhoneInUse | None = None
        if not can("customers.credit_limit"):
            del self.credit_limit

    def validate_credit_limit(self, field: Any) -> None:
        """Parse the credit limit typed in pesos, or say what is wrong with it."""
        try:
            self.credit_limit_centavos = parse_credit_limit(field.data or "")
        except DomainError as exc:
            raise FieldError(exc.message) from exc

    def offer_empty_phone(self) -> None:
        """Make sure one mobile-number box is empty, room permitting."""
        if all(entry.data for entry in self.phones.entries) and (
            len(self.phones.entries) < MAX_PHONES
        ):
            self.phones.append_entry()

    def confirmed_numbers(self) -> set[str]:
        """Return the numbers the user confirmed as shared with another customer."""
        return {n for n in (self.shared_ok.data or "").split(",") if n.strip()}

    def confirm_sharing(self, numbers: list[str]) -> None:
        """Let the next submission save these shared numbers deliberately."""
        self.shared_ok.data = ",".join(sorted(self.confirmed_numbers() | set(numbers)))

    def to_data(self) -> CustomerData:
        """Return the typed fields as service input."""
        note = getattr(self, "note", None)
        return CustomerData(
            kind=self.kind.data or "",
            name=self.name.data or "",
            business_name=self.business_name.data or "",
            phones=[entry.data or "" for entry in self.phones.entries],
            email=self.email.data or "",
            address=self.address.data or "",
            tin=self.tin.data or "",
            credit_limit_centavos=self.credit_limit_centavos,
            has_contact_consent=bool(self.has_contact_consent.data),
            note=(note.data or "") if note is not None else "",
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put a service's field errors next to the fields they concern."""
        for key, message in errors.items():
            target: Any = getattr(self, key, None)
            if key.startswith("phones-"):
                slot = int(key.removeprefix("phones-"))
                target = self.phones.entries[slot] if slot < len(self.phones) else None
            if target is None:
                self.form_errors.append(message)
            else:
                target.errors = [*target.errors, message]


def customer_form_data(customer: Customer) -> dict[str, Any]:
    """Return a customer's fields as the edit form shows them."""
    return {
        "kind": customer.kind,
        "name": customer.name,
        "business_name": customer.business_name,
        "phones": [phone.display for phone in customer.phones],
        "email": customer.email or "",
        "address": customer.address,
        "tin": customer.tin,
        "credit_limit": format_pesos(customer.credit_limit_centavos, symbol=""),
        "credit_limit_centavos": customer.credit_limit_centavos,
        "has_contact_consent": customer.has_contact_consent,
    }


class NoteForm(BaseForm):
    """A dated note about a customer."""

    body = TextAreaField(
        "Add a note",
        validators=[
            DataRequired(message="Write the note first."),
            Length(max=MAX_NOTE, message=NOTE_TOO_LONG),
        ],
        render_kw={"rows": 2},
    )


class DepartmentForm(BaseForm):
    """A department or branch of a business or government customer."""

    name = StringField(
        "Department or branch",
        validators=[
            DataRequired(message="Enter the department or branch name."),
            Length(max=120, message="A name has at most 120 characters."),
        ],
    )
    contact_name = StringField(
        "Contact person",
        validators=[
            Optional(),
            Length(max=120, message="A name has at most 120 characters."),
        ],
    )


class MergeForm(BaseForm):
    """The confirmed merge of one duplicate into the customer that stays."""

    duplicate_id = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(message="Choose the duplicate to merge.")],
    )
    confirm = BooleanField(
        "I understand: the duplicate disappears from lists and searches for good.",
        validators=[DataRequired(message="Tick the box to confirm the merge.")],
    )
