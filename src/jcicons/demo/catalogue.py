"""What the demo shop sells and who supplies it: categories, products, suppliers.

Everything here is plain data and pure functions of a `random.Random`, so the same
seed always gives the same catalogue. Prices are Philippine pesos as shops print
them (₱28,995.00, ₱349.00); costs are a percentage of the price, always below it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from decimal import Decimal

from jcicons.demo.price_list import (
    ACCESSORY_ITEMS,
    CHARGER_ITEMS,
    DESKTOP_ITEMS,
    INK_SERIES,
    LAPTOP_FAMILIES,
    MONITOR_ITEMS,
    PANEL_ITEMS,
    PHONE_FAMILIES,
    PRINTER_ITEMS,
    RAM_ITEMS,
    REPAIR_PART_ITEMS,
    SERVICE_ITEMS,
    STORAGE_ITEMS,
)
from jcicons.money import percent_of

LAPTOPS = "Laptops"
DESKTOPS = "Desktops and system units"
PRINTERS = "Printers"
MONITORS = "Monitors"
PHONES = "Phones"
RAM = "RAM"
STORAGE = "SSD and storage"
CHARGERS = "Chargers and adapters"
PANELS = "Screens and panels"
INK = "Ink and toner"
ACCESSORIES = "Accessories"
REPAIR_PARTS = "Repair parts"
SERVICES = "Services"

CATEGORIES = (
    LAPTOPS,
    DESKTOPS,
    PRINTERS,
    MONITORS,
    PHONES,
    RAM,
    STORAGE,
    CHARGERS,
    PANELS,
    INK,
    ACCESSORIES,
    REPAIR_PARTS,
    SERVICES,
)


@dataclass(frozen=True)
class Restock:
    """How a category is stocked: receipts per product, units per receipt, levels."""

    receipts: tuple[int, int]
    units: tuple[int, int]
    reorder_level: int
    reorder_quantity: int
    cost_percent: tuple[int, int]


RESTOCK = {
    LAPTOPS: Restock((0, 3), (1, 2), 1, 2, (84, 90)),
    DESKTOPS: Restock((0, 2), (1, 2), 1, 2, (82, 88)),
    PRINTERS: Restock((1, 3), (1, 4), 1, 3, (82, 88)),
    MONITORS: Restock((1, 3), (2, 5), 2, 4, (80, 87)),
    PHONES: Restock((1, 3), (1, 4), 2, 5, (85, 91)),
    RAM: Restock((1, 4), (3, 10), 3, 10, (72, 82)),
    STORAGE: Restock((1, 4), (3, 10), 3, 10, (74, 83)),
    CHARGERS: Restock((1, 3), (5, 15), 3, 10, (45, 65)),
    PANELS: Restock((1, 3), (1, 4), 1, 3, (55, 70)),
    INK: Restock((2, 5), (12, 36), 12, 36, (70, 80)),
    ACCESSORIES: Restock((1, 4), (5, 20), 5, 15, (55, 72)),
    REPAIR_PARTS: Restock((1, 3), (3, 8), 2, 5, (50, 68)),
}

# Local suppliers (invented names) and the categories each one delivers.
SUPPLIERS = {
    "Northstar IT Distribution, Quezon City": (
        LAPTOPS,
        DESKTOPS,
        MONITORS,
        RAM,
        STORAGE,
        ACCESSORIES,
    ),
    "Gilmore Parts Trading, San Juan": (
        LAPTOPS,
        DESKTOPS,
        RAM,
        STORAGE,
        PANELS,
        CHARGERS,
        REPAIR_PARTS,
    ),
    "Binondo Mobile Distributors, Manila": (PHONES, CHARGERS, ACCESSORIES, PANELS),
    "Mactan Digital Supply, Cebu": (PHONES, MONITORS, ACCESSORIES),
    "Ortigas Printer Center, Pasig": (PRINTERS, INK),
    "Raon Electronics Parts, Manila": (PANELS, CHARGERS, ACCESSORIES, REPAIR_PARTS),
    "Metro Ink and Toner Depot, Makati": (INK,),
    "Bajada Tech Wholesale, Davao": (LAPTOPS, PRINTERS, STORAGE, RAM),
}


def suppliers_of(category: str) -> list[str]:
    """Return the suppliers that deliver a category, in a fixed order."""
    return [name for name, categories in SUPPLIERS.items() if category in categories]


@dataclass(frozen=True)
class ProductSpec:
    """One product of the demo catalogue, before it exists in the database."""

    category: str
    brand: str
    name: str
    model: str
    price_centavos: int
    cost_centavos: int = 0
    serial_kind: str = ""  # "", "imei" or "unit"
    unit: str = "pc"
    is_service: bool = False
    barcode: bool = True

    @property
    def is_serialized(self) -> bool:
        """Return True when every unit carries a serial number or IMEI."""
        return bool(self.serial_kind)


PESO = 100


def _goods(
    rng: random.Random,
    category: str,
    brand: str,
    name: str,
    model: str,
    pesos: int,
    serial_kind: str = "",
    unit: str = "pc",
) -> ProductSpec:
    low, high = RESTOCK[category].cost_percent
    price = pesos * PESO
    cost = percent_of(price, Decimal(rng.randint(low, high)))
    # Generic parts and phone screens rarely carry a barcode the shop can scan.
    barcode = brand not in {"Generic", "OEM"} and category != PANELS
    return ProductSpec(
        category=category,
        brand=brand,
        name=f"{brand} {name}" if brand not in {"Generic", "OEM"} else name,
        model=model,
        price_centavos=price,
        cost_centavos=min(cost, price - PESO),
        serial_kind=serial_kind,
        unit=unit,
        barcode=barcode,
    )


def shop_catalogue(rng: random.Random) -> list[ProductSpec]:
    """Return the few hundred products of the demo shop, in category order."""
    specs: list[ProductSpec] = []
    for brand, family, model, base, variants in LAPTOP_FAMILIES:
        for label, extra in variants:
            specs.append(
                _goods(
                    rng,
                    LAPTOPS,
                    brand,
                    f"{family} {model} ({label})",
                    model,
                    base + extra,
                    "unit",
                )
            )
    for brand, name, model, pesos in DESKTOP_ITEMS:
        specs.append(_goods(rng, DESKTOPS, brand, name, model, pesos, "unit"))
    for brand, name, model, pesos in PRINTER_ITEMS:
        specs.append(_goods(rng, PRINTERS, brand, name, model, pesos, "unit"))
    for brand, name, model, pesos in MONITOR_ITEMS:
        specs.append(_goods(rng, MONITORS, brand, name, model, pesos))
    for brand, name, model, phone_variants in PHONE_FAMILIES:
        for memory, pesos in phone_variants:
            specs.append(
                _goods(rng, PHONES, brand, f"{name} {memory}", model, pesos, "imei")
            )
    simple = (
        (RAM, RAM_ITEMS),
        (STORAGE, STORAGE_ITEMS),
        (CHARGERS, CHARGER_ITEMS),
        (PANELS, PANEL_ITEMS),
        (REPAIR_PARTS, REPAIR_PART_ITEMS),
    )
    for category, items in simple:
        for brand, name, model, pesos in items:
            specs.append(_goods(rng, category, brand, name, model, pesos))
    for brand, series, prefix, colours in INK_SERIES:
        unit = "bottle" if "bottle" in series else "pc"
        for colour, suffix, pesos in colours:
            specs.append(
                _goods(
                    rng,
                    INK,
                    brand,
                    f"{series} {colour}",
                    prefix + suffix,
                    pesos,
                    "",
                    unit,
                )
            )
    for brand, name, model, pesos in ACCESSORY_ITEMS:
        unit = "ream" if "500 sheets" in name else "pc"
        specs.append(_goods(rng, ACCESSORIES, brand, name, model, pesos, "", unit))
    for name, pesos in SERVICE_ITEMS:
        specs.append(
            ProductSpec(
                category=SERVICES,
                brand="",
                name=name,
                model="",
                price_centavos=pesos * PESO,
                unit="job",
                is_service=True,
                barcode=False,
            )
        )
    return specs


def charm_price(centavos: int) -> int:
    """Return a shelf price near an amount: ₱28,995.00, ₱1,295.00 or ₱349.00."""
    pesos = max(centavos // PESO, 10)
    if pesos >= 10_000:
        pesos = max((pesos + 500) // 1_000 * 1_000 - 5, 9_995)
    elif pesos >= 1_000:
        pesos = max((pesos + 50) // 100 * 100 - 5, 995)
    elif pesos >= 100:
        pesos = (pesos + 5) // 10 * 10 - 1
    return pesos * PESO


def large_catalogue(rng: random.Random, count: int) -> list[ProductSpec]:
    """Return `count` products: the shop's catalogue, then numbered lots of its goods.

    Each lot is a re-stocked variant of a base product (its own model code and a
    price within a few per cent), the way a big catalogue repeats its lines.
    """
    base = shop_catalogue(rng)
    specs = base[:count]
    goods = [spec for spec in base if not spec.is_service]
    lot = 1
    while len(specs) < count:
        for spec in goods[: count - len(specs)]:
            price = charm_price(
                percent_of(spec.price_centavos, Decimal(rng.randint(92, 108)))
            )
            low, high = RESTOCK[spec.category].cost_percent
            cost = percent_of(price, Decimal(rng.randint(low, high)))
            specs.append(
                replace(
                    spec,
                    name=f"{spec.name} - lot {lot:03d}",
                    model=f"{spec.model}-L{lot:03d}"[:80],
                    price_centavos=price,
                    cost_centavos=min(cost, price - PESO),
                )
            )
        lot += 1
    return specs


# Adjustments ------------------------------------------------------------------

ADJUSTMENT_NOTES = {
    "DAMAGED": (
        "Dropped while unboxing",
        "Box crushed in delivery, unit dented",
        "Water damage from the roof leak",
        "Leaked in transit",
    ),
    "FOUND": (
        "Found in the back room during clean-up",
        "Misplaced box found under the counter",
    ),
    "COUNT_CORRECTION": ("Monthly count", "Quarter-end count"),
    "LOST_OR_STOLEN": ("Missing after the weekend", "Shoplifting reported to the mall"),
    "RETURNED_TO_SUPPLIER": (
        "Dead on arrival, returned for replacement",
        "Wrong model delivered",
    ),
    "OTHER": ("Opened for the display shelf", "Given with a bulk order as a freebie"),
}
