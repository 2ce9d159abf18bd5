"""`check-integrity` on repairs: real tickets pass, and each kind of damage to them
is named."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from jcicons.extensions import db
from jcicons.repairs.integrity import repair_problems
from jcicons.repairs.models import RepairStatus, RepairTicket
from jcicons.repairs.services import (
    add_part,
    release_ticket,
    remove_part,
    take_payment,
    ticket_figures,
)
from repairs.repair_helpers import cash, walk_to

S = RepairStatus


@pytest.fixture
def tickets(
    admin, sales, stocked, make_service, make_ticket
) -> dict[str, RepairTicket]:
    """RT-1 released and paid, RT-2 released on credit, RT-3 open with a part
    used, one removed, and a passcode."""
    ram = stocked("8GB DDR4 RAM", 1_800_00, on_hand=5, cost=1_200_00)
    reformat = make_service("Reformat", 500_00, 30)
    paid = make_ticket(diagnostic_fee_centavos=300_00, service_type_ids=[reformat.id])
    add_part(paid, ram.id, 1, admin)
    walk_to(paid, S.READY, admin)
    take_payment(paid, cash(ticket_figures(paid).balance_centavos), sales)
    release_ticket(paid, "Ana Reyes", "UMID 1234", sales)
    owed = make_ticket(service_type_ids=[reformat.id], passcode="0000")
    walk_to(owed, S.READY, admin)
    release_ticket(owed, "Ben Cruz", "", admin, on_credit=True, credit_reason="Regular")
    working = make_ticket(passcode="1234")
    add_part(working, ram.id, 2, admin)
    remove_part(add_part(working, ram.id, 1, admin), admin)
    db.session.flush()
    return {"paid": paid, "owed": owed, "working": working}


def damage(statement: str, **values) -> list[str]:
    db.session.execute(text(statement), values)
    return repair_problems()


def test_real_tickets_are_sound(tickets):
    assert repair_problems() == []


def test_a_part_given_back_to_the_ticket_without_the_ledger_is_named(tickets):
    ticket = tickets["working"]
    ram = ticket.parts[0].product_id

    problems = damage(
        "UPDATE repair_parts SET removed_at = NULL WHERE ticket_id = :id", id=ticket.id
    )

    assert problems == [
        f"RT-2026-00003: 3 of product {ram} on the ticket, but the ledger took out 2"
    ]


def test_a_part_returned_twice_is_named(tickets, admin):
    ticket = tickets["working"]
    ram = ticket.parts[0].product_id

    problems = damage(
        "INSERT INTO stock_movements (product_id, quantity, on_hand_after, "
        "unit_cost_centavos, reason, reference_type, reference_id, note, actor_id, "
        "created_at) VALUES (:product, 1, 3, 0, 'REPAIR_PART_RETURN', 'repair', :id, "
        "'', :actor, CURRENT_TIMESTAMP)",
        product=ram,
        id=ticket.id,
        actor=admin.id,
    )

    assert (
        f"RT-2026-00003: 2 of product {ram} on the ticket, but the ledger took out 1"
        in problems
    )


def test_charges_changed_after_release_are_named(tickets):
    problems = damage(
        "UPDATE repair_services SET price_centavos = price_centavos + 100 "
        "WHERE ticket_id = :id",
        id=tickets["owed"].id,
    )

    assert problems == [
        "RT-2026-00002: released, but its final charges are not what its lines make"
    ]


def test_a_release_with_money_owed_and_no_credit_is_named(tickets):
    problems = damage(
        "DELETE FROM payments WHERE repair_ticket_id = :id", id=tickets["paid"].id
    )

    assert problems == ["RT-2026-00001: released with money owed and not on credit"]


def test_a_passcode_kept_after_release_and_final_charges_on_an_open_ticket(tickets):
    problems = damage(
        "UPDATE repair_tickets SET passcode_encrypted = 'token' WHERE id = :id",
        id=tickets["owed"].id,
    )
    problems += damage(
        "UPDATE repair_tickets SET final_charges_centavos = 0 WHERE id = :id",
        id=tickets["working"].id,
    )

    assert "RT-2026-00002: released, but the passcode was not erased" in problems
    assert "RT-2026-00003: not released, but it has final charges" in problems


def test_a_gap_in_a_year_of_ticket_numbers_is_named(tickets):
    problems = damage(
        "UPDATE counters SET value = value + 1 WHERE key = 'repair_ticket:2026'"
    )

    assert problems == ["Repair tickets of 2026: the counter stands at 4; missing: 4"]


def test_a_year_whose_tickets_are_all_gone_is_named(tickets):
    problems = damage(
        "INSERT INTO counters (key, value) VALUES ('repair_ticket:2025', 2)"
    )

    assert problems == [
        "Repair tickets of 2025: the counter stands at 2; missing: 1, 2"
    ]
