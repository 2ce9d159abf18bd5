"""Cart arithmetic: discounts share out exactly and the VAT breakdown adds up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jcicons.sales.pricing import (
    Discount,
    DiscountKind,
    LineInput,
    discount_percent,
    price_cart,
    share_out,
    vat_in,
)

VAT_CLASSES = ["VATABLE", "EXEMPT", "ZERO_RATED"]

amount_discounts = st.builds(
    Discount, st.just(DiscountKind.AMOUNT), st.integers(0, 5_000_000)
)
percent_discounts = st.builds(
    Discount,
    st.just(DiscountKind.PERCENT),
    st.just(0),
    st.decimals(0, 100, places=2, allow_nan=False, allow_infinity=False),
)
discounts = st.one_of(amount_discounts, percent_discounts)
lines = st.builds(
    LineInput,
    st.integers(0, 20_000_000),
    st.integers(1, 50),
    st.sampled_from(VAT_CLASSES),
    discounts,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(lines, min_size=1, max_size=12), discounts)
def test_vat_breakdown_always_adds_up_to_the_total(cart, sale_discount):
    totals = price_cart(cart, sale_discount)
    parts = (
        totals.vatable_sales_centavos
        + totals.vat_centavos
        + totals.exempt_sales_centavos
        + totals.zero_rated_sales_centavos
    )
    assert parts == totals.total_centavos
    assert totals.total_centavos == (
        totals.subtotal_centavos
        - totals.line_discounts_centavos
        - totals.sale_discount_centavos
    )
    assert all(line.net_centavos >= 0 for line in totals.lines)
    assert sum(line.sale_discount_centavos for line in totals.lines) == (
        totals.sale_discount_centavos
    )


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**8), min_size=1, max_size=20))
def test_share_out_parts_add_up_and_follow_the_weights(amount, weights):
    parts = share_out(amount, weights)
    if sum(weights) == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == amount
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(amount) * weight / sum(weights)
        assert abs(part - exact) < 1


def test_vat_is_twelve_over_one_hundred_twelve_rounded_half_up():
    assert vat_in(112_00) == 12_00
    assert vat_in(1_00) == 11  # 10.71 centavos -> 11
    assert vat_in(28_995_00) == 3_106_61  # 310,660.71 -> 310,661


def test_a_mixed_receipt_shows_each_vat_class():
    cart = [
        LineInput(28_995_00, 1, "VATABLE"),
        LineInput(500_00, 2, "EXEMPT"),
        LineInput(1_000_00, 1, "ZERO_RATED"),
    ]
    totals = price_cart(cart)
    assert totals.total_centavos == 30_995_00
    assert (totals.vatable_sales_centavos, totals.vat_centavos) == (25_888_39, 3_106_61)
    assert (totals.exempt_sales_centavos, totals.zero_rated_sales_centavos) == (
        1_000_00,
        1_000_00,
    )


def test_a_sale_discount_is_shared_in_proportion_to_the_lines():
    cart = [LineInput(300_00, 1), LineInput(100_00, 1)]
    totals = price_cart(cart, Discount(DiscountKind.AMOUNT, 40_00))
    assert [line.sale_discount_centavos for line in totals.lines] == [30_00, 10_00]
    assert totals.total_centavos == 360_00


def test_a_percent_line_discount_rounds_half_up_and_never_exceeds_the_line():
    cart = [
        LineInput(333, 1, discount=Discount(DiscountKind.PERCENT, 0, Decimal("50")))
    ]
    assert price_cart(cart).lines[0].line_discount_centavos == 167  # 166.5 -> 167
    big = [LineInput(100_00, 1, discount=Discount(DiscountKind.AMOUNT, 500_00))]
    assert price_cart(big).total_centavos == 0


def test_a_non_vat_shop_has_no_breakdown():
    totals = price_cart([LineInput(112_00, 1)], vat_registered=False)
    assert totals.total_centavos == 112_00
    assert (totals.vatable_sales_centavos, totals.vat_centavos) == (0, 0)


def test_discount_percent_counts_every_discount_against_the_subtotal():
    cart = [LineInput(1_000_00, 1, discount=Discount(DiscountKind.AMOUNT, 50_00))]
    totals = price_cart(cart, Discount(DiscountKind.AMOUNT, 50_00))
    assert discount_percent(totals) == Decimal(10)


def test_quantities_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        price_cart([LineInput(100, 0)])
