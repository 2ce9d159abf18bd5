"""Serial numbers, IMEIs and barcodes for the demo shop's units and products."""

from __future__ import annotations

import random
import string

from jcicons.demo.catalogue import ProductSpec

_SERIAL_ALPHABET = string.ascii_uppercase + string.digits

# Serial number shapes by brand: a fixed prefix and the length of the random rest.
_SERIAL_SHAPES = {
    "Acer": ("NX", 20),
    "ASUS": ("R9N0", 9),
    "Lenovo": ("PF", 6),
    "HP": ("5CD", 7),
    "Dell": ("", 7),
    "MSI": ("K23", 9),
    "Apple": ("C02", 9),
    "JC Icons": ("JCI", 8),
    "Epson": ("X8H", 7),
    "Canon": ("KM", 8),
    "Brother": ("E7", 13),
}


def luhn_digit(body: str) -> str:
    """Return the Luhn check digit of a string of digits (the last digit of an IMEI)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_imei(value: str) -> bool:
    """Return True for 15 digits whose last one is the Luhn check digit."""
    return len(value) == 15 and value.isdigit() and luhn_digit(value[:14]) == value[14]


def ean13_digit(body: str) -> str:
    """Return the check digit of the first 12 digits of an EAN-13 barcode."""
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    return str((10 - total % 10) % 10)


class SerialMaker:
    """Make serial numbers, IMEIs and barcodes that are new to the shop."""

    def __init__(
        self,
        rng: random.Random,
        taken_serials: set[str] | None = None,
        taken_barcodes: set[str] | None = None,
    ) -> None:
        self.rng = rng
        self.serials = set(taken_serials or ())
        self.barcodes = set(taken_barcodes or ())
        self._tacs: dict[str, str] = {}
        self._next_barcode = rng.randrange(10_000_000, 90_000_000)

    def _type_code(self, model: str) -> str:
        # Phones of one model share their first eight IMEI digits (the TAC).
        if model not in self._tacs:
            self._tacs[model] = self.rng.choice(("35", "86")) + "".join(
                self.rng.choices(string.digits, k=6)
            )
        return self._tacs[model]

    def serial(self, spec: ProductSpec) -> str:
        """Return a new serial number (or IMEI) for one unit of a product."""
        while True:
            if spec.serial_kind == "imei":
                body = self._type_code(spec.model) + "".join(
                    self.rng.choices(string.digits, k=6)
                )
                candidate = body + luhn_digit(body)
            else:
                prefix, length = _SERIAL_SHAPES.get(spec.brand, ("SN", 10))
                candidate = prefix + "".join(
                    self.rng.choices(_SERIAL_ALPHABET, k=length)
                )
            if candidate not in self.serials:
                self.serials.add(candidate)
                return candidate

    def barcode(self) -> str:
        """Return a new EAN-13 barcode with the Philippine 480 prefix."""
        while True:
            self._next_barcode += self.rng.randint(1, 97)
            body = f"480{self._next_barcode % 10**9:09d}"
            candidate = body + ean13_digit(body)
            if candidate not in self.barcodes:
                self.barcodes.add(candidate)
                return candidate
