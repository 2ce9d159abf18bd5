"""Mobile numbers: one stored form (+63...), one readable form, partial search."""

from __future__ import annotations

import pytest

from jcicons.customers.phones import (
    InvalidMobile,
    format_mobile,
    normalise_mobile,
    search_digits,
)


@pytest.mark.parametrize(
    "typed",
    [
        "09171234567",
        "+63 917 123 4567",
        "0917-123-4567",
        "639171234567",
        " (0917) 123 4567 ",
        "0063 917 123 4567",
    ],
)
def test_every_usual_way_of_typing_a_mobile_number_is_stored_as_plus_63(typed):
    assert normalise_mobile(typed) == "+639171234567"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("(02) 8123 4567", "is a landline"),
        ("0281234567", "is a landline"),
        ("+1 650 253 0000", "is not a Philippine number"),
        ("0917123456", "is not a complete Philippine mobile number"),
        ("091712345678", "is not a complete Philippine mobile number"),
        ("12345", "is not a complete Philippine mobile number"),
        ("call me", "Enter a mobile number in digits"),
        ("0917 123 4567 ext 2", "Enter a mobile number in digits"),
        ("0" * 40, "Enter a mobile number in digits"),
        ("   ", "Enter a mobile number, for example 0917 123 4567."),
    ],
)
def test_landlines_foreign_numbers_and_nonsense_are_refused_with_a_reason(
    typed, message
):
    with pytest.raises(InvalidMobile, match=message):
        normalise_mobile(typed)


def test_a_stored_number_reads_the_philippine_way():
    assert format_mobile("+639171234567") == "0917 123 4567"


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("0917-123-4567", "9171234567"),
        ("+63 917 123", "63917123"),
        ("0063 917", "63917"),
        ("4567", "4567"),
        ("09", ""),
        ("juan", ""),
        ("C-000012", ""),
    ],
)
def test_a_partly_typed_number_becomes_digits_the_stored_number_contains(typed, digits):
    assert search_digits(typed) == digits
    if digits:
        assert digits in "+639171234567"
