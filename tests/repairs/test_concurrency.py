"""Two counters at once: ticket numbers, the last part on the shelf, the last peso owed.

Each test runs two threads with their own connections, released together by a
barrier, against the tests' database (SQLite, or PostgreSQL in CI).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from jcicons.auth.models import User
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import Product, StockMovement
from jcicons.repairs.models import DeviceType, RepairPart, RepairStatus, RepairTicket
from jcicons.repairs.services import (
    IntakeData,
    add_part,
    create_ticket,
    release_ticket,
    remove_part,
    take_payment,
    ticket_figures,
)
from jcicons.sales.models import Payment
from repairs.repair_helpers import cash, walk_to

S = RepairStatus


def side_by_side(app, work: Callable[[User], Any], user_ids: list[int]) -> list[str]:
    """Run `work(user)` in one thread per user at the same moment; return outcomes."""
    barrier = threading.Barrier(len(user_ids))
    outcomes: list[str] = []

    def run(user_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                result = work(user)
                db.session.commit()
                outcomes.append(str(result))
            except DomainError as exc:
                db.session.rollback()
                outcomes.append(exc.message)

    threads = [threading.Thread(target=run, args=(i,)) for i in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_two_intakes_at_once_get_the_next_two_numbers(app, staff, make_customer):
    customer_id = make_customer().id
    db.session.commit()

    def intake(user: User) -> str:
        ticket = create_ticket(
            IntakeData(
                customer_id=customer_id,
                device_type=DeviceType.PRINTER,
                problem="Paper jam.",
            ),
            user,
        )
        return ticket.number

    numbers = side_by_side(app, intake, [staff.sales.id, staff.admin.id])

    assert numbers == ["RT-2026-00001", "RT-2026-00002"]


def test_two_technicians_taking_the_last_part_one_gets_it(
    app, staff, stocked, make_ticket
):
    ssd = stocked("Kingston NV3 500GB SSD", 2_800_00, on_hand=1, cost=2_000_00)
    tickets = {
        tech.id: make_ticket(technician_id=tech.id).id
        for tech in (staff.tech, staff.other_tech)
    }
    product_id = ssd.id
    db.session.commit()

    def use_part(user: User) -> str:
        ticket = db.session.get(RepairTicket, tickets[user.id])
        add_part(ticket, product_id, 1, user)
        return "used"

    outcomes = side_by_side(app, use_part, list(tickets))

    assert outcomes[-1] == "used"
    assert "on hand" in outcomes[0]
    db.session.expire_all()
    assert db.session.get(Product, product_id).on_hand == 0
    ledger = db.session.scalar(
        select(func.sum(StockMovement.quantity)).where(
            StockMovement.product_id == product_id
        )
    )
    assert ledger == 0


def test_two_counters_taking_the_last_payment_take_it_once(
    app, staff, make_service, make_ticket
):
    ticket = make_ticket(
        service_type_ids=[make_service("Repaste", 1_200_00).id],
        diagnostic_fee_centavos=300_00,
    )
    walk_to(ticket, S.READY, staff.admin)
    ticket_id = ticket.id
    db.session.commit()

    def pay(user: User) -> str:
        mine = db.session.get(RepairTicket, ticket_id)
        take_payment(mine, cash(1_500_00), user)
        return "paid"

    outcomes = side_by_side(app, pay, [staff.sales.id, staff.admin.id])

    assert outcomes[1] == "paid"
    assert "more than the balance" in outcomes[0]
    db.session.expire_all()
    paid = db.session.scalar(
        select(func.sum(Payment.amount_centavos)).where(
            Payment.repair_ticket_id == ticket_id
        )
    )
    assert paid == 1_500_00
    assert ticket_figures(db.session.get(RepairTicket, ticket_id)).balance_centavos == 0


def test_two_hands_returning_the_same_part_return_it_once(
    app, staff, stocked, make_ticket
):
    ssd = stocked("Kingston NV3 500GB SSD", 2_800_00, on_hand=1, cost=2_000_00)
    ticket = make_ticket()
    part = add_part(ticket, ssd.id, 1, staff.admin)
    part_id, product_id = part.id, ssd.id
    db.session.commit()

    def give_back(user: User) -> str:
        remove_part(db.session.get(RepairPart, part_id), user)
        return "returned"

    outcomes = side_by_side(app, give_back, [staff.admin.id, staff.admin.id])

    assert outcomes == ["That part was removed already.", "returned"]
    db.session.expire_all()
    assert db.session.get(Product, product_id).on_hand == 1


def test_a_part_added_while_the_device_is_released_never_misses_the_bill(
    app, staff, stocked, make_service, make_ticket
):
    ssd = stocked("Kingston NV3 500GB SSD", 2_800_00, on_hand=1, cost=2_000_00)
    ticket = make_ticket(service_type_ids=[make_service("Repaste", 1_200_00).id])
    walk_to(ticket, S.READY, staff.admin)
    take_payment(ticket, cash(1_200_00), staff.sales)
    ticket_id, product_id = ticket.id, ssd.id
    db.session.commit()

    def work(user: User) -> str:
        mine = db.session.get(RepairTicket, ticket_id)
        if user.role == "ADMIN":
            add_part(mine, product_id, 1, user)
            return "part added"
        release_ticket(mine, "Juan Dela Cruz", "", user)
        return "released"

    outcomes = side_by_side(app, work, [staff.sales.id, staff.admin.id])

    db.session.expire_all()
    released = db.session.get(RepairTicket, ticket_id)
    if "released" in outcomes:  # the release went first: the part is refused
        assert "released" in outcomes[0] and "locked" in outcomes[0]
        assert released.final_charges_centavos == 1_200_00
        assert released.parts == []
        assert db.session.get(Product, product_id).on_hand == 1
    else:  # the part went first: the release waits for its payment
        assert "still owed" in outcomes[1]
        assert released.status == S.READY
        assert ticket_figures(released).balance_centavos == 2_800_00
