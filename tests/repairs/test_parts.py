"""Parts from stock and labour lines: the stock ledger, serials, the release lock."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import (
    Product,
    SerialStatus,
    SerialUnit,
    StockMovement,
)
from jcicons.inventory.stock import InsufficientStock, ledger_mismatches
from jcicons.repairs.models import RepairPart, RepairStatus, RepairTicket
from jcicons.repairs.services import (
    add_part,
    add_service,
    release_ticket,
    remove_part,
    remove_service,
    take_payment,
    ticket_figures,
)
from repairs.repair_helpers import cash, count, walk_to


def repair_movements(ticket_id: int) -> list[tuple[int, str, str, int]]:
    rows = db.session.execute(
        select(
            StockMovement.quantity,
            StockMovement.reason,
            StockMovement.reference_type,
            StockMovement.reference_id,
        )
        .where(StockMovement.reference_type == "repair")
        .order_by(StockMovement.id)
    )
    return [(int(q), str(r), str(t), int(i)) for q, r, t, i in rows]


def test_a_part_used_takes_stock_through_the_ledger(admin, stocked, make_ticket):
    ram = stocked("8GB DDR4 RAM", 1_800_00, on_hand=5, cost=1_200_00)
    ticket = make_ticket()

    part = add_part(ticket, ram.id, 2, admin)
    assert ram.on_hand == 3
    assert repair_movements(ticket.id) == [(-2, "REPAIR_PART", "repair", ticket.id)]
    assert (part.unit_price_centavos, part.unit_cost_centavos) == (1_800_00, 1_200_00)
    assert (part.sku, part.description) == (ram.sku, "8GB DDR4 RAM")
    assert ledger_mismatches() == []


def test_removing_a_part_puts_it_back_through_the_ledger(admin, stocked, make_ticket):
    ram = stocked("8GB DDR4 RAM", 1_800_00, on_hand=5, cost=1_200_00)
    ticket = make_ticket()
    part = add_part(ticket, ram.id, 2, admin)

    remove_part(part, admin)
    assert ram.on_hand == 5
    assert repair_movements(ticket.id) == [
        (-2, "REPAIR_PART", "repair", ticket.id),
        (2, "REPAIR_PART_RETURN", "repair", ticket.id),
    ]
    assert part.removed_at is not None
    assert part.removed_by_id == admin.id
    assert count(RepairPart) == 1
    assert ledger_mismatches() == []


def test_a_removed_part_cannot_be_removed_twice(admin, stocked, make_ticket):
    ram = stocked("8GB DDR4 RAM", 1_800_00, on_hand=5)
    part = add_part(make_ticket(), ram.id, 1, admin)
    remove_part(part, admin)

    with pytest.raises(DomainError, match="removed already"):
        remove_part(part, admin)
    assert ram.on_hand == 5


def test_a_short_shelf_raises_and_rolls_back_to_nothing(admin, stocked, make_ticket):
    ssd = stocked("Kingston 500GB SSD", 2_500_00, on_hand=1)
    ticket = make_ticket()
    db.session.commit()
    ssd_id, ticket_id = ssd.id, ticket.id

    with pytest.raises(InsufficientStock, match="Only 1 pc of Kingston 500GB SSD"):
        add_part(ticket, ssd_id, 2, admin)
    db.session.rollback()

    assert db.session.get(Product, ssd_id).on_hand == 1
    assert count(RepairPart) == 0
    assert repair_movements(ticket_id) == []
    assert ledger_mismatches() == []


@pytest.mark.parametrize(
    ("quantity", "message"), [(0, "at least 1"), (-1, "at least 1")]
)
def test_a_part_needs_a_positive_quantity(
    admin, stocked, make_ticket, quantity, message
):
    ram = stocked("8GB DDR4 RAM", 1_800_00, on_hand=5)

    with pytest.raises(DomainError, match=message):
        add_part(make_ticket(), ram.id, quantity, admin)
    assert ram.on_hand == 5


def test_a_service_product_is_not_a_part(admin, stocked, make_ticket):
    install = stocked("Installation", 500_00, is_service=True)

    with pytest.raises(DomainError, match="is a service, not a part"):
        add_part(make_ticket(), install.id, 1, admin)


def test_a_serialized_part_takes_one_in_stock_unit(admin, stocked, make_ticket):
    board = stocked(
        "ASUS B450 board", 4_500_00, serials=["MB-001", "MB-002"], is_serialized=True
    )
    ticket = make_ticket()

    part = add_part(ticket, board.id, 1, admin, serial=" mb-002 ")
    unit = db.session.scalar(select(SerialUnit).where(SerialUnit.serial == "MB-002"))
    assert part.serial_unit_id == unit.id
    assert unit.status == SerialStatus.IN_REPAIR
    assert board.on_hand == 1
    movement = db.session.scalar(
        select(StockMovement).where(StockMovement.reference_type == "repair")
    )
    assert movement.serial_unit_id == unit.id


def test_removing_a_serialized_part_puts_the_unit_back_in_stock(
    admin, stocked, make_ticket
):
    board = stocked("ASUS B450 board", 4_500_00, serials=["MB-001"], is_serialized=True)
    part = add_part(make_ticket(), board.id, 1, admin, serial="MB-001")

    remove_part(part, admin)
    unit = db.session.scalar(select(SerialUnit).where(SerialUnit.serial == "MB-001"))
    assert unit.status == SerialStatus.IN_STOCK
    assert board.on_hand == 1
    assert ledger_mismatches() == []


@pytest.mark.parametrize("serial", ["", "MB-999", "MB-001"])
def test_a_serialized_part_needs_a_serial_that_is_in_stock(
    admin, stocked, make_ticket, serial
):
    board = stocked(
        "ASUS B450 board", 4_500_00, serials=["MB-001", "MB-002"], is_serialized=True
    )
    add_part(make_ticket(), board.id, 1, admin, serial="MB-001")

    with pytest.raises(DomainError, match="not an in-stock unit") as caught:
        add_part(make_ticket(), board.id, 1, admin, serial=serial)
    assert caught.value.field == "serial"
    assert board.on_hand == 1


def test_serialized_parts_go_one_unit_a_line(admin, stocked, make_ticket):
    board = stocked(
        "ASUS B450 board", 4_500_00, serials=["MB-001", "MB-002"], is_serialized=True
    )

    with pytest.raises(DomainError, match="one unit at a time"):
        add_part(make_ticket(), board.id, 2, admin, serial="MB-001")


def test_only_the_assigned_tech_or_admin_adds_parts(staff, stocked, make_ticket):
    ram = stocked("8GB DDR4 RAM", 1_800_00, on_hand=5)
    ticket = make_ticket(technician_id=staff.tech.id)

    for outsider in (staff.sales, staff.other_tech):
        with pytest.raises(DomainError, match="Only the assigned technician"):
            add_part(ticket, ram.id, 1, outsider)
    add_part(ticket, ram.id, 1, staff.tech)
    assert ram.on_hand == 4


@pytest.fixture
def released(admin, stocked, make_service, make_ticket):
    """A released ticket with a part and a labour line on it, and its part."""
    ram = stocked("8GB DDR4 RAM", 1_800_00, on_hand=5)
    service = make_service("Reformat", 500_00, 30)
    ticket = make_ticket(service_type_ids=[service.id])
    part = add_part(ticket, ram.id, 1, admin)
    walk_to(ticket, RepairStatus.READY, admin)
    db.session.expire(ticket)
    take_payment(ticket, cash(ticket_figures(ticket).balance_centavos), admin)
    release_ticket(ticket, "Juan Dela Cruz", "Driver's licence", admin)
    return ticket, part, ram, service


def test_parts_are_locked_after_release(admin, released):
    ticket, part, ram, _ = released

    with pytest.raises(DomainError, match="released: its parts, labour"):
        add_part(ticket, ram.id, 1, admin)
    with pytest.raises(DomainError, match="released"):
        remove_part(part, admin)
    assert part.removed_at is None
    assert ram.on_hand == 4
    assert ledger_mismatches() == []


def test_labour_is_locked_after_release(admin, released):
    ticket, _, _, service = released

    with pytest.raises(DomainError, match="released"):
        add_service(ticket, service.id, admin)
    with pytest.raises(DomainError, match="released"):
        remove_service(ticket.services[0], admin)
    assert ticket.services[0].removed_at is None


def test_labour_lines_come_off_but_stay_on_record(admin, make_service, make_ticket):
    ticket = make_ticket()
    line = add_service(ticket, make_service("Reformat", 500_00).id, admin, 450_00)
    db.session.expire(ticket)
    assert ticket_figures(ticket).labour_centavos == 450_00

    remove_service(line, admin)
    assert ticket_figures(ticket).labour_centavos == 0
    assert [s.removed_at is not None for s in ticket.services] == [True]


def test_a_labour_line_cannot_have_a_negative_price(admin, make_service, make_ticket):
    with pytest.raises(DomainError, match="cannot be negative"):
        add_service(make_ticket(), make_service().id, admin, -1)


def test_figures_right_after_adding_a_part_count_it_once(admin, stocked, make_ticket):
    ram = stocked("8GB DDR4 RAM", 1_800_00, on_hand=5)
    ticket = make_ticket()
    db.session.commit()
    ticket = db.session.get(RepairTicket, ticket.id)

    add_part(ticket, ram.id, 1, admin)
    assert ticket_figures(ticket).parts_centavos == 1_800_00
