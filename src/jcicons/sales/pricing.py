"""Cart arithmetic: line and sale discounts, totals, and the VAT breakdown.

Pure functions over integer centavos, so the rules are easy to test. Prices are
VAT-inclusive. A sale discount is shared across lines in proportion to their amounts
(largest remainder, so the shares add up exactly). VAT is worked out once per
document from the VATable total, so VATable sales + VAT + exempt + zero-rated
always equals the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from jcicons.inventory.models import VatClass
from jcicons.money import percent_of, round_centavos

VAT_RATE_PERCENT = Decimal(12)


class DiscountKind(StrEnum):
    """How a discount is stated."""

    AMOUNT = "amount"
    PERCENT = "percent"


@dataclass(frozen=True)
class Discount:
    """A discount as entered: an amount in centavos, or a percentage."""

    kind: DiscountKind
    amount_centavos: int = 0
    percent: Decimal = Decimal(0)

    def applied_to(self, base_centavos: int) -> int:
        """Return the discount in centavos on a base, never more than the base."""
        if self.kind == DiscountKind.PERCENT:
            value = percent_of(base_centavos, self.percent)
        else:
            value = self.amount_centavos
        return max(0, min(value, base_centavos))


NO_DISCOUNT = Discount(DiscountKind.AMOUNT, 0)


@dataclass(frozen=True)
class LineInput:
    """One cart line as the catalogue prices it."""

    unit_price_centavos: int
    quantity: int
    vat_class: str = VatClass.VATABLE.value
    discount: Discount = NO_DISCOUNT


@dataclass(frozen=True)
class PricedLine:
    """A line's money after discounts."""

    gross_centavos: int  # unit price x quantity
    line_discount_centavos: int
    sale_discount_centavos: int  # this line's share of the sale discount
    net_centavos: int  # what the customer pays for this line
    vat_class: str


@dataclass(frozen=True)
class Totals:
    """A document's totals and its VAT breakdown."""

    lines: tuple[PricedLine, ...]
    subtotal_centavos: int  # before any discount
    line_discounts_centavos: int
    sale_discount_centavos: int
    total_centavos: int
    vatable_sales_centavos: int  # VATable amount without the VAT
    vat_centavos: int
    exempt_sales_centavos: int
    zero_rated_sales_centavos: int

    @property
    def discount_centavos(self) -> int:
        """Return every discount together."""
        return self.line_discounts_centavos + self.sale_discount_centavos


def share_out(amount: int, weights: list[int]) -> list[int]:
    """Split `amount` in proportion to `weights`; the parts add up to `amount` exactly.

    Largest-remainder method: each part is rounded down, and the centavos left over
    go to the parts with the largest remainders (earlier parts first on ties).
    """
    total = sum(weights)
    if amount == 0 or total == 0:
        return [0] * len(weights)
    parts = [amount * w // total for w in weights]
    remainders = [(amount * w % total, -i) for i, w in enumerate(weights)]
    for _, negative_index in sorted(remainders, reverse=True)[: amount - sum(parts)]:
        parts[-negative_index] += 1
    return parts


def vat_in(gross_centavos: int) -> int:
    """Return the VAT inside a VAT-inclusive amount (12/112), rounded half-up."""
    return round_centavos(
        Decimal(gross_centavos) * VAT_RATE_PERCENT / (100 + VAT_RATE_PERCENT)
    )


def price_cart(
    lines: list[LineInput],
    sale_discount: Discount = NO_DISCOUNT,
    vat_registered: bool = True,
) -> Totals:
    """Return the totals of a cart priced from the catalogue.

    A non-VAT-registered shop's totals carry no VAT breakdown (all zero).
    """
    priced_before_sale: list[tuple[int, int, str]] = []
    for line in lines:
        if line.quantity <= 0:
            raise ValueError("quantities are positive")
        gross = line.unit_price_centavos * line.quantity
        priced_before_sale.append(
            (gross, line.discount.applied_to(gross), line.vat_class)
        )

    after_lines = [gross - discount for gross, discount, _ in priced_before_sale]
    sale_discount_total = sale_discount.applied_to(sum(after_lines))
    shares = share_out(sale_discount_total, after_lines)

    priced = tuple(
        PricedLine(
            gross, line_discount, share, gross - line_discount - share, vat_class
        )
        for (gross, line_discount, vat_class), share in zip(
            priced_before_sale, shares, strict=True
        )
    )
    total = sum(line.net_centavos for line in priced)

    by_class = {vat_class.value: 0 for vat_class in VatClass}
    for priced_line in priced:
        by_class[priced_line.vat_class] += priced_line.net_centavos
    if vat_registered:
        vat = vat_in(by_class[VatClass.VATABLE.value])
        vatable = by_class[VatClass.VATABLE.value] - vat
        exempt = by_class[VatClass.EXEMPT.value]
        zero = by_class[VatClass.ZERO_RATED.value]
    else:
        vat = vatable = exempt = zero = 0

    return Totals(
        lines=priced,
        subtotal_centavos=sum(gross for gross, _, _ in priced_before_sale),
        line_discounts_centavos=sum(discount for _, discount, _ in priced_before_sale),
        sale_discount_centavos=sale_discount_total,
        total_centavos=total,
        vatable_sales_centavos=vatable,
        vat_centavos=vat,
        exempt_sales_centavos=exempt,
        zero_rated_sales_centavos=zero,
    )


def discount_percent(totals: Totals) -> Decimal:
    """Return every discount as a percentage of the subtotal (for the SALES cap)."""
    if totals.subtotal_centavos == 0:
        return Decimal(0)
    return Decimal(totals.discount_centavos) * 100 / Decimal(totals.subtotal_centavos)
