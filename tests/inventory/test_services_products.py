"""Product and category rules at the service level, and the read helpers the
screens use."""

from __future__ import annotations

from datetime import date

import pytest

from jcicons.exceptions import DomainError
from jcicons.inventory.models import MovementReason
from jcicons.inventory.queries import (
    autocomplete,
    category_usage,
    document_numbers,
    in_stock_serials,
    in_stock_serials_of,
)
from jcicons.inventory.services import (
    ProductData,
    ProductInvalid,
    ReceivingLineData,
    adjust_stock,
    create_product,
    receive_stock,
    set_category_archived,
    set_product_archived,
    update_product,
)


def data_of(product, **changes) -> ProductData:
    fields = {
        name: getattr(product, name)
        for name in ("name", "category_id", "price_centavos", "sku", "brand", "model")
    }
    fields["barcode"] = product.barcode or ""
    fields["cost_centavos"] = product.cost_centavos
    fields["is_serialized"] = product.is_serialized
    return ProductData(**(fields | changes))


def receive(admin, lines):
    return receive_stock("Octagon", "DR-1", date(2026, 1, 5), lines, admin)


def test_blank_skus_are_numbered_per_category(make_product):
    first = make_product("ThinkPad T14")
    second = make_product("IdeaPad 3")
    phone = make_product("Galaxy A15", category="Phones")

    assert [first.sku, second.sku, phone.sku] == ["LAP-00001", "LAP-00002", "PHO-00001"]


def test_a_typed_sku_is_kept_in_capitals(make_product):
    assert make_product(sku=" tp-t14-g4 ").sku == "TP-T14-G4"


def test_every_problem_is_reported_at_once(admin, make_category):
    category = make_category()
    data = ProductData(
        name=" ",
        category_id=category.id,
        price_centavos=-1,
        barcode="x",
        reorder_level=-2,
        vat_class="LUXURY",
    )

    with pytest.raises(ProductInvalid) as caught:
        create_product(data, admin)

    assert set(caught.value.errors) == {
        "name",
        "price_centavos",
        "barcode",
        "reorder_level",
        "vat_class",
    }


@pytest.mark.parametrize(("may_change_cost", "cost"), [(False, 400_00), (True, 1_00)])
def test_only_those_allowed_change_the_cost(admin, make_product, may_change_cost, cost):
    product = make_product(cost_centavos=400_00)

    update_product(
        product, data_of(product, cost_centavos=1_00), admin, may_change_cost
    )

    assert product.cost_centavos == cost


def test_a_service_keeps_no_reorder_levels(make_product):
    labour = make_product(
        "Reformat and install", category="Services", is_service=True, reorder_level=5
    )

    assert (labour.reorder_level, labour.on_hand, labour.stock_state) == (
        0,
        0,
        "service",
    )


def test_the_serialized_flag_is_fixed_while_units_are_on_hand(admin, make_product):
    product = make_product()
    adjust_stock(product, 2, MovementReason.FOUND, admin)

    with pytest.raises(ProductInvalid) as caught:
        update_product(product, data_of(product, is_serialized=True), admin, True)

    assert "only while nothing is on hand" in caught.value.errors["is_serialized"]


def test_a_category_in_use_cannot_be_archived_until_its_products_are(
    admin, make_product
):
    product = make_product()

    with pytest.raises(DomainError, match="1 active product"):
        set_category_archived(product.category, True, admin)
    set_product_archived(product, True, admin)
    set_category_archived(product.category, True, admin)

    assert product.category.is_archived is True
    with pytest.raises(DomainError, match="Restore the category Laptops first"):
        set_product_archived(product, False, admin)


def test_the_same_serial_on_two_lines_is_named_as_such(admin, make_product):
    phone = make_product("Galaxy A15", category="Phones", is_serialized=True)
    lines = [
        ReceivingLineData(phone.id, 1, 9_000_00, ["IMEI-1"]),
        ReceivingLineData(phone.id, 1, 9_000_00, ["imei-1"]),
    ]

    with pytest.raises(DomainError, match="Serial number IMEI-1 appears on two lines"):
        receive(admin, lines)


def test_autocomplete_puts_an_exact_barcode_then_sku_first(make_product):
    make_product("Cable for 4800-1234")
    by_sku = make_product("Mouse", sku="4800-1234")
    by_barcode = make_product("Keyboard", barcode="4800-1234")

    found = autocomplete("4800-1234")

    assert [p.name for p in found] == [
        by_barcode.name,
        by_sku.name,
        "Cable for 4800-1234",
    ]


def test_read_helpers_for_the_screens(admin, make_product):
    phone = make_product("Galaxy A15", category="Phones", is_serialized=True)
    old = make_product("Nokia 3310", category="Phones")
    set_product_archived(old, True, admin)
    receiving = receive(admin, [ReceivingLineData(phone.id, 2, 1_00, ["B-2", "A-1"])])
    adjust_stock(phone, -1, MovementReason.DAMAGED, admin, serials=["B-2"])

    assert category_usage() == {phone.category_id: (1, 1)}
    assert document_numbers([("receiving", receiving.id), ("adjustment", None)]) == {
        ("receiving", receiving.id): "RCV-000001"
    }
    assert in_stock_serials(phone.id) == ["A-1"]
    assert in_stock_serials_of([phone.id, old.id]) == {phone.id: ["A-1"]}
