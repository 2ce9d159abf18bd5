"""Philippine mobile numbers: normalise to +63, show as 0917 123 4567, and turn
a partly typed number into digits a search can match."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from jcicons.exceptions import DomainError

MOBILE_EXAMPLE = "0917 123 4567"
MAX_TYPED = 32
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
PHONE_CHARACTERS = re.compile(r"^[\d\s()+.-]+$")


class InvalidMobile(DomainError):
    """Text that is not a Philippine mobile number."""


def normalise_mobile(text: str) -> str:
    """Return a Philippine mobile number as +63XXXXXXXXXX, however it was typed.

    Accepts 09171234567, 0917-123-4567, +63 917 123 4567 and 639171234567.
    Raises InvalidMobile for landlines, foreign numbers and anything else.
    """
    typed = text.strip()
    if not typed:
        raise InvalidMobile(f"Enter a mobile number, for example {MOBILE_EXAMPLE}.")
    if len(typed) > MAX_TYPED or not PHONE_CHARACTERS.fullmatch(typed):
        raise InvalidMobile(
            f"Enter a mobile number in digits, for example {MOBILE_EXAMPLE}."
        )
    try:
        number = phonenumbers.parse(typed, "PH")
    except NumberParseException as exc:
        raise InvalidMobile(
            f"Enter a mobile number in digits, for example {MOBILE_EXAMPLE}."
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidMobile(
            f"{typed} is not a complete Philippine mobile number "
            f"(11 digits, for example {MOBILE_EXAMPLE})."
        )
    if phonenumbers.region_code_for_number(number) != "PH":
        raise InvalidMobile(
            f"{typed} is not a Philippine number: enter a number such as "
            f"{MOBILE_EXAMPLE}."
        )
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise InvalidMobile(
            f"{typed} is a landline: enter a mobile number such as {MOBILE_EXAMPLE}."
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_mobile(number: str) -> str:
    """Return a stored +63 number the way people read it: 0917 123 4567."""
    try:
        parsed = phonenumbers.parse(number, "PH")
    except NumberParseException:
        return number
    return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)


def search_digits(term: str) -> str:
    """Return the digits of a typed (maybe partial) number that a stored +63
    number contains.

    '0917-123' becomes '917123' and '+63 917 123' becomes '63917123': both are
    inside +639171234567. Returns '' for text that is not a number, or for fewer
    than three digits.
    """
    typed = term.strip()
    if not PHONE_CHARACTERS.fullmatch(typed):
        return ""
    digits = re.sub(r"\D", "", typed)
    # A leading 0 is the trunk prefix (0917...), 00 the international one (0063...).
    digits = digits[2:] if digits.startswith("00") else digits.removeprefix("0")
    return digits if len(digits) >= 3 else ""
