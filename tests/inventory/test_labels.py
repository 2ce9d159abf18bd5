"""Barcode labels: Code 128 as plain SVG, 24 to an A4 sheet."""

from __future__ import annotations

import re

import pytest

from jcicons.exceptions import DomainError
from jcicons.inventory.labels import QUIET_ZONE, code128_svg, label_sheets

START_B = "11010010000"
STOP = "1100011101011"


def modules_of(svg: str) -> str:
    """Read the bars back out of the SVG as a string of 1s and 0s."""
    bars = re.findall(r'<rect x="(\d+)" y="0" width="(\d+)" height="40"/>', svg)
    width = int(re.search(r'viewBox="0 0 (\d+) 40"', svg).group(1))
    modules = ["0"] * width
    for x, w in bars:
        modules[int(x) : int(x) + int(w)] = ["1"] * int(w)
    return "".join(modules)


def test_the_svg_draws_start_data_check_and_stop_with_quiet_zones():
    modules = modules_of(code128_svg("ABC"))

    # Code set B: start 104, A=33, B=34, C=35; check (104+33+2*34+3*35) % 103 = 1.
    assert modules.startswith("0" * QUIET_ZONE + START_B + "10100011000")
    assert modules.endswith(STOP + "0" * QUIET_ZONE)
    assert len(modules) == 2 * QUIET_ZONE + 11 * 5 + 13


def test_the_svg_has_no_style_attributes_and_escapes_its_text():
    svg = str(code128_svg('A"<B'))

    assert "style" not in svg and "<script" not in svg
    assert 'aria-label="Barcode A&#34;&lt;B"' in svg


def test_long_digit_runs_use_the_compact_code_set():
    assert len(modules_of(code128_svg("4901234567894"))) < len(
        modules_of(code128_svg("ABCDEFGHIJKLM"))
    )


def test_sheets_hold_24_labels_after_the_skipped_positions(make_product):
    mouse = make_product("Mouse", sku="ACC-1", price_centavos=199_50)
    ink = make_product("Ink", barcode="4901234567894")

    sheets = label_sheets({mouse.id: 3, ink.id: 2}, start_at=23)

    assert [len(sheet) for sheet in sheets] == [24, 3]
    assert sheets[0][:22] == [None] * 22
    assert [label.code for label in sheets[0][22:]] == ["ACC-1", "ACC-1"]
    assert [label.code for label in sheets[1]] == [
        "ACC-1",
        "4901234567894",
        "4901234567894",
    ]
    assert sheets[0][22].price_centavos == 199_50


@pytest.mark.parametrize(
    ("quantities", "start", "message"),
    [
        ({}, 1, "at least one product"),
        ({"id": 0}, 1, "at least one product"),
        ({"id": 121}, 1, "at most 120 labels of one product"),
        ({"id": 100, "other": 100, "third": 100}, 1, "at most 240 labels"),
        ({"id": 1}, 25, "from 1 to 24"),
        ({999_999: 1}, 1, "no longer exists"),
    ],
)
def test_impossible_label_requests_are_refused(
    make_product, quantities, start, message
):
    ids = {
        "id": make_product("A").id,
        "other": make_product("B").id,
        "third": make_product("C").id,
    }
    wanted = {ids.get(key, key): count for key, count in quantities.items()}

    with pytest.raises(DomainError, match=message):
        label_sheets(wanted, start)


def test_archived_products_get_no_labels(make_product):
    old = make_product("Old")
    old.is_archived = True

    with pytest.raises(DomainError, match="archived"):
        label_sheets({old.id: 1})


@pytest.fixture
def goods(seed) -> dict[str, int]:
    return {
        "mouse": seed.product(
            "Logitech M90", "Accessories", sku="ACC-M90", price_centavos=1250_00
        ),
        "service": seed.product("Reformat", "Services", is_service=True),
    }


def test_the_picker_lists_goods_but_not_services(client, login_as, goods):
    login_as("TECH")

    page = client.get("/inventory/labels").text

    assert f'name="qty-{goods["mouse"]}"' in page
    assert "Reformat" not in page


def test_the_sheet_prints_name_price_and_an_inline_barcode(client, login_as, goods):
    login_as("SALES")

    response = client.get(f"/inventory/labels/sheet?qty-{goods['mouse']}=3&start=1")
    page = response.text

    assert page.count('data-testid="label-code">ACC-M90<') == 3
    assert page.count("₱1,250.00") == 3 and page.count("<svg") == 3
    assert "css/labels.css" in page
    assert not re.search(r"<svg[^>]*style=|<rect[^>]*style=", page)


@pytest.mark.parametrize("query", ["qty-{id}=abc", "qty-{id}=0", "qty-{id}=2&start=0"])
def test_a_bad_request_returns_to_the_picker_with_a_message(
    client, login_as, goods, query
):
    login_as("ADMIN")

    response = client.get(
        "/inventory/labels/sheet?" + query.format(id=goods["mouse"]),
        follow_redirects=True,
    )

    assert response.request.path == "/inventory/labels"
    assert 'class="alert alert-warning' in response.text


def test_the_barcode_is_served_as_an_svg_image(client, login_as, goods):
    login_as("TECH")

    response = client.get(f"/inventory/labels/{goods['mouse']}/barcode.svg")

    assert response.mimetype == "image/svg+xml"
    assert modules_of(response.text).startswith("0" * QUIET_ZONE + START_B)
    assert client.get("/inventory/labels/999999/barcode.svg").status_code == 404
