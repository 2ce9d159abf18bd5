"""Money properties: formatting and parsing round-trip, rounding is half-up."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from jcicons.money import (
    MAX_CENTAVOS,
    format_pesos,
    format_plain,
    parse_pesos,
    percent_of,
)

centavos = st.integers(min_value=-(MAX_CENTAVOS - 1), max_value=MAX_CENTAVOS - 1)
percents = st.decimals(min_value=0, max_value=200, places=3)


@given(centavos)
def test_formatted_pesos_parse_back_to_the_same_centavos(amount):
    assert parse_pesos(format_pesos(amount), allow_negative=True) == amount


@given(centavos, st.sampled_from(["PHP ", "P", "Php"]))
def test_pesos_with_another_symbol_parse_back(amount, symbol):
    assert parse_pesos(format_pesos(amount, symbol), allow_negative=True) == amount


@given(centavos)
def test_plain_amounts_parse_back_to_the_same_centavos(amount):
    assert parse_pesos(format_plain(amount), allow_negative=True) == amount


@given(st.integers(min_value=1, max_value=MAX_CENTAVOS - 1))
def test_negative_amounts_are_refused_unless_allowed(amount):
    text = format_pesos(-amount)
    try:
        parse_pesos(text)
    except ValueError as refusal:
        assert "negative" in str(refusal)
    else:
        raise AssertionError(f"{text} was accepted")


def half_up(value: Fraction) -> int:
    """Round to the nearest whole number, halves away from zero."""
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


@given(centavos, percents)
def test_percent_of_rounds_half_up_to_the_centavo(amount, percent):
    exact = Fraction(amount) * Fraction(percent) / 100
    result = percent_of(amount, percent)
    assert result == half_up(exact)
    assert abs(result - exact) <= Fraction(1, 2)


@given(st.integers(min_value=0, max_value=10**9))
def test_half_a_centavo_always_rounds_up(amount):
    # 50 % of an odd number of centavos ends in exactly half a centavo.
    odd = 2 * amount + 1
    assert percent_of(odd, Decimal(50)) == amount + 1
    assert percent_of(-odd, Decimal(50)) == -(amount + 1)
