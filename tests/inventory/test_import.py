"""Importing products from CSV and XLSX: good files, bad rows and hostile files."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from helpers import login
from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory import import_files
from jcicons.inventory.import_files import MAX_ROWS, ImportFileError, read_upload
from jcicons.inventory.imports import (
    check_rows,
    get_import_batch,
    import_products,
    save_import_batch,
)
from jcicons.inventory.models import ImportBatch, Product

HEADER = "sku,name,category,price,cost,reorder_level,service,serialized,vat_class"


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def xlsx_bytes(*rows: list) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def checked(data: bytes, name: str = "products.csv"):
    return check_rows(read_upload(name, data).rows)


def products() -> dict[str, Product]:
    return {p.sku: p for p in db.session.scalars(select(Product))}


# Reading and checking ---------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
def test_a_good_csv_becomes_product_data(make_category, bom):
    make_category("Laptops")
    data = csv_bytes(
        'lap-1,"Lenovo IdeaPad, 15""",laptops,"32,995.50",28000,2,no,yes,EXEMPT',
        bom=bom,
    )

    (row,) = checked(data)

    assert row.is_valid, row.errors
    assert row.data.sku == "LAP-1" and row.data.name == 'Lenovo IdeaPad, 15"'
    assert (row.data.price_centavos, row.data.cost_centavos) == (32_995_50, 28_000_00)
    assert (row.data.reorder_level, row.data.is_serialized) == (2, True)
    assert row.data.vat_class == "EXEMPT"


def test_a_good_xlsx_is_read_from_its_first_sheet(make_category):
    make_category("Ink")
    data = xlsx_bytes(
        ["Name", "Category", "Price", "Reorder Level", "Service"],
        ["Epson 003 Black", "INK", 250.5, 4, False],
    )

    (row,) = checked(data, "stock.xlsx")

    assert row.is_valid, row.errors
    assert (row.data.price_centavos, row.data.reorder_level) == (250_50, 4)
    assert row.data.is_service is False


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ("X1,Mouse,Laptops,abc,,,,,", "price", "Enter an amount"),
        ("X1,Mouse,Laptops,,,,,,", "price", "Enter the price"),
        ("X1,Mouse,Laptops,-5,,,,,", "price", "cannot be negative"),
        ("X1,Mouse,Laptops,5,,-3,,,", "reorder_level", "cannot be negative"),
        ("X1,Mouse,Laptops,5,,2.5,,,", "reorder_level", "whole number"),
        ("X1,Mouse,Laptops,5,,,maybe,,", "service", "yes or no"),
        ("X1,Mouse,Laptops,5,,,,,LUXURY", "vat_class", "VATABLE, EXEMPT"),
        ("X1,Mouse,Desktops,5,,,,,", "category", 'Unknown category "Desktops"'),
        ("X1,,Laptops,5,,,,,", "name", "Enter the product's name"),
        ("bad sku!,Mouse,Laptops,5,,,,,", "sku", "A SKU is up to 40"),
        ("X1,Mouse,Laptops,5,,,yes,yes,", "serialized", "cannot be serialized"),
        ("X1,Mouse,Laptops,=1+1,,,,,", "price", "Formulas are not evaluated"),
    ],
)
def test_each_bad_cell_is_named_with_its_problem(make_category, cells, column, message):
    make_category("Laptops")

    (row,) = checked(csv_bytes(cells))

    assert message in row.errors[column]


def test_a_sku_twice_in_the_file_marks_both_rows(make_category):
    make_category("Laptops")

    first, second, third = checked(
        csv_bytes(
            "DUP-1,A,Laptops,1,,,,,", "dup-1,B,Laptops,1,,,,,", "OK-1,C,Laptops,1,,,,,"
        )
    )

    assert first.errors["sku"] == second.errors["sku"] == "SKU DUP-1 is on rows 2, 3."
    assert third.is_valid


def test_a_sku_already_in_the_shop_is_refused(make_product):
    make_product("Old", sku="LAP-7")

    (row,) = checked(csv_bytes("lap-7,New,Laptops,1,,,,,"))

    assert "already used" in row.errors["sku"]


def test_a_formula_cell_in_a_workbook_is_refused_not_evaluated(make_category):
    make_category("Laptops")
    data = xlsx_bytes(
        ["name", "category", "price"], ['=HYPERLINK("http://x","y")', "Laptops", 5]
    )

    (row,) = checked(data, "p.xlsx")

    assert "formula" in row.errors["name"]
    assert row.cells["name"] == ""


def test_an_overlong_cell_is_refused_and_stored_cut_short(make_category):
    make_category("Laptops")
    data = csv_bytes(f"X1,{'M' * 6000},Laptops,5", header="sku,name,category,price")

    parsed = read_upload("p.csv", data)
    (row,) = check_rows(parsed.rows)

    assert "Too long: 6,000 characters" in row.errors["name"]
    assert len(parsed.rows[0]["cells"]["name"]) == 160


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("p.csv", b"", "The file is empty"),
        (
            "p.csv",
            "name,category,price\nCaf\xe9,Laptops,5\n".encode("cp1252"),
            "not UTF-8",
        ),
        ("p.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV text file"),
        ("p.xlsx", b"name,category,price\nA,B,1\n", "not an XLSX workbook"),
        ("p.xlsx", b"PK\x03\x04garbage" * 50, "not an XLSX workbook"),
        ("p.xls", b"\xd0\xcf\x11\xe0", "Save the sheet as .xlsx"),
        ("p.pdf", b"%PDF-1.7", "Upload a .csv or .xlsx file"),
        ("p.csv", b"sku,name\nA,B\n", "no category, price column"),
        ("p.csv", b"sku;name;category;price\n", "semicolons"),
        ("p.csv", b"name,category,price\n", "no product rows"),
        ("p.csv", b"name,name,category,price\nA,B,C,1\n", "appears twice"),
        (
            "p.csv",
            b'name,category,price\n"' + b"x" * 200_000 + b'",A,1\n',
            "cannot be read",
        ),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(name, data, message):
    with pytest.raises(ImportFileError, match=message):
        read_upload(name, data)


def test_more_rows_than_the_limit_are_refused():
    data = csv_bytes(
        *(f"S{n},Item,Laptops,1" for n in range(MAX_ROWS + 1)),
        header="sku,name,category,price",
    )

    with pytest.raises(ImportFileError, match="more than 5,000 products"):
        read_upload("big.csv", data)


def test_a_workbook_repeating_long_text_in_every_row_is_refused(monkeypatch):
    monkeypatch.setattr(import_files, "MAX_TOTAL_CHARACTERS", 10_000)
    text = "x" * 4_000  # one shared string in the workbook, 4,000 characters a row
    data = xlsx_bytes(
        ["name", "category", "price", "description"],
        *(["A", "B", 1, text] for _ in range(3)),
    )

    with pytest.raises(ImportFileError, match="far more text"):
        read_upload("many.xlsx", data)


def test_a_workbook_that_unpacks_to_a_huge_size_is_refused_unopened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (70 * 1024 * 1024))

    with pytest.raises(ImportFileError, match="unpacks to far more data"):
        read_upload("bomb.xlsx", buffer.getvalue())


def test_a_workbook_with_broken_insides_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
        archive.writestr("xl/workbook.xml", "<also not xml")

    with pytest.raises(ImportFileError, match="cannot be read"):
        read_upload("broken.xlsx", buffer.getvalue())


def test_unknown_columns_are_ignored_and_listed(make_category):
    make_category("Laptops")

    parsed = read_upload(
        "p.csv", b"name,category,price,on_hand,Colour\nA,Laptops,1,5,red\n"
    )

    assert parsed.ignored_columns == ["on_hand", "Colour"]
    assert check_rows(parsed.rows)[0].is_valid


# Importing --------------------------------------------------------------------


def test_importing_creates_every_product_and_audits_the_batch(admin, make_category):
    make_category("Laptops")
    parsed = read_upload(
        "p.csv",
        csv_bytes(
            "LAP-9,Lenovo,Laptops,100,80,1,no,no,", ",Reformat,Laptops,500,,,yes,no,"
        ),
    )
    batch = save_import_batch(parsed, "p.csv", admin, may_set_cost=True)

    outcome = import_products(batch, admin, skip_invalid=False, may_set_cost=True)

    found = products()
    assert len(outcome.created) == 2 and outcome.skipped_lines == []
    assert (found["LAP-9"].price_centavos, found["LAP-9"].cost_centavos) == (
        100_00,
        80_00,
    )
    generated = next(p for sku, p in found.items() if sku != "LAP-9")
    assert generated.is_service and generated.sku.startswith("LAP-")
    actions = db.session.scalars(
        select(AuditEvent.action).order_by(AuditEvent.id)
    ).all()
    assert actions.count("product.create") == 2 and actions.count("product.import") == 1
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_nothing_is_imported_while_a_row_is_bad_unless_asked_to_skip(
    admin, make_category
):
    make_category("Laptops")
    parsed = read_upload(
        "p.csv", csv_bytes("A-1,Good,Laptops,1,,,,,", "B-1,Bad,Laptops,abc,,,,,")
    )
    batch = save_import_batch(parsed, "p.csv", admin, may_set_cost=True)

    with pytest.raises(DomainError, match="1 row"):
        import_products(batch, admin, skip_invalid=False, may_set_cost=True)
    assert products() == {}

    outcome = import_products(batch, admin, skip_invalid=True, may_set_cost=True)
    audit = db.session.scalars(
        select(AuditEvent).filter_by(action="product.import")
    ).one()
    assert list(products()) == ["A-1"] and outcome.skipped_lines == [3]
    assert audit.after["skipped_rows"] == [3] and audit.after["skus"] == ["A-1"]


def test_a_generated_sku_never_takes_one_the_file_asks_for(admin, make_category):
    make_category("Laptops")
    parsed = read_upload(
        "p.csv", csv_bytes(",First,Laptops,1,,,,,", "LAP-00001,Second,Laptops,1,,,,,")
    )
    batch = save_import_batch(parsed, "p.csv", admin, may_set_cost=True)

    import_products(batch, admin, skip_invalid=False, may_set_cost=True)

    assert {p.name: sku for sku, p in products().items()} == {
        "Second": "LAP-00001",
        "First": "LAP-00002",
    }


def test_rows_are_checked_again_when_confirming(admin, make_product):
    make_product("Already here", sku="LAP-1")
    parsed = read_upload("p.csv", csv_bytes("LAP-5,New,Laptops,1,,,,,"))
    batch = save_import_batch(parsed, "p.csv", admin, may_set_cost=True)
    make_product("Taken meanwhile", sku="LAP-5")

    with pytest.raises(DomainError, match="1 row"):
        import_products(batch, admin, skip_invalid=False, may_set_cost=True)


def test_an_upload_can_be_opened_only_by_its_uploader(admin, make_user, make_category):
    other = db.session.get(User, make_user("ADMIN").id)
    make_category("Laptops")
    parsed = read_upload("p.csv", csv_bytes("A,B,Laptops,1,,,,,"))
    batch = save_import_batch(parsed, "p.csv", admin, may_set_cost=True)

    assert get_import_batch(batch.token, admin) is batch
    with pytest.raises(DomainError, match="no longer available"):
        get_import_batch(batch.token, other)
    with pytest.raises(DomainError, match="no longer available"):
        get_import_batch("../../etc/passwd", admin)


# Screens ----------------------------------------------------------------------


def upload(client, data: bytes, name: str = "products.csv"):
    return client.post_form(
        "/inventory/import",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_upload_preview_and_confirm_imports_the_products(client, app, login_as, seed):
    seed.category("Laptops")
    login_as("ADMIN")

    response = upload(
        client, csv_bytes("LAP-1,Lenovo,Laptops,100,,,,,", "LAP-2,Acer,Laptops,90,,,,,")
    )
    preview = client.get(response.headers["Location"])
    done = client.post_form(response.headers["Location"] + "/confirm")

    assert (
        "2 row(s): <strong>2</strong> ready to import, <strong>0</strong>"
        in preview.text
    )
    assert "Lenovo" in preview.text and "₱100.00" in preview.text
    assert "2 product(s) imported." in client.get(done.headers["Location"]).text
    with app.app_context():
        assert sorted(products()) == ["LAP-1", "LAP-2"]


def test_the_preview_lists_every_problem_and_skipping_must_be_chosen(
    client, app, login_as, seed
):
    seed.category("Laptops")
    login_as("ADMIN")
    location = upload(
        client, csv_bytes("A-1,Good,Laptops,1,,,,,", "B-1,Bad,Nowhere,x,,,,,")
    ).headers["Location"]

    preview = client.get(location).text
    refused = client.post_form(location + "/confirm", follow_redirects=True).text
    with app.app_context():
        assert products() == {}
    skipped = client.post_form(location + "/confirm", {"skip_invalid": "y"})

    problems = preview.split('data-testid="problems"')[1].split("</table>")[0]
    assert "Unknown category &#34;Nowhere&#34;" in problems
    assert "<strong>price</strong>" in problems
    assert "Fix the file and upload it again, or choose to skip" in refused
    assert "1 row(s) skipped" in client.get(skipped.headers["Location"]).text
    with app.app_context():
        assert list(products()) == ["A-1"]


def test_sales_importing_a_cost_column_creates_products_without_costs(
    client, app, login_as, seed
):
    seed.category("Laptops")
    seed.toggle("SALES_CAN_EDIT_INVENTORY", True)
    login_as("SALES")
    location = upload(
        client,
        csv_bytes("LAP-1,Lenovo,Laptops,100,80,,,,", "LAP-2,Acer,Laptops,90,x,,,,"),
    ).headers["Location"]

    preview = client.get(location).text
    done = client.post_form(location + "/confirm")

    assert 'data-testid="costs-ignored"' in preview
    assert "only the owner (ADMIN) sets unit costs" in preview
    assert "<strong>0</strong> with problems" in preview  # the bad cost is ignored
    assert done.status_code == 302
    with app.app_context():
        costs = {sku: p.cost_centavos for sku, p in products().items()}
    assert costs == {"LAP-1": 0, "LAP-2": 0}


def test_admin_importing_a_cost_column_sets_the_costs(client, app, login_as, seed):
    seed.category("Laptops")
    login_as("ADMIN")
    location = upload(client, csv_bytes("LAP-1,Lenovo,Laptops,100,80,,,,")).headers[
        "Location"
    ]

    preview = client.get(location).text
    client.post_form(location + "/confirm")

    assert "costs-ignored" not in preview
    with app.app_context():
        assert products()["LAP-1"].cost_centavos == 80_00


def test_an_import_without_the_right_to_costs_never_sets_one(admin, make_category):
    make_category("Laptops")
    parsed = read_upload("p.csv", csv_bytes("LAP-9,Lenovo,Laptops,100,80,,,,"))
    kept = save_import_batch(parsed, "p.csv", admin, may_set_cost=True)

    import_products(kept, admin, skip_invalid=False, may_set_cost=False)

    assert products()["LAP-9"].cost_centavos == 0


def test_the_upload_of_someone_without_the_right_to_costs_drops_the_column(
    admin, make_category
):
    make_category("Laptops")
    parsed = read_upload("p.csv", csv_bytes(f"LAP-9,Lenovo,Laptops,100,{'9' * 40},,,,"))
    assert "cost" in parsed.rows[0]["problems"]  # too long to be a cost

    batch = save_import_batch(parsed, "p.csv", admin, may_set_cost=False)

    assert "cost" not in batch.rows[0]["cells"]
    assert "cost" not in batch.rows[0]["problems"]
    assert batch.ignored_columns == ["cost"]


def test_a_hostile_file_is_refused_on_the_upload_page(client, login_as):
    login_as("ADMIN")

    response = upload(client, b"\x00\x01\x02binary junk", "junk.csv")

    assert response.status_code == 422
    assert "not a CSV text file" in response.text


def test_another_user_cannot_open_or_confirm_an_upload(app, client, login_as, seed):
    seed.category("Laptops")
    login_as("ADMIN")
    location = upload(client, csv_bytes("A-1,Good,Laptops,1,,,,,")).headers["Location"]
    other = app.test_client()
    account = seed.make_user("ADMIN")
    login(other, account.username, account.password)

    response = other.post_form(location + "/confirm")

    assert response.headers["Location"].endswith("/inventory/import")
    with app.app_context():
        assert products() == {}


def test_discarding_an_upload_imports_nothing(client, app, login_as, seed):
    seed.category("Laptops")
    login_as("ADMIN")
    location = upload(client, csv_bytes("A-1,Good,Laptops,1,,,,,")).headers["Location"]

    client.post_form(location + "/cancel")

    assert client.get(location).headers["Location"].endswith("/inventory/import")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_has_every_column_and_imports_cleanly(
    client, app, login_as, seed, fmt
):
    seed.category("Laptops")
    login_as("ADMIN")

    response = client.get(f"/inventory/import/template.{fmt}")
    if fmt == "xlsx":
        header = [c.value for c in load_workbook(io.BytesIO(response.data)).active[1]]
    else:
        header = response.data.decode("utf-8-sig").splitlines()[0].split(",")
    with app.app_context():
        rows = check_rows(read_upload(f"t.{fmt}", response.data).rows)

    assert header[:3] == ["sku", "barcode", "name"] and "serialized" in header
    assert [r.is_valid for r in rows] == [True, True]


@pytest.mark.parametrize(
    ("role", "toggle", "status"),
    [
        ("ADMIN", False, 200),
        ("SALES", False, 403),
        ("SALES", True, 200),
        ("TECH", True, 403),
    ],
)
def test_importing_needs_the_right_to_edit_inventory(
    client, login_as, seed, role, toggle, status
):
    seed.toggle("SALES_CAN_EDIT_INVENTORY", toggle)
    login_as(role)

    assert client.get("/inventory/import").status_code == status
    assert upload(client, csv_bytes("A,B,C,1")).status_code in (
        {403} if status == 403 else {302, 422}
    )


def test_the_upload_page_offers_both_templates(client, login_as):
    login_as("ADMIN")

    page = client.get("/inventory/import").text

    assert re.search(r'href="/inventory/import/template\.xlsx"', page)
    assert re.search(r'href="/inventory/import/template\.csv"', page)
