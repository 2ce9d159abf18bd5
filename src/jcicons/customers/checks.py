"""Checking customer input: names, mobile numbers, e-mail, TIN and credit limit.

The rules are here so that the form, the quick-create JSON and any later import
refuse the same things with the same messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from jcicons.customers.models import CustomerKind
from jcicons.customers.phones import InvalidMobile, normalise_mobile
from jcicons.exceptions import DomainError
from jcicons.money import MoneyError, parse_pesos

MAX_PHONES = 10
MAX_NOTE = 2000
TIN_GROUPS = re.compile(r"^(\d{3})[\s-]?(\d{3})[\s-]?(\d{3})(?:[\s-]?(\d{3}|\d{5}))?$")


def normalise_tin(text: str) -> str:
    """Return a Philippine TIN as 000-000-000, or with its branch code (-000 or
    -00000); '' when blank.

    Raises DomainError for any other shape.
    """
    typed = text.strip()
    if not typed:
        return ""
    match = TIN_GROUPS.fullmatch(typed)
    if match is None:
        raise DomainError(
            "A TIN is 9 digits, 000-000-000, with an optional branch code: "
            "000-000-000-000 or 000-000-000-00000.",
            field="tin",
        )
    return "-".join(group for group in match.groups() if group)


def normalise_customer_email(text: str) -> str | None:
    """Return a normalised e-mail address, None when blank; DomainError if invalid."""
    typed = text.strip()
    if not typed:
        return None
    try:
        return validate_email(typed, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise DomainError(
            f"That e-mail address is not valid: {exc}", field="email"
        ) from exc


def parse_credit_limit(text: str) -> int:
    """Return a credit limit typed in pesos ('5,000', '₱2,500.50') as centavos.

    Blank means no credit (0). Raises DomainError for negative or garbled amounts.
    """
    if not text.strip():
        return 0
    try:
        return parse_pesos(text)
    except MoneyError as exc:
        raise DomainError(str(exc), field="credit_limit") from exc


@dataclass
class CustomerData:
    """The editable fields of a customer as typed; `phones` keeps blank slots."""

    name: str
    phones: list[str]
    kind: str = CustomerKind.INDIVIDUAL.value
    business_name: str = ""
    email: str = ""
    address: str = ""
    tin: str = ""
    credit_limit_centavos: int = 0
    has_contact_consent: bool = False
    note: str = ""


@dataclass
class CleanCustomer:
    """Customer data once checked: normalised numbers, e-mail and TIN."""

    kind: str
    name: str
    business_name: str
    numbers: list[str]
    email: str | None
    address: str
    tin: str
    credit_limit_centavos: int
    has_contact_consent: bool
    note: str


class CustomerInvalid(DomainError):
    """Customer data with problems; `errors` maps each field to its message.

    A phone number's key is `phones-N`, N being its slot on the form.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Please correct the marked fields; nothing was saved.")
        self.errors = errors


def one_line(text: str) -> str:
    """Return text on one line with single spaces between words."""
    return " ".join(text.split())


def _clean_numbers(phones: list[str], errors: dict[str, str]) -> list[str]:
    numbers: list[str] = []
    for slot, typed in enumerate(phones):
        if not typed.strip():
            continue
        try:
            number = normalise_mobile(typed)
        except InvalidMobile as exc:
            errors[f"phones-{slot}"] = exc.message
            continue
        if number not in numbers:
            numbers.append(number)
    if not numbers and not errors:
        errors["phones-0"] = (
            "Enter at least one mobile number: it is how the counter finds "
            "the customer."
        )
    if len(numbers) > MAX_PHONES:
        errors["phones-0"] = f"A customer has at most {MAX_PHONES} mobile numbers."
    return numbers


def check_customer_data(data: CustomerData) -> CleanCustomer:
    """Return the data normalised, or raise CustomerInvalid naming every problem.

    Rules: a name is required; businesses and government offices need their
    business name; at least one valid Philippine mobile number; a valid e-mail,
    TIN shape and a credit limit of zero or more.
    """
    errors: dict[str, str] = {}
    name = one_line(data.name)
    business_name = one_line(data.business_name)
    if not name:
        errors["name"] = "Enter the customer's name."
    elif len(name) > 120:
        errors["name"] = "A name has at most 120 characters."
    if data.kind not in {kind.value for kind in CustomerKind}:
        errors["kind"] = "Choose individual, business or government."
    elif data.kind != CustomerKind.INDIVIDUAL and not business_name:
        errors["business_name"] = "Enter the name of the business or government office."
    if len(business_name) > 160:
        errors["business_name"] = "A business name has at most 160 characters."
    numbers = _clean_numbers(data.phones, errors)
    email: str | None = None
    tin = ""
    try:
        email = normalise_customer_email(data.email)
    except DomainError as exc:
        errors["email"] = exc.message
    try:
        tin = normalise_tin(data.tin)
    except DomainError as exc:
        errors["tin"] = exc.message
    address = data.address.strip()
    if len(address) > 500:
        errors["address"] = "An address has at most 500 characters."
    if data.credit_limit_centavos < 0:
        errors["credit_limit"] = "The credit limit cannot be negative."
    note = data.note.strip()
    if len(note) > MAX_NOTE:
        errors["note"] = f"A note has at most {MAX_NOTE:,} characters."
    if errors:
        raise CustomerInvalid(errors)
    return CleanCustomer(
        kind=data.kind,
        name=name,
        business_name=business_name,
        numbers=numbers,
        email=email,
        address=address,
        tin=tin,
        credit_limit_centavos=data.credit_limit_centavos,
        has_contact_consent=data.has_contact_consent,
        note=note,
    )
