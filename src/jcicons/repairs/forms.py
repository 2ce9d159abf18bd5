"""Forms of the repair screens: intake, the ticket's actions, the service catalogue."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, PasswordInput

from jcicons.forms import (
    BaseForm,
    DateField,
    IntegerField,
    KeyedForm,
    SearchForm,
    query_int,
)
from jcicons.inventory.forms import PesoField
from jcicons.repairs.models import (
    ACCESSORY_CHOICES,
    CONDITION_CHECKS,
    DEVICE_LABELS,
    PRIORITY_LABELS,
    STATUS_LABELS,
    DeviceType,
    Priority,
    RepairStatus,
)
from jcicons.repairs.services.catalogue import ServiceTypeData
from jcicons.sales.models import METHOD_LABELS, PaymentMethod
from jcicons.sales.services import PaymentInput

CHECK_ANSWERS = [
    SelectChoice("", "Not checked"),
    SelectChoice("yes", "Yes"),
    SelectChoice("no", "No"),
]


def repair_method_choices() -> list[SelectChoice]:
    """Payment methods for repair money (store credit is for the counter only)."""
    return [
        SelectChoice(method.value, label)
        for method, label in METHOD_LABELS.items()
        if method != PaymentMethod.STORE_CREDIT
    ]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes sending several values under one name."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IntakeForm(KeyedForm):
    """A device coming in: who, what, its state, the problem, the agreed money
    (keyed: the same form sent twice opens one ticket)."""

    customer_id = HiddenField()
    mobile = StringField(
        "Customer's mobile number",
        validators=[Optional(), Length(max=32)],
        description="Finds the customer on record, or adds them with the name below.",
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    name = StringField(
        "Customer's name (new customers)", validators=[Optional(), Length(max=120)]
    )
    department_id = SelectField("Department or branch", validate_choice=False)
    device_type = SelectField(
        "Device",
        choices=[SelectChoice(d.value, DEVICE_LABELS[d]) for d in DeviceType],
        validators=[DataRequired("Choose the kind of device.")],
    )
    device_name = StringField(
        "Device name (for 'Other')", validators=[Optional(), Length(max=80)]
    )
    brand = StringField("Brand", validators=[Optional(), Length(max=60)])
    model = StringField("Model", validators=[Optional(), Length(max=80)])
    serial_number = StringField(
        "Serial number or IMEI", validators=[Optional(), Length(max=80)]
    )
    accessories = MultiCheckboxField(
        "Left with the device",
        choices=[SelectChoice(a, a) for a in ACCESSORY_CHOICES],
        validate_choice=False,
    )
    accessories_note = StringField(
        "Other items left", validators=[Optional(), Length(max=300)]
    )
    condition_notes = TextAreaField(
        "Condition notes", validators=[Optional(), Length(max=1000)]
    )
    # Typed again into the form when something else is refused, like every other
    # field: a confirmed duplicate serial must not open a ticket without it.
    passcode = PasswordField(
        "Device passcode or PIN",
        widget=PasswordInput(hide_value=False),
        validators=[Optional(), Length(max=100)],
        description="Stored encrypted; shown only to whoever works the ticket; "
        "erased at release.",
    )
    problem = TextAreaField(
        "Problem, in the customer's words",
        validators=[DataRequired("Describe the problem."), Length(max=2000)],
    )
    services = MultiCheckboxField("Services", coerce=query_int, validate_choice=False)
    priority = SelectField(
        "Priority",
        choices=[SelectChoice(p.value, PRIORITY_LABELS[p]) for p in Priority],
        default=Priority.NORMAL.value,
    )
    promised_date = DateField("Promised date", validators=[Optional()])
    diagnostic_fee = PesoField("Diagnostic fee", required=False)
    deposit = PesoField("Deposit", required=False)
    deposit_method = SelectField("Deposit paid by", validate_choice=False)
    deposit_reference = StringField(
        "Deposit reference number", validators=[Optional(), Length(max=64)]
    )
    technician_id = SelectField("Technician", validate_choice=False)
    confirm_duplicate = BooleanField(
        "Yes, this is another device or a new problem: open another ticket"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deposit_method.choices = repair_method_choices()
        # One select per condition check, named cond_<key>.
        self.condition_fields = [
            (key, label, f"cond_{key}") for key, label in CONDITION_CHECKS
        ]

    def validate_deposit_method(self, field: SelectField) -> None:
        """Refuse a deposit by a method repairs do not take."""
        known = {choice.value for choice in repair_method_choices()}
        if (self.deposit.data or "").strip() and field.data not in known:
            raise ValidationError("Choose how the deposit was paid.")

    def deposit_input(self) -> PaymentInput | None:
        """Return the deposit as a payment, or None when there is none."""
        if not self.deposit.centavos:
            return None
        return PaymentInput(
            method=PaymentMethod(self.deposit_method.data or PaymentMethod.CASH),
            amount_centavos=self.deposit.centavos,
            reference=self.deposit_reference.data or "",
        )


class StatusForm(BaseForm):
    """Move the ticket along, with a note for the timeline."""

    status = SelectField("New status", validate_choice=False)
    note = TextAreaField("Note", validators=[Optional(), Length(max=1000)])


class NoteForm(BaseForm):
    """A note on the timeline."""

    note = TextAreaField(
        "Note", validators=[DataRequired("Write the note first."), Length(max=2000)]
    )


class DiagnosisForm(BaseForm):
    """The technician's findings."""

    diagnosis = TextAreaField("Diagnosis", validators=[Length(max=2000)])


class AssignForm(BaseForm):
    """Give the ticket to a technician (blank: the unassigned queue)."""

    technician_id = SelectField("Technician", validate_choice=False)


class ServiceLineForm(BaseForm):
    """A labour line from the catalogue."""

    service_type_id = SelectField("Service", validate_choice=False)
    price = PesoField("Price (blank: the catalogue's)", required=False)


class PartForm(BaseForm):
    """A part from stock."""

    product_id = HiddenField()
    product_code = StringField(
        "Part (SKU or barcode)", validators=[Optional(), Length(max=64)]
    )
    quantity = IntegerField(
        "Quantity",
        default=1,
        validators=[InputRequired("Enter a quantity."), NumberRange(1, 999)],
    )
    serial = StringField("Serial (serialized parts)", validators=[Length(max=80)])


class EstimateForm(BaseForm):
    """The customer's answer to the estimate."""

    decision = SelectField(
        "Customer's answer",
        choices=[
            SelectChoice("APPROVED", "Approved"),
            SelectChoice("DECLINED", "Declined"),
        ],
    )
    note = StringField("How they answered", validators=[Length(max=500)])


class PaymentForm(KeyedForm):
    """Money taken on the ticket (keyed: sent twice, it is taken once)."""

    amount = PesoField("Amount")
    method = SelectField("Method")
    reference = StringField("Reference number", validators=[Length(max=64)])
    tendered = PesoField("Cash tendered", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.method.choices = repair_method_choices()

    def payment_input(self) -> PaymentInput:
        """Return the payment the form describes."""
        return PaymentInput(
            method=PaymentMethod(self.method.data or PaymentMethod.CASH),
            amount_centavos=self.amount.centavos or 0,
            reference=self.reference.data or "",
            tendered_centavos=self.tendered.centavos,
        )


class DiscountForm(BaseForm):
    """A discount on the ticket, with an ADMIN's approval above the SALES cap."""

    discount = PesoField("Discount", required=False)
    approver_username = StringField("Approving ADMIN", validators=[Length(max=32)])
    approver_password = PasswordField("ADMIN's password", validators=[Length(max=128)])


class WaiveForm(BaseForm):
    """ADMIN waives part or all of the charges."""

    amount = PesoField("Amount to waive")
    reason = StringField(
        "Reason", validators=[DataRequired("Give the reason."), Length(max=500)]
    )
    refund_method = SelectField("Refund any overpayment by")
    refund_reference = StringField("Refund reference", validators=[Length(max=64)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refund_method.choices = repair_method_choices()

    def refund_input(self) -> PaymentInput:
        """Return how an overpayment goes back (the service works out how much)."""
        return PaymentInput(
            method=PaymentMethod(self.refund_method.data or PaymentMethod.CASH),
            amount_centavos=0,
            reference=self.refund_reference.data or "",
        )


class RefundForm(BaseForm):
    """Give back what was paid beyond the charges."""

    method = SelectField("Refund by")
    reference = StringField("Reference number", validators=[Length(max=64)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.method.choices = repair_method_choices()

    def refund_input(self) -> PaymentInput:
        """Return how the overpayment goes back (the service works out how much)."""
        return PaymentInput(
            method=PaymentMethod(self.method.data or PaymentMethod.CASH),
            amount_centavos=0,
            reference=self.reference.data or "",
        )


class ReleaseForm(BaseForm):
    """The device goes back: to whom, the ID they showed, on credit or not."""

    released_to_name = StringField(
        "Released to (name)",
        validators=[DataRequired("Write who takes the device."), Length(max=120)],
    )
    id_shown = StringField("ID shown", validators=[Length(max=120)])
    on_credit = BooleanField("Release on credit (ADMIN): the balance goes on account")
    credit_reason = StringField("Reason for credit", validators=[Length(max=500)])


class ReasonForm(BaseForm):
    """A reason, for reopening a ticket."""

    reason = StringField(
        "Reason", validators=[DataRequired("Give the reason."), Length(max=500)]
    )


class ComebackForm(BaseForm):
    """A warranty comeback: what is wrong again."""

    problem = TextAreaField(
        "What is wrong now",
        validators=[DataRequired("Describe the problem."), Length(max=2000)],
    )


class ServiceTypeForm(BaseForm):
    """A service in the catalogue."""

    name = StringField(
        "Name", validators=[DataRequired("Give the service a name."), Length(max=80)]
    )
    default_price = PesoField("Default price")
    warranty_days = IntegerField(
        "Warranty (days)",
        default=0,
        validators=[
            InputRequired("Enter the warranty in days (0 for none)."),
            NumberRange(0, 3650, "Enter 0 to 3650 days."),
        ],
    )

    def service_type_data(self) -> ServiceTypeData:
        """Return the service the form describes."""
        return ServiceTypeData(
            self.name.data or "",
            self.default_price.centavos or 0,
            self.warranty_days.data or 0,
        )


class TicketFilterForm(SearchForm):
    """The ticket list's search box and filters."""

    q = StringField(
        "Search",
        validators=[Optional(), Length(max=100)],
        description="Ticket, customer, phone, serial or IMEI, brand, model",
    )
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Open tickets"),
            SelectChoice("all", "All tickets"),
            *(SelectChoice(s.value, STATUS_LABELS[s]) for s in RepairStatus),
        ],
        validate_choice=False,
    )
    technician = SelectField("Technician", validate_choice=False)
    device_type = SelectField(
        "Device",
        choices=[
            SelectChoice("", "Any device"),
            *(SelectChoice(d.value, DEVICE_LABELS[d]) for d in DeviceType),
        ],
        validate_choice=False,
    )
    date_from = DateField("Received from", validators=[Optional()])
    date_to = DateField("Received to", validators=[Optional()])
    overdue = BooleanField("Past the promised date")
