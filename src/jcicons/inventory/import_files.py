"""Read an uploaded product file (CSV or XLSX) into rows of text cells.

Files come from outside and are read defensively: bounded in bytes, rows, columns
and cell length; a CSV must be UTF-8 (with or without a byte-order mark); an XLSX
is checked for absurd expansion before openpyxl opens it read-only, and its
formulas are never evaluated: a formula cell is reported, not read. Text that a
spreadsheet would take for a formula is kept as typed and neutralised when
exported (see `exports.neutralise`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from jcicons.exceptions import DomainError
from jcicons.forms import strip_multi_line, strip_single_line

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 40
# Blank rows count towards this bound too, so a sheet of empty rows ends quickly.
MAX_SCANNED_ROWS = MAX_ROWS * 4
MAX_XLSX_MEMBERS = 500
MAX_XLSX_EXPANDED_BYTES = 64 * 1024 * 1024
# A workbook can repeat one long shared string in every row; this bounds what the
# parsed rows may hold in all, as they are kept in the database until confirmed.
MAX_TOTAL_CHARACTERS = 8_000_000

# The reading of an XLSX that is damaged or hostile can fail in any of these ways.
XLSX_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    InvalidFileException,
    ParseError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    OSError,
)


@dataclass(frozen=True)
class Column:
    """One column an import file may have: its header and longest allowed value."""

    name: str
    limit: int
    required: bool = False
    multi_line: bool = False


COLUMNS: dict[str, Column] = {
    column.name: column
    for column in (
        Column("sku", 40),
        Column("barcode", 64),
        Column("name", 160, required=True),
        Column("brand", 80),
        Column("model", 80),
        Column("category", 80, required=True),
        Column("description", 5000, multi_line=True),
        Column("unit", 16),
        Column("price", 32, required=True),
        Column("cost", 32),
        Column("reorder_level", 16),
        Column("reorder_quantity", 16),
        Column("vat_class", 16),
        Column("service", 8),
        Column("serialized", 8),
    )
}
HEADER_ALIASES = {"is_service": "service", "is_serialized": "serialized"}


class ImportFileError(DomainError):
    """The file as a whole cannot be read; the message says why and what to do."""


# Reading ----------------------------------------------------------------------

Cell = tuple[str, bool]  # (text, is a formula)


@dataclass
class ParsedFile:
    """The rows of an upload as text cells, keyed by column name."""

    rows: list[dict[str, Any]]
    ignored_columns: list[str]


def read_upload(filename: str, data: bytes) -> ParsedFile:
    """Read an uploaded .csv or .xlsx file into rows of text cells.

    Raises ImportFileError for an empty, oversized, unreadable or wrongly encoded
    file, a missing required column, no product rows, or more than MAX_ROWS.
    """
    if not data:
        raise ImportFileError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. "
            "Split it into smaller files."
        )
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        return _parse_table(_csv_table(data))
    if suffix == ".xlsx":
        with _xlsx_table(data) as table:
            return _parse_table(table)
    if suffix in {".xls", ".ods", ".numbers"}:
        raise ImportFileError(
            f"{suffix} files cannot be read. Save the sheet as .xlsx or CSV UTF-8."
        )
    raise ImportFileError("Upload a .csv or .xlsx file.")


def _csv_table(data: bytes) -> Iterator[list[Cell]]:
    if b"\x00" in data:
        raise ImportFileError(
            "This is not a CSV text file. Upload a .csv saved as CSV UTF-8, or .xlsx."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text. In Excel choose Save As > "
            '"CSV UTF-8 (Comma delimited)" and upload that file.'
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            yield [(value, False) for value in row[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise ImportFileError(
            f"The CSV file cannot be read near line {reader.line_num}: {exc}."
        ) from None


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(
            "This is not an XLSX workbook. Save the sheet as .xlsx or CSV UTF-8."
        ) from None
    expanded = sum(member.file_size for member in members)
    if len(members) > MAX_XLSX_MEMBERS or expanded > MAX_XLSX_EXPANDED_BYTES:
        raise ImportFileError(
            "The workbook unpacks to far more data than a product list needs. "
            "Copy the products into a new workbook and upload that."
        )
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise ImportFileError(
            "This is not an XLSX workbook. Save the sheet as .xlsx or CSV UTF-8."
        )


@contextmanager
def _xlsx_table(data: bytes) -> Iterator[Iterator[list[Cell]]]:
    _check_zip(data)
    unreadable = ImportFileError(
        "The workbook cannot be read. Open it in Excel, save it again as .xlsx "
        "and upload that file."
    )
    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except XLSX_ERRORS:
        raise unreadable from None
    try:
        if not workbook.worksheets:
            raise ImportFileError("The workbook has no worksheet.")
        sheet = workbook.worksheets[0]

        def rows() -> Iterator[list[Cell]]:
            try:
                for row in sheet.iter_rows(max_col=MAX_COLUMNS):
                    yield [_xlsx_cell(cell) for cell in row]
            except XLSX_ERRORS:
                raise unreadable from None

        yield rows()
    finally:
        workbook.close()


def _xlsx_cell(cell: Any) -> Cell:
    value = cell.value
    if value is None:
        return "", False
    if getattr(cell, "data_type", "") == "f" or not isinstance(
        value, str | int | float | Decimal | date | time | bool
    ):
        return str(value)[:60], True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), False
        return format(Decimal(repr(value)), "f"), False
    if isinstance(value, datetime | date | time):
        return value.isoformat(), False
    return str(value), False


def _header_name(text: str) -> str:
    name = re.sub(r"[\s-]+", "_", text.strip().lower())
    return HEADER_ALIASES.get(name, name)


def _parse_table(table: Iterator[list[Cell]]) -> ParsedFile:
    positions: dict[int, str] | None = None
    ignored: list[str] = []
    rows: list[dict[str, Any]] = []
    characters = 0
    for line, raw in enumerate(table, start=1):
        if line > MAX_SCANNED_ROWS:
            raise ImportFileError(
                f"The file has more than {MAX_SCANNED_ROWS:,} lines. "
                f"Import at most {MAX_ROWS:,} products per file."
            )
        if not any(text.strip() for text, _ in raw):
            continue
        if positions is None:
            positions, ignored = _read_header(raw)
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(
                f"The file has more than {MAX_ROWS:,} products. "
                "Split it into files of at most that many rows."
            )
        row = _read_row(line, raw, positions)
        characters += sum(len(text) for text in row["cells"].values())
        if characters > MAX_TOTAL_CHARACTERS:
            raise ImportFileError(
                "The file holds far more text than a product list needs. "
                "Split it into smaller files."
            )
        rows.append(row)
    if positions is None or not rows:
        raise ImportFileError(
            "The file has no product rows under its header. Download the template "
            "to see the layout."
        )
    return ParsedFile(rows, ignored)


def _read_header(raw: list[Cell]) -> tuple[dict[int, str], list[str]]:
    positions: dict[int, str] = {}
    ignored = []
    for index, (text, _) in enumerate(raw):
        name = _header_name(text)
        if not name:
            continue
        if name not in COLUMNS:
            ignored.append(text.strip()[:40])
            continue
        if name in positions.values():
            raise ImportFileError(f'The column "{name}" appears twice in the header.')
        positions[index] = name
    missing = [c.name for c in COLUMNS.values() if c.required]
    missing = [name for name in missing if name not in positions.values()]
    if missing:
        if len(raw) == 1 and ";" in raw[0][0]:
            raise ImportFileError(
                "The columns are separated by semicolons; use commas (CSV UTF-8)."
            )
        raise ImportFileError(
            f"The file has no {', '.join(missing)} column. The first row must hold "
            "the column names; download the template to see them."
        )
    return positions, ignored


def _read_row(line: int, raw: list[Cell], positions: dict[int, str]) -> dict[str, Any]:
    cells: dict[str, str] = {}
    problems: dict[str, str] = {}
    for index, name in positions.items():
        text, is_formula = raw[index] if index < len(raw) else ("", False)
        column = COLUMNS[name]
        if is_formula:
            problems[name] = (
                "This cell holds a formula, and formulas are not evaluated: "
                "type the value instead."
            )
            text = ""
        clean = strip_multi_line if column.multi_line else strip_single_line
        text = clean(text).strip()
        if len(text) > column.limit:
            problems[name] = (
                f"Too long: {len(text):,} characters where at most "
                f"{column.limit:,} fit."
            )
            text = text[: column.limit]
        cells[name] = text
    return {"line": line, "cells": cells, "problems": problems}
