"""Spreadsheet exports of products, the stock ledger and the purchase list.

Each export is a Table (typed columns and rows of plain values) written either as
CSV (UTF-8 with a byte-order mark, so Excel shows ₱ and ñ) or as XLSX through
openpyxl with real numbers and number formats. Text that a spreadsheet would take
for a formula is neutralised in both. Cost columns are included only when the
caller says the reader may see costs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, select

from jcicons.clock import shop_zone, to_shop_time
from jcicons.extensions import db
from jcicons.inventory.import_files import COLUMNS
from jcicons.inventory.models import (
    REASON_LABELS,
    Category,
    MovementReason,
    Product,
    StockMovement,
)
from jcicons.inventory.queries import (
    ProductFilter,
    document_numbers,
    low_stock_query,
    product_query,
    suggested_order_quantity,
    suggested_quantity,
)
from jcicons.money import format_plain, to_decimal

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PESO_FORMAT = '"₱"#,##0.00'
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_EXPORT_ROWS = 100_000

REFERENCE_LABELS = {
    "receiving": "Receiving",
    "sale": "Sale",
    "repair": "Repair",
    "adjustment": "Adjustment",
    "count": "Stock count",
}


def neutralise(text: str) -> str:
    """Return text a spreadsheet cannot run: a leading = + - @ gets an apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass(frozen=True)
class ExportColumn:
    """A column of an export: its header and the kind of value it holds.

    Kinds: text, integer, pesos (centavos in, pesos out), datetime (aware in,
    shop time out) and flag (yes or no).
    """

    header: str
    kind: str = "text"
    width: int = 14


@dataclass
class Table:
    """An export ready to write: a title, typed columns and rows of values."""

    title: str
    columns: list[ExportColumn]
    rows: Iterable[list[Any]]


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "pesos":
        return format_plain(value)
    if kind == "datetime":
        return to_shop_time(value).strftime("%Y-%m-%d %H:%M")
    if kind == "flag":
        return "yes" if value else "no"
    if kind == "integer":
        return str(int(value))
    return neutralise(str(value))


def write_csv(table: Table) -> bytes:
    """Return the table as CSV bytes (UTF-8 with BOM), formulas neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in table.columns])
    for row in table.rows:
        writer.writerow(
            [
                _csv_value(value, column.kind)
                for value, column in zip(row, table.columns, strict=True)
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(sheet: Any, value: Any, kind: str) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if kind == "pesos":
        cell = WriteOnlyCell(sheet, value=to_decimal(value))
        cell.number_format = PESO_FORMAT
    elif kind == "datetime":
        local = to_shop_time(value).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=local)
        cell.number_format = DATETIME_FORMAT
    elif kind == "integer":
        cell = WriteOnlyCell(sheet, value=int(value))
    elif kind == "flag":
        cell = WriteOnlyCell(sheet, value="yes" if value else "no")
    else:
        cell = WriteOnlyCell(sheet, value=str(value))
        # openpyxl would store text starting with "=" as a formula; keep it text.
        cell.data_type = "s"
    return cell


def write_xlsx(table: Table) -> bytes:
    """Return the table as an XLSX workbook: numbers as numbers, text as text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append(
            [
                _xlsx_cell(sheet, value, column.kind)
                for value, column in zip(row, table.columns, strict=True)
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_table(table: Table, fmt: str) -> bytes:
    """Write a table as 'csv' or 'xlsx'."""
    return write_xlsx(table) if fmt == "xlsx" else write_csv(table)


# Products ---------------------------------------------------------------------

# The first columns are the import columns, so an export can be edited and
# imported into another shop's system.
PRODUCT_COLUMNS = [
    ExportColumn("sku", width=16),
    ExportColumn("barcode", width=16),
    ExportColumn("name", width=40),
    ExportColumn("brand"),
    ExportColumn("model"),
    ExportColumn("category", width=18),
    ExportColumn("description", width=40),
    ExportColumn("unit", width=8),
    ExportColumn("price", "pesos"),
    ExportColumn("cost", "pesos"),
    ExportColumn("reorder_level", "integer"),
    ExportColumn("reorder_quantity", "integer"),
    ExportColumn("vat_class"),
    ExportColumn("service", "flag", width=9),
    ExportColumn("serialized", "flag", width=10),
    ExportColumn("on_hand", "integer", width=10),
    ExportColumn("archived", "flag", width=9),
]
COST_HEADERS = {"cost", "unit_cost", "estimated_cost"}


def _without_costs(
    columns: list[ExportColumn], with_costs: bool
) -> tuple[list[ExportColumn], list[int]]:
    keep = [
        index
        for index, column in enumerate(columns)
        if with_costs or column.header not in COST_HEADERS
    ]
    return [columns[index] for index in keep], keep


def _table(
    title: str,
    columns: list[ExportColumn],
    rows: Iterator[list[Any]],
    with_costs: bool,
) -> Table:
    kept, indexes = _without_costs(columns, with_costs)
    return Table(title, kept, ([row[i] for i in indexes] for row in rows))


def product_table(criteria: ProductFilter, with_costs: bool) -> Table:
    """Return the product list narrowed as on the product list page."""
    query: Select[Any] = product_query(criteria).limit(MAX_EXPORT_ROWS)
    products = db.session.scalars(query)
    rows = (
        [
            p.sku,
            p.barcode or "",
            p.name,
            p.brand,
            p.model,
            p.category.name,
            p.description,
            p.unit,
            p.price_centavos,
            p.cost_centavos,
            p.reorder_level,
            p.reorder_quantity,
            p.vat_class,
            p.is_service,
            p.is_serialized,
            p.on_hand,
            p.is_archived,
        ]
        for p in products
    )
    return _table("Products", PRODUCT_COLUMNS, rows, with_costs)


def import_template() -> Table:
    """Return the import layout: every column, and two example rows to replace."""
    category = db.session.scalar(
        select(Category.name)
        .where(Category.is_archived.is_(False))
        .order_by(Category.name)
        .limit(1)
    )
    category = category or "Laptops"
    examples = [
        {
            "sku": "",
            "barcode": "4901234567894",
            "name": "Example: Lenovo IdeaPad Slim 3 (delete this row)",
            "brand": "Lenovo",
            "model": "15IAH8",
            "category": category,
            "description": "i5-12450H, 8 GB, 512 GB SSD",
            "unit": "pc",
            "price": "32,995.00",
            "cost": "28,500.00",
            "reorder_level": "2",
            "reorder_quantity": "5",
            "vat_class": "VATABLE",
            "service": "no",
            "serialized": "yes",
        },
        {
            "name": "Example: Reformat and install (delete this row)",
            "category": category,
            "unit": "job",
            "price": "500",
            "vat_class": "VATABLE",
            "service": "yes",
            "serialized": "no",
        },
    ]
    columns = [ExportColumn(name, width=16) for name in COLUMNS]
    rows = iter([[example.get(name, "") for name in COLUMNS] for example in examples])
    return Table("Products", columns, rows)


# The stock ledger -------------------------------------------------------------

MOVEMENT_COLUMNS = [
    ExportColumn("time", "datetime", width=17),
    ExportColumn("sku", width=16),
    ExportColumn("product", width=36),
    ExportColumn("quantity", "integer", width=10),
    ExportColumn("on_hand_after", "integer", width=13),
    ExportColumn("reason", width=20),
    ExportColumn("reference", width=20),
    ExportColumn("serial", width=18),
    ExportColumn("by", width=14),
    ExportColumn("note", width=30),
    ExportColumn("unit_cost", "pesos"),
]


def reason_label(reason: str) -> str:
    """Return the words for a movement reason code."""
    try:
        return REASON_LABELS[MovementReason(reason)]
    except ValueError:
        return reason


def reference_text(movement: StockMovement, numbers: dict[tuple[str, int], str]) -> str:
    """Return how a ledger row names its document: 'Sale INV-000042',
    'Repair RT-000007', 'Receiving RCV-000012', 'Stock count #3', 'Adjustment'.

    `numbers` comes from `queries.document_numbers`; a document it lacks is named
    by its id.
    """
    kind = movement.reference_type
    label = REFERENCE_LABELS.get(kind, kind)
    if movement.reference_id is None or kind == "adjustment":
        return label
    number = numbers.get((kind, movement.reference_id))
    if number is not None:
        return f"{label} {number}"
    return f"{label} #{movement.reference_id}"


def movement_numbers(movements: Iterable[StockMovement]) -> dict[tuple[str, int], str]:
    """Return the document numbers the ledger rows refer to, in one select."""
    return document_numbers((m.reference_type, m.reference_id) for m in movements)


def movement_table(query: Select[Any], with_costs: bool) -> Table:
    """Return the ledger rows a filtered movement query selects, newest first."""
    movements = list(db.session.scalars(query.limit(MAX_EXPORT_ROWS)))
    numbers = movement_numbers(movements)
    rows = (
        [
            m.created_at,
            m.product.sku,
            m.product.name,
            m.quantity,
            m.on_hand_after,
            reason_label(m.reason),
            reference_text(m, numbers),
            m.serial_unit.serial if m.serial_unit is not None else "",
            m.actor.username if m.actor is not None else "system",
            m.note,
            m.unit_cost_centavos,
        ]
        for m in movements
    )
    columns = [
        ExportColumn(f"time ({shop_zone().key})", "datetime", width=17),
        *MOVEMENT_COLUMNS[1:],
    ]
    return _table("Stock movements", columns, rows, with_costs)


# Low stock and the purchase list -------------------------------------------


@dataclass
class PurchaseLine:
    """A product at or under its reorder level and how many to order."""

    product: Product
    suggested: int

    @property
    def estimated_cost_centavos(self) -> int:
        """Return the suggested quantity at the current unit cost."""
        return self.suggested * self.product.cost_centavos


def purchase_list(category_id: int | None = None) -> list[PurchaseLine]:
    """Return active goods at or under their reorder level, emptiest first."""
    query: Select[Any] = low_stock_query()
    if category_id:
        query = query.where(Product.category_id == category_id)
    return [
        PurchaseLine(product, suggested_order_quantity(product))
        for product in db.session.scalars(query.limit(MAX_EXPORT_ROWS))
    ]


def purchase_list_page(category_id: int | None, page: int, per_page: int) -> Any:
    """Return one page of the purchase list (a pager whose items are PurchaseLines)."""
    query: Select[Any] = low_stock_query()
    if category_id:
        query = query.where(Product.category_id == category_id)
    pager = db.paginate(
        query, page=page, per_page=per_page, max_per_page=per_page, error_out=False
    )
    pager.items = [PurchaseLine(p, suggested_order_quantity(p)) for p in pager.items]
    return pager


def purchase_list_total_centavos(category_id: int | None = None) -> int:
    """Return what the whole purchase list costs, reading four columns per product."""
    query = select(
        Product.on_hand,
        Product.reorder_level,
        Product.reorder_quantity,
        Product.cost_centavos,
    ).where(
        Product.is_service.is_(False),
        Product.is_archived.is_(False),
        Product.on_hand <= Product.reorder_level,
    )
    if category_id:
        query = query.where(Product.category_id == category_id)
    return sum(
        suggested_quantity(on_hand, level, quantity) * cost
        for on_hand, level, quantity, cost in db.session.execute(query)
    )


def purchase_total_centavos(lines: list[PurchaseLine]) -> int:
    """Return what the whole purchase list costs at current unit costs."""
    return sum(line.estimated_cost_centavos for line in lines)


PURCHASE_COLUMNS = [
    ExportColumn("sku", width=16),
    ExportColumn("product", width=36),
    ExportColumn("brand"),
    ExportColumn("model"),
    ExportColumn("category", width=18),
    ExportColumn("unit", width=8),
    ExportColumn("on_hand", "integer", width=10),
    ExportColumn("reorder_level", "integer", width=13),
    ExportColumn("reorder_quantity", "integer", width=16),
    ExportColumn("suggested_order", "integer", width=16),
    ExportColumn("unit_cost", "pesos"),
    ExportColumn("estimated_cost", "pesos", width=16),
]


def purchase_table(lines: list[PurchaseLine], with_costs: bool) -> Table:
    """Return the purchase list as an export."""
    rows = (
        [
            line.product.sku,
            line.product.name,
            line.product.brand,
            line.product.model,
            line.product.category.name,
            line.product.unit,
            line.product.on_hand,
            line.product.reorder_level,
            line.product.reorder_quantity,
            line.suggested,
            line.product.cost_centavos,
            line.estimated_cost_centavos,
        ]
        for line in lines
    )
    return _table("Purchase list", PURCHASE_COLUMNS, rows, with_costs)


def export_filename(stem: str, fmt: str, now: datetime) -> str:
    """Return a download name such as 'products-2026-12-04.xlsx' (shop date)."""
    return f"{stem}-{to_shop_time(now).date().isoformat()}.{fmt}"
