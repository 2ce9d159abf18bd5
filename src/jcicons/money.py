"""Money as integer centavos: parsing, rounding and formatting in one place.

Amounts are stored as whole centavos in BigInteger columns. Text from people is
parsed with Decimal, never float. Rounding is half-up to the centavo and happens
only through `round_centavos`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PESO_SIGN = "\u20b1"
CENTAVOS_PER_PESO = 100
MAX_CENTAVOS = 10**13  # one hundred billion pesos: far past any shop document

_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")
# Commas may only group thousands: "1,25" is a typo, not 125 pesos.
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d*)?$")


class MoneyError(ValueError):
    """Text that is not an amount of pesos; the message says what is wrong."""


def round_centavos(value: Decimal) -> int:
    """Round a Decimal number of centavos half-up to a whole centavo."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_pesos(text: str, allow_negative: bool = False) -> int:
    """Return the centavos in a peso amount such as '1,234.50', '₱99' or 'PHP 12.5'.

    Raises MoneyError for anything else: letters, more than two decimals, a
    negative amount when not allowed, or an absurdly large figure.
    """
    cleaned = text.strip().replace(" ", "")
    # The sign may stand before the peso sign, the way format_pesos writes it.
    sign = ""
    if cleaned.startswith("-"):
        sign, cleaned = "-", cleaned[1:]
    for prefix in (PESO_SIGN, "PHP", "Php", "php", "P"):
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :]
            break
    cleaned = sign + cleaned if cleaned else ""
    if "," in cleaned:
        if not _GROUPED.fullmatch(cleaned):
            raise MoneyError(
                "Use commas only between thousands, e.g. 1,250.50 (not 1,25)."
            )
        cleaned = cleaned.replace(",", "")
    if not cleaned:
        raise MoneyError("Enter an amount, for example 1,250.00.")
    if not _AMOUNT.fullmatch(cleaned):
        raise MoneyError(
            "Enter an amount in pesos with at most two decimals, e.g. 1,250.50."
        )
    try:
        centavos = int(Decimal(cleaned) * CENTAVOS_PER_PESO)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already checks
        raise MoneyError("Enter an amount in pesos.") from exc
    if centavos < 0 and not allow_negative:
        raise MoneyError("The amount cannot be negative.")
    if abs(centavos) >= MAX_CENTAVOS:
        raise MoneyError("That amount is too large.")
    return centavos


def to_decimal(centavos: int) -> Decimal:
    """Return centavos as a Decimal number of pesos (for spreadsheets)."""
    return (Decimal(centavos) / CENTAVOS_PER_PESO).quantize(Decimal("0.01"))


def format_pesos(centavos: int | None, symbol: str = PESO_SIGN) -> str:
    """Format centavos as '₱1,234.50' (or with another symbol, e.g. 'PHP ')."""
    if centavos is None:
        return ""
    sign = "-" if centavos < 0 else ""
    pesos, cents = divmod(abs(int(centavos)), CENTAVOS_PER_PESO)
    return f"{sign}{symbol}{pesos:,}.{cents:02d}"


def format_plain(centavos: int) -> str:
    """Format centavos as '1234.50' (for form fields and CSV files)."""
    sign = "-" if centavos < 0 else ""
    pesos, cents = divmod(abs(int(centavos)), CENTAVOS_PER_PESO)
    return f"{sign}{pesos}.{cents:02d}"


def percent_of(centavos: int, percent: Decimal) -> int:
    """Return `percent` per cent of an amount, rounded half-up to the centavo."""
    return round_centavos(Decimal(centavos) * percent / 100)
