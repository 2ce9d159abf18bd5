"""Inventory use cases: categories, products, receiving, adjustments and counts.

Every stock change goes through `stock.move_stock`; every change is audited in the
same transaction. Services flush but never commit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from jcicons.audit.services import record_audit
from jcicons.clock import shop_today, utcnow
from jcicons.exceptions import DomainError, NotFound
from jcicons.extensions import db
from jcicons.inventory.models import (
    ADJUSTMENT_REASONS,
    Category,
    MovementReason,
    Product,
    Receiving,
    ReceivingLine,
    SerialStatus,
    SerialUnit,
    StockAdjustment,
    StockCount,
    StockCountLine,
    VatClass,
)
from jcicons.inventory.stock import apply_receipt_cost, move_stock
from jcicons.keyed import find_by_key
from jcicons.numbering import next_number

if TYPE_CHECKING:
    from jcicons.auth.models import User

logger = logging.getLogger(__name__)

SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
BARCODE_PATTERN = re.compile(r"^[A-Za-z0-9-]{4,64}$")
SERIAL_PATTERN = re.compile(r"^[A-Za-z0-9/._-]{3,64}$")
MAX_QUANTITY = 100_000

# Where a serialized unit goes when an adjustment takes it out of stock.
SERIAL_STATUS_AFTER = {
    MovementReason.RETURNED_TO_SUPPLIER: SerialStatus.RETURNED_TO_SUPPLIER,
    MovementReason.DAMAGED: SerialStatus.WRITTEN_OFF,
    MovementReason.LOST_OR_STOLEN: SerialStatus.WRITTEN_OFF,
    MovementReason.COUNT_CORRECTION: SerialStatus.WRITTEN_OFF,
    MovementReason.OTHER: SerialStatus.WRITTEN_OFF,
}


# Categories --------------------------------------------------------------------


def _category_code(name: str) -> str:
    letters = re.sub(r"[^A-Za-z0-9]", "", name).upper()[:3] or "CAT"
    code = letters
    suffix = 1
    while db.session.scalar(select(Category.id).where(Category.code == code)):
        suffix += 1
        code = f"{letters}{suffix}"
    return code


def _clean_name(name: str, what: str, limit: int) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise DomainError(f"Enter a {what}.", field="name")
    if len(cleaned) > limit:
        raise DomainError(f"A {what} has at most {limit} characters.", field="name")
    return cleaned


def _name_taken(name: str, exclude_id: int | None = None) -> bool:
    query = select(Category.id).where(func.lower(Category.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Category.id != exclude_id)
    return db.session.scalar(query) is not None


def create_category(name: str, actor: User) -> Category:
    """Create a category; its SKU prefix comes from its name.

    Raises DomainError for an empty or taken name.
    """
    name = _clean_name(name, "category name", 80)
    if _name_taken(name):
        raise DomainError("There is already a category with that name.", field="name")
    category = Category(name=name, code=_category_code(name))
    db.session.add(category)
    db.session.flush()
    record_audit(
        actor,
        "category.create",
        "category",
        category.id,
        None,
        {"name": category.name, "code": category.code},
    )
    logger.info("category %s created by %s", category.name, actor.username)
    return category


def rename_category(category: Category, name: str, actor: User) -> None:
    """Rename a category (its SKU prefix stays)."""
    name = _clean_name(name, "category name", 80)
    if _name_taken(name, exclude_id=category.id):
        raise DomainError("There is already a category with that name.", field="name")
    if name == category.name:
        return
    before = category.name
    category.name = name
    record_audit(
        actor,
        "category.rename",
        "category",
        category.id,
        {"name": before},
        {"name": name},
    )


def set_category_archived(category: Category, archived: bool, actor: User) -> None:
    """Archive a category (hidden from pickers) or bring it back.

    Raises DomainError when active products still use it.
    """
    if category.is_archived == archived:
        return
    if archived:
        in_use = db.session.scalar(
            select(func.count())
            .select_from(Product)
            .where(Product.category_id == category.id, Product.is_archived.is_(False))
        )
        if in_use:
            raise DomainError(
                f"{in_use} active product(s) still use {category.name}: move or "
                "archive them first."
            )
    category.is_archived = archived
    record_audit(
        actor,
        "category.archive" if archived else "category.restore",
        "category",
        category.id,
        {"is_archived": not archived},
        {"is_archived": archived},
    )


def list_categories(include_archived: bool = False) -> list[Category]:
    """Return categories by name (active ones only, unless asked)."""
    query = select(Category).order_by(Category.name)
    if not include_archived:
        query = query.where(Category.is_archived.is_(False))
    return list(db.session.scalars(query))


# Products ----------------------------------------------------------------------


@dataclass
class ProductData:
    """The editable fields of a product, already parsed into plain values."""

    name: str
    category_id: int
    price_centavos: int
    sku: str = ""
    barcode: str = ""
    brand: str = ""
    model: str = ""
    description: str = ""
    unit: str = "pc"
    cost_centavos: int = 0
    reorder_level: int = 0
    reorder_quantity: int = 0
    vat_class: str = VatClass.VATABLE.value
    is_service: bool = False
    is_serialized: bool = False
    errors: dict[str, str] = field(default_factory=dict)


PRODUCT_FIELDS = (
    "sku",
    "barcode",
    "name",
    "brand",
    "model",
    "category_id",
    "description",
    "unit",
    "price_centavos",
    "cost_centavos",
    "reorder_level",
    "reorder_quantity",
    "vat_class",
    "is_service",
    "is_serialized",
)


def product_snapshot(product: Product) -> dict[str, Any]:
    """Return the audited fields of a product."""
    return {name: getattr(product, name) for name in (*PRODUCT_FIELDS, "is_archived")}


def check_product_data(
    data: ProductData, product: Product | None = None
) -> dict[str, str]:
    """Return field -> message for every problem with the data (empty when fine)."""
    errors: dict[str, str] = {}
    data.name = " ".join(data.name.split())
    data.sku = data.sku.strip().upper()
    data.barcode = data.barcode.strip()
    data.brand = data.brand.strip()
    data.model = data.model.strip()
    data.unit = data.unit.strip() or "pc"
    if not data.name:
        errors["name"] = "Enter the product's name."
    elif len(data.name) > 160:
        errors["name"] = "A name has at most 160 characters."
    if len(data.brand) > 80:
        errors["brand"] = "A brand has at most 80 characters."
    if len(data.model) > 80:
        errors["model"] = "A model has at most 80 characters."
    if len(data.unit) > 16:
        errors["unit"] = "A unit has at most 16 characters (pc, box, m, ...)."
    if len(data.description) > 5000:
        errors["description"] = "A description has at most 5,000 characters."
    category = db.session.get(Category, data.category_id)
    if category is None:
        errors["category_id"] = "Choose a category."
    elif category.is_archived and (
        product is None or product.category_id != category.id
    ):
        errors["category_id"] = f"{category.name} is archived; choose another category."
    if data.sku:
        if not SKU_PATTERN.fullmatch(data.sku):
            errors["sku"] = (
                "A SKU is up to 40 letters, digits, dots, dashes or underscores."
            )
        else:
            query = select(Product.id).where(Product.sku == data.sku)
            if product is not None:
                query = query.where(Product.id != product.id)
            if db.session.scalar(query):
                errors["sku"] = f"SKU {data.sku} is already used by another product."
    if data.barcode:
        if not BARCODE_PATTERN.fullmatch(data.barcode):
            errors["barcode"] = "A barcode is 4 to 64 letters, digits or dashes."
        else:
            query = select(Product.id).where(Product.barcode == data.barcode)
            if product is not None:
                query = query.where(Product.id != product.id)
            if db.session.scalar(query):
                errors["barcode"] = "That barcode is already on another product."
    if data.price_centavos < 0:
        errors["price_centavos"] = "The price cannot be negative."
    if data.cost_centavos < 0:
        errors["cost_centavos"] = "The cost cannot be negative."
    for name in ("reorder_level", "reorder_quantity"):
        value = getattr(data, name)
        if value < 0 or value > MAX_QUANTITY:
            errors[name] = f"Use a whole number from 0 to {MAX_QUANTITY:,}."
    if data.vat_class not in {v.value for v in VatClass}:
        errors["vat_class"] = "Choose VATable, VAT-exempt or zero-rated."
    if data.is_service and data.is_serialized:
        errors["is_serialized"] = "A service has no units, so it cannot be serialized."
    if product is not None:
        if data.is_service != product.is_service and product.on_hand:
            errors["is_service"] = "Products with stock on hand cannot become services."
        if data.is_serialized != product.is_serialized and product.on_hand:
            errors["is_serialized"] = (
                "The serialized flag can change only while nothing is on hand."
            )
    return errors


class ProductInvalid(DomainError):
    """Product data with problems; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Please correct the marked fields.")
        self.errors = errors


def _generate_sku(category: Category) -> str:
    while True:
        candidate = f"{category.code}-{next_number(f'sku:{category.code}'):05d}"
        if not db.session.scalar(select(Product.id).where(Product.sku == candidate)):
            return candidate


def create_product(data: ProductData, actor: User) -> Product:
    """Create a product; a blank SKU is generated from the category's prefix.

    Raises ProductInvalid listing every problem with the data.
    """
    errors = check_product_data(data)
    if errors:
        raise ProductInvalid(errors)
    category = db.session.get(Category, data.category_id)
    if category is None:  # checked above; keeps the type checker sure
        raise ProductInvalid({"category_id": "Choose a category."})
    product = Product(
        sku=data.sku or _generate_sku(category),
        barcode=data.barcode or None,
        name=data.name,
        brand=data.brand,
        model=data.model,
        category_id=category.id,
        description=data.description,
        unit=data.unit,
        price_centavos=data.price_centavos,
        cost_centavos=data.cost_centavos,
        reorder_level=0 if data.is_service else data.reorder_level,
        reorder_quantity=0 if data.is_service else data.reorder_quantity,
        vat_class=data.vat_class,
        is_service=data.is_service,
        is_serialized=data.is_serialized,
        on_hand=0,
    )
    db.session.add(product)
    db.session.flush()
    record_audit(
        actor, "product.create", "product", product.id, None, product_snapshot(product)
    )
    logger.info("product %s created by %s", product.sku, actor.username)
    return product


def update_product(
    product: Product, data: ProductData, actor: User, may_change_cost: bool
) -> dict[str, Any]:
    """Change a product's fields; return what changed.

    The unit cost changes only when `may_change_cost` (ADMIN). Raises
    ProductInvalid listing every problem.
    """
    errors = check_product_data(data, product)
    if errors:
        raise ProductInvalid(errors)
    before = product_snapshot(product)
    if not data.sku:
        data.sku = product.sku
    product.sku = data.sku
    product.barcode = data.barcode or None
    product.name, product.brand, product.model = data.name, data.brand, data.model
    product.category_id = data.category_id
    product.description, product.unit = data.description, data.unit
    product.price_centavos = data.price_centavos
    if may_change_cost:
        product.cost_centavos = data.cost_centavos
    product.reorder_level = 0 if data.is_service else data.reorder_level
    product.reorder_quantity = 0 if data.is_service else data.reorder_quantity
    product.vat_class = data.vat_class
    product.is_service, product.is_serialized = data.is_service, data.is_serialized
    after = product_snapshot(product)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        record_audit(
            actor,
            "product.update",
            "product",
            product.id,
            {k: before[k] for k in changed},
            changed,
        )
        db.session.flush()
    return changed


def set_product_archived(product: Product, archived: bool, actor: User) -> None:
    """Archive a product (kept with its history, no longer sold) or restore it."""
    if product.is_archived == archived:
        return
    if not archived and product.category.is_archived:
        raise DomainError(f"Restore the category {product.category.name} first.")
    product.is_archived = archived
    record_audit(
        actor,
        "product.archive" if archived else "product.restore",
        "product",
        product.id,
        {"is_archived": not archived},
        {"is_archived": archived},
    )


def get_product(product_id: int) -> Product:
    """Return a product or raise NotFound."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound("That product does not exist.")
    return product


# Serial numbers ----------------------------------------------------------------


def normalise_serial(serial: str) -> str:
    """Return the stored form of a serial number or IMEI (trimmed, upper case)."""
    return serial.strip().upper()


def _parse_serials(serials: list[str], quantity: int, product: Product) -> list[str]:
    cleaned = [normalise_serial(s) for s in serials if s.strip()]
    if len(cleaned) != quantity:
        raise DomainError(
            f"{product.name} is serialized: enter one serial number per unit "
            f"({quantity} needed, {len(cleaned)} given).",
            field="serials",
        )
    bad = [s for s in cleaned if not SERIAL_PATTERN.fullmatch(s)]
    if bad:
        raise DomainError(
            f"Serial number {bad[0]!r} is not valid (3-64 letters, digits, / . _ -).",
            field="serials",
        )
    duplicates = sorted({s for s in cleaned if cleaned.count(s) > 1})
    if duplicates:
        raise DomainError(
            f"Serial number {duplicates[0]} is entered twice.", field="serials"
        )
    return cleaned


# Receiving ---------------------------------------------------------------------


@dataclass
class ReceivingLineData:
    """One line of a receiving as entered."""

    product_id: int
    quantity: int
    unit_cost_centavos: int
    serials: list[str] = field(default_factory=list)


def find_receiving_by_key(idempotency_key: str) -> Receiving | None:
    """Return the receiving already made from this form, if any."""
    return find_by_key(Receiving, idempotency_key)


def receive_stock(
    supplier_name: str,
    supplier_document: str,
    received_date: date,
    lines: list[ReceivingLineData],
    actor: User,
    note: str = "",
    *,
    idempotency_key: str | None = None,
) -> Receiving:
    """Record a delivery: stock in, moving-average costs, one serial per unit.

    A form sent again (same idempotency key) returns the receiving it made and
    receives nothing more. Raises DomainError for an empty receiving, a missing
    supplier, a quantity out of range, a service or archived product, or serial
    numbers that are missing, repeated or already known.
    """
    if idempotency_key:
        existing = find_receiving_by_key(idempotency_key)
        if existing is not None:
            return existing
    supplier_name = " ".join(supplier_name.split())
    if not supplier_name:
        raise DomainError("Enter the supplier's name.", field="supplier_name")
    if not lines:
        raise DomainError("Add at least one product to the receiving.", field="lines")
    if received_date > shop_today():
        raise DomainError(
            "The received date cannot be in the future.", field="received_date"
        )
    receiving = Receiving(
        number=f"RCV-{next_number('receiving'):06d}",
        idempotency_key=idempotency_key or None,
        supplier_name=supplier_name[:120],
        supplier_document=supplier_document.strip()[:60],
        received_date=received_date,
        note=note.strip()[:500],
        created_by_id=actor.id,
    )
    db.session.add(receiving)
    db.session.flush()
    all_serials: list[str] = []
    for index, line in enumerate(lines, start=1):
        product = db.session.get(Product, line.product_id)
        if product is None:
            raise DomainError(f"Line {index}: choose a product.", field="lines")
        if not 0 < line.quantity <= MAX_QUANTITY:
            raise DomainError(
                f"Line {index}: the quantity must be 1 to {MAX_QUANTITY:,}.",
                field="lines",
            )
        if line.unit_cost_centavos < 0:
            raise DomainError(
                f"Line {index}: the unit cost cannot be negative.", field="lines"
            )
        db.session.add(
            ReceivingLine(
                receiving_id=receiving.id,
                product_id=product.id,
                quantity=line.quantity,
                unit_cost_centavos=line.unit_cost_centavos,
            )
        )
        if product.is_serialized:
            serials = _parse_serials(line.serials, line.quantity, product)
            repeated = sorted(set(serials) & set(all_serials))
            if repeated:
                # Checked before the database: the earlier line's units are
                # already flushed and would otherwise read as "already known".
                raise DomainError(
                    f"Serial number {repeated[0]} appears on two lines.",
                    field="serials",
                )
            all_serials += serials
            known = db.session.scalars(
                select(SerialUnit.serial).where(SerialUnit.serial.in_(serials))
            ).all()
            if known:
                raise DomainError(
                    f"Serial number {known[0]} is already in the system.",
                    field="serials",
                )
            for serial in serials:
                unit = SerialUnit(
                    product_id=product.id,
                    serial=serial,
                    status=SerialStatus.IN_STOCK,
                    receiving_id=receiving.id,
                )
                db.session.add(unit)
                db.session.flush()
                move_stock(
                    product,
                    1,
                    MovementReason.RECEIVED,
                    actor,
                    "receiving",
                    receiving.id,
                    unit_cost_centavos=line.unit_cost_centavos,
                    serial_unit=unit,
                )
        else:
            move_stock(
                product,
                line.quantity,
                MovementReason.RECEIVED,
                actor,
                "receiving",
                receiving.id,
                unit_cost_centavos=line.unit_cost_centavos,
            )
        apply_receipt_cost(product, line.quantity, line.unit_cost_centavos)
    record_audit(
        actor,
        "receiving.create",
        "receiving",
        receiving.id,
        None,
        {
            "number": receiving.number,
            "supplier": receiving.supplier_name,
            "document": receiving.supplier_document,
            "lines": [
                [ln.product_id, ln.quantity, ln.unit_cost_centavos] for ln in lines
            ],
        },
    )
    logger.info(
        "receiving %s (%d lines) by %s", receiving.number, len(lines), actor.username
    )
    return receiving


# Adjustments -------------------------------------------------------------------

# Why a known unit may not come back into stock through a positive adjustment. A
# unit written off (damaged, lost, miscounted) may be found again, and one returned
# to its supplier may come back from them; the others have a document of their own
# that brings them back (a return of the sale, the part taken off the repair).
SERIAL_RETURN_REFUSALS = {
    SerialStatus.IN_STOCK: "is already in stock",
    SerialStatus.SOLD: "was sold: it comes back through a return of its sale",
    SerialStatus.IN_REPAIR: (
        "is used in a repair: it comes back when the part is taken off the ticket"
    ),
}


def find_adjustment_by_key(idempotency_key: str) -> StockAdjustment | None:
    """Return the adjustment already made from this form, if any."""
    return find_by_key(StockAdjustment, idempotency_key)


def adjust_stock(
    product: Product,
    quantity: int,
    reason: MovementReason,
    actor: User,
    note: str = "",
    serials: list[str] | None = None,
    *,
    idempotency_key: str | None = None,
) -> StockAdjustment:
    """Correct stock by a signed quantity for a stated reason; return the adjustment.

    Reasons are count correction, damaged, lost or stolen, returned to supplier,
    found, or other (a note is then required). Serialized products name the units
    that leave (units in stock) or come back: a new serial number, or a unit that
    was written off or returned to its supplier; never one in stock, sold or used
    in a repair. A form sent again (same idempotency key) returns the adjustment
    it made and changes nothing more. Raises DomainError or InsufficientStock.
    """
    if idempotency_key:
        existing = find_adjustment_by_key(idempotency_key)
        if existing is not None:
            return existing
    if reason not in ADJUSTMENT_REASONS:
        raise DomainError("Choose a reason for the adjustment.", field="reason")
    if quantity == 0 or abs(quantity) > MAX_QUANTITY:
        raise DomainError(
            f"Enter a quantity from -{MAX_QUANTITY:,} to {MAX_QUANTITY:,}, not zero.",
            field="quantity",
        )
    note = note.strip()
    if reason == MovementReason.OTHER and not note:
        raise DomainError(
            'Say what happened: a note is required for "Other".', field="note"
        )
    adjustment = StockAdjustment(
        idempotency_key=idempotency_key or None,
        product_id=product.id,
        quantity=quantity,
        reason=reason.value,
        note=note[:500],
        actor_id=actor.id,
    )
    db.session.add(adjustment)
    db.session.flush()
    if product.is_serialized:
        moved = move_serials(
            product,
            quantity,
            reason,
            actor,
            serials or [],
            ("adjustment", adjustment.id),
            note,
        )
    else:
        moved = []
        move_stock(
            product, quantity, reason, actor, "adjustment", adjustment.id, note=note
        )
    record_audit(
        actor,
        "stock.adjust",
        "product",
        product.id,
        None,
        {
            "adjustment_id": adjustment.id,
            "quantity": quantity,
            "reason": reason.value,
            "note": note,
            "serials": moved,
        },
    )
    logger.info(
        "stock of %s adjusted by %+d (%s) by %s",
        product.sku,
        quantity,
        reason.value,
        actor.username,
    )
    return adjustment


def _check_unit_may_return(serial: str, unit: SerialUnit, product: Product) -> None:
    if unit.product_id != product.id:
        raise DomainError(
            f"{serial} is a unit of another product, not of {product.name}.",
            field="serials",
        )
    refusal = SERIAL_RETURN_REFUSALS.get(SerialStatus(unit.status))
    if refusal is not None:
        raise DomainError(
            f"{serial} cannot come back into stock of {product.name}: it {refusal}.",
            field="serials",
        )


def move_serials(
    product: Product,
    quantity: int,
    reason: MovementReason,
    actor: User,
    serials: list[str],
    reference: tuple[str, int],
    note: str = "",
) -> list[str]:
    """Move named units of a serialized product in or out of stock, one ledger row
    each; return the serial numbers moved.

    Units taking stock away must be in stock; units coming back must be new or
    written off or returned to their supplier (see SERIAL_RETURN_REFUSALS).
    Raises DomainError naming the first serial number that cannot move.
    """
    cleaned = _parse_serials(serials, abs(quantity), product)
    units = {
        u.serial: u
        for u in db.session.scalars(
            select(SerialUnit).where(SerialUnit.serial.in_(cleaned))
        )
    }
    reference_type, reference_id = reference
    for serial in cleaned:
        unit = units.get(serial)
        if quantity < 0:
            if (
                unit is None
                or unit.product_id != product.id
                or unit.status != SerialStatus.IN_STOCK
            ):
                raise DomainError(
                    f"{serial} is not an in-stock unit of {product.name}.",
                    field="serials",
                )
            move_stock(
                product,
                -1,
                reason,
                actor,
                reference_type,
                reference_id,
                note=note,
                serial_unit=unit,
            )
            unit.status = SERIAL_STATUS_AFTER.get(reason, SerialStatus.WRITTEN_OFF)
            continue
        if unit is None:
            unit = SerialUnit(
                product_id=product.id, serial=serial, status=SerialStatus.IN_STOCK
            )
            db.session.add(unit)
            db.session.flush()
        else:
            _check_unit_may_return(serial, unit, product)
        unit.status = SerialStatus.IN_STOCK
        move_stock(
            product,
            1,
            reason,
            actor,
            reference_type,
            reference_id,
            note=note,
            serial_unit=unit,
        )
    return cleaned


# Stock counts ------------------------------------------------------------------


def start_count(category_id: int | None, actor: User, note: str = "") -> StockCount:
    """Open a count of one category (or everything), snapshotting expected stock."""
    query = (
        select(Product)
        .where(Product.is_service.is_(False), Product.is_archived.is_(False))
        .order_by(Product.name)
    )
    if category_id is not None:
        if db.session.get(Category, category_id) is None:
            raise DomainError("Choose a category.", field="category_id")
        query = query.where(Product.category_id == category_id)
    count = StockCount(
        category_id=category_id, note=note.strip()[:500], created_by_id=actor.id
    )
    db.session.add(count)
    db.session.flush()
    for product in db.session.scalars(query):
        db.session.add(
            StockCountLine(
                count_id=count.id, product_id=product.id, expected=product.on_hand
            )
        )
    db.session.flush()
    record_audit(
        actor,
        "count.start",
        "stock_count",
        count.id,
        None,
        {"category_id": category_id},
    )
    return count


def record_counted(count: StockCount, counted: dict[int, int | None]) -> None:
    """Store counted quantities by line id (None clears a line)."""
    if count.status != "OPEN":
        raise DomainError("This count is closed.")
    lines = {line.id: line for line in count.lines}
    for line_id, value in counted.items():
        line = lines.get(line_id)
        if line is None:
            continue
        if value is not None and not 0 <= value <= MAX_QUANTITY:
            raise DomainError(f"Counted quantities are 0 to {MAX_QUANTITY:,}.")
        line.counted = value


@dataclass
class CountDifference:
    """One product whose counted quantity differs from its stock now."""

    line: StockCountLine
    on_hand: int
    difference: int


def _differences_of(lines: list[StockCountLine]) -> list[CountDifference]:
    differences = []
    for line in lines:
        if line.counted is None:
            continue
        difference = line.counted - line.product.on_hand
        if difference:
            differences.append(CountDifference(line, line.product.on_hand, difference))
    return differences


def count_differences(
    count: StockCount, lines: list[StockCountLine] | None = None
) -> list[CountDifference]:
    """Return the counted lines that differ from current on-hand.

    Give `lines` (with their products loaded) to compare those, in their order.
    """
    return _differences_of(list(count.lines) if lines is None else lines)


def _close_count(count: StockCount, status: str) -> None:
    """Claim an open count for posting or cancelling, or raise DomainError.

    A conditional UPDATE: of two requests closing one count, the second waits for
    the first's row lock (PostgreSQL) or write lock (SQLite), then matches no row.
    """
    if count.status != "OPEN":
        raise DomainError("This count is already closed.")
    db.session.flush()
    claimed = db.session.execute(
        update(StockCount)
        .where(StockCount.id == count.id, StockCount.status == "OPEN")
        .values(status=status, posted_at=utcnow() if status == "POSTED" else None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(count)
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError("This count is already closed.")


def _current_lines(count: StockCount) -> list[StockCountLine]:
    """Read a count's lines and their products' on-hand as committed now."""
    return list(
        db.session.scalars(
            select(StockCountLine)
            .options(joinedload(StockCountLine.product))
            .where(StockCountLine.count_id == count.id)
            .order_by(StockCountLine.id)
            .execution_options(populate_existing=True)
        )
    )


@dataclass
class CountPosting:
    """What posting a count did: the differences adjusted, and the serialized
    products left to settle unit by unit."""

    adjusted: list[CountDifference]
    unsettled: list[CountDifference]


def post_count(
    count: StockCount, actor: User, serials: dict[int, list[str]] | None = None
) -> CountPosting:
    """Post a count's differences as one batch of count corrections.

    Differences are taken against on-hand at posting time, so sales made during
    the count are not undone. A serialized product's difference is posted only
    with the serial numbers of the units concerned (`serials` by line id: the
    missing units of a shortage, the found ones of a surplus); without them it is
    left out and listed as unsettled, to be adjusted by serial. A count is posted
    once, however many requests post it at the same moment. Raises DomainError
    for a closed count or serial numbers that do not fit the difference.
    """
    _close_count(count, "POSTED")
    serials = serials or {}
    differences = _differences_of(_current_lines(count))
    adjusted: list[CountDifference] = []
    unsettled: list[CountDifference] = []
    moved: dict[int, list[str]] = {}
    note = f"Count #{count.id}"
    for difference in differences:
        product = difference.line.product
        if not product.is_serialized:
            move_stock(
                product,
                difference.difference,
                MovementReason.COUNT_CORRECTION,
                actor,
                "count",
                count.id,
                note=note,
            )
        elif any(s.strip() for s in serials.get(difference.line.id, [])):
            moved[product.id] = move_serials(
                product,
                difference.difference,
                MovementReason.COUNT_CORRECTION,
                actor,
                serials[difference.line.id],
                ("count", count.id),
                note,
            )
        else:
            unsettled.append(difference)
            continue
        adjusted.append(difference)
    record_audit(
        actor,
        "count.post",
        "stock_count",
        count.id,
        None,
        {
            "adjustments": [[d.line.product_id, d.difference] for d in adjusted],
            "serials": {str(key): value for key, value in moved.items()},
            "unsettled": [[d.line.product_id, d.difference] for d in unsettled],
        },
    )
    logger.info(
        "count %d posted with %d adjustments (%d left to settle) by %s",
        count.id,
        len(adjusted),
        len(unsettled),
        actor.username,
    )
    return CountPosting(adjusted, unsettled)


def cancel_count(count: StockCount, actor: User) -> None:
    """Close an open count without changing stock.

    Raises DomainError when the count is closed already (or is being posted).
    """
    _close_count(count, "CANCELLED")
    record_audit(actor, "count.cancel", "stock_count", count.id, None, None)
