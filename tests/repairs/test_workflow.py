"""Statuses, who may move them, reopening, and technicians taking tickets."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from jcicons import clock
from jcicons.audit.models import AuditEvent
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.repairs.models import (
    SIDE_EXITS,
    STATUS_LABELS,
    EstimateDecision,
    RepairEvent,
    RepairEventKind,
    RepairStatus,
    RepairTicket,
)
from jcicons.repairs.services import (
    NEEDS_APPROVAL,
    TRANSITIONS,
    InvalidTransition,
    assign_technician,
    change_status,
    record_estimate_decision,
    release_ticket,
    reopen_ticket,
    take_ticket,
)
from repairs.repair_helpers import walk_to

S = RepairStatus

ALLOWED = sorted((start, end) for start, ends in TRANSITIONS.items() for end in ends)
REFUSED = [
    (S.RECEIVED, S.IN_REPAIR),
    (S.RECEIVED, S.READY),
    (S.RECEIVED, S.WAITING_APPROVAL),
    (S.DIAGNOSING, S.RECEIVED),
    (S.WAITING_PARTS, S.READY),
    (S.WAITING_PARTS, S.DIAGNOSING),
    (S.IN_REPAIR, S.DIAGNOSING),
    (S.READY, S.CANCELLED),
    (S.READY, S.RELEASED),
    (S.CANCELLED, S.DIAGNOSING),
    (S.UNREPAIRABLE, S.READY),
    (S.PULLED_OUT, S.IN_REPAIR),
]


def last_status_event(ticket: RepairTicket) -> RepairEvent:
    return db.session.scalars(
        select(RepairEvent)
        .where(
            RepairEvent.ticket_id == ticket.id,
            RepairEvent.kind == RepairEventKind.STATUS,
        )
        .order_by(RepairEvent.id.desc())
    ).first()


@pytest.mark.parametrize(("start", "end"), ALLOWED, ids=lambda s: s.value)
def test_every_allowed_move_works(admin, make_ticket, start, end):
    ticket = make_ticket()
    walk_to(ticket, start, admin)
    if start == S.WAITING_APPROVAL and end in NEEDS_APPROVAL:
        record_estimate_decision(ticket, EstimateDecision.APPROVED, admin)

    change_status(ticket, end, admin, note="  moving on ")

    assert ticket.status == end
    event = last_status_event(ticket)
    assert (event.from_status, event.to_status) == (start.value, end.value)
    assert (event.actor_id, event.note) == (admin.id, "moving on")


@pytest.mark.parametrize(("start", "end"), REFUSED, ids=lambda s: s.value)
def test_a_move_off_the_workflow_is_refused(admin, make_ticket, start, end):
    ticket = make_ticket()
    walk_to(ticket, start, admin)

    expected = (
        f"A ticket that is {STATUS_LABELS[start]} cannot go to {STATUS_LABELS[end]}."
    )
    with pytest.raises(InvalidTransition) as caught:
        change_status(ticket, end, admin)
    assert caught.value.message == expected
    assert ticket.status == start


def test_a_released_ticket_cannot_change_status(admin, make_ticket):
    ticket = make_ticket()
    walk_to(ticket, S.CANCELLED, admin)
    release_ticket(ticket, "Juan Dela Cruz", "", admin)

    with pytest.raises(InvalidTransition, match="Released cannot go to Diagnosing"):
        change_status(ticket, S.DIAGNOSING, admin)


@pytest.mark.parametrize("end", [S.IN_REPAIR, S.WAITING_PARTS])
@pytest.mark.parametrize(
    "decision", [EstimateDecision.PENDING, EstimateDecision.DECLINED]
)
def test_the_repair_goes_on_only_after_the_estimate_is_approved(
    admin, make_ticket, end, decision
):
    ticket = make_ticket()
    walk_to(ticket, S.WAITING_APPROVAL, admin)
    if decision != EstimateDecision.PENDING:
        record_estimate_decision(ticket, decision, admin)

    expected = "declined" if decision == EstimateDecision.DECLINED else "approval"
    with pytest.raises(DomainError, match=expected):
        change_status(ticket, end, admin)
    assert ticket.status == S.WAITING_APPROVAL


def test_an_approved_estimate_lets_the_repair_go_on(sales, admin, make_ticket):
    ticket = make_ticket()
    walk_to(ticket, S.WAITING_APPROVAL, admin)
    record_estimate_decision(ticket, EstimateDecision.APPROVED, sales, "By phone")

    change_status(ticket, S.IN_REPAIR, admin)
    assert ticket.status == S.IN_REPAIR
    assert ticket.estimate_decided_by_id == sales.id
    assert ticket.estimate_decided_at == clock.utcnow()


def test_a_declined_estimate_cannot_be_bypassed_through_diagnosing(admin, make_ticket):
    ticket = make_ticket()
    walk_to(ticket, S.WAITING_APPROVAL, admin)
    record_estimate_decision(ticket, EstimateDecision.DECLINED, admin)
    change_status(ticket, S.DIAGNOSING, admin)

    with pytest.raises(DomainError, match="estimate"):
        change_status(ticket, S.IN_REPAIR, admin)


@pytest.mark.parametrize("end", [S.IN_REPAIR, S.WAITING_PARTS, S.READY])
def test_an_unanswered_estimate_cannot_be_bypassed_through_diagnosing(
    admin, make_ticket, end
):
    ticket = make_ticket()
    walk_to(ticket, S.WAITING_APPROVAL, admin)
    change_status(ticket, S.DIAGNOSING, admin, note="Customer not answering")

    with pytest.raises(DomainError, match="approval of the estimate"):
        change_status(ticket, end, admin)
    assert ticket.status == S.DIAGNOSING
    assert ticket.estimate_requested_at == clock.utcnow()


def test_an_answer_taken_at_the_counter_counts_as_asked(sales, admin, make_ticket):
    ticket = make_ticket()
    walk_to(ticket, S.DIAGNOSING, admin)
    record_estimate_decision(ticket, EstimateDecision.DECLINED, sales, "Too dear")

    with pytest.raises(DomainError, match="declined"):
        change_status(ticket, S.READY, admin)
    assert ticket.estimate_requested_at is not None


def test_asking_again_after_a_decline_needs_a_new_yes(admin, make_ticket):
    ticket = make_ticket()
    walk_to(ticket, S.WAITING_APPROVAL, admin)
    record_estimate_decision(ticket, EstimateDecision.DECLINED, admin)
    change_status(ticket, S.DIAGNOSING, admin, note="Cheaper part found")
    change_status(ticket, S.WAITING_APPROVAL, admin)

    assert ticket.estimate_decision == EstimateDecision.PENDING
    with pytest.raises(DomainError, match="approval"):
        change_status(ticket, S.IN_REPAIR, admin)
    record_estimate_decision(ticket, EstimateDecision.APPROVED, admin)
    change_status(ticket, S.IN_REPAIR, admin)
    assert ticket.status == S.IN_REPAIR


def test_a_ticket_without_an_estimate_step_can_go_straight_to_repair(
    admin, make_ticket
):
    ticket = make_ticket()
    walk_to(ticket, S.DIAGNOSING, admin)

    change_status(ticket, S.IN_REPAIR, admin)
    assert ticket.estimate_decision == EstimateDecision.PENDING


def test_ready_for_pickup_records_when(admin, make_ticket):
    ticket = make_ticket()
    walk_to(ticket, S.IN_REPAIR, admin)
    assert ticket.ready_at is None
    clock.set_frozen(datetime(2026, 6, 16, 8, 0, tzinfo=UTC))

    change_status(ticket, S.READY, admin)
    assert ticket.ready_at == datetime(2026, 6, 16, 8, 0, tzinfo=UTC)


def test_a_status_change_is_audited(admin, make_ticket):
    ticket = make_ticket()
    change_status(ticket, S.DIAGNOSING, admin, note="Opened the back cover")

    audit = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "repair.status")
    )
    assert audit.entity_id == str(ticket.id)
    assert audit.before == {"status": "RECEIVED"}
    assert audit.after == {"status": "DIAGNOSING", "note": "Opened the back cover"}


def test_the_assigned_tech_works_the_ticket(staff, make_ticket):
    ticket = make_ticket(technician_id=staff.tech.id)

    change_status(ticket, S.DIAGNOSING, staff.tech)
    assert ticket.status == S.DIAGNOSING


@pytest.mark.parametrize("who", ["other_tech", "sales"])
def test_others_cannot_change_the_status(staff, make_ticket, who):
    ticket = make_ticket(technician_id=staff.tech.id)

    with pytest.raises(DomainError, match="Only the assigned technician"):
        change_status(ticket, S.DIAGNOSING, getattr(staff, who))
    assert ticket.status == S.RECEIVED


def test_a_tech_cannot_work_an_unassigned_ticket_before_taking_it(tech, make_ticket):
    ticket = make_ticket()

    with pytest.raises(DomainError, match="Only the assigned technician"):
        change_status(ticket, S.DIAGNOSING, tech)
    take_ticket(ticket, tech)
    change_status(ticket, S.DIAGNOSING, tech)
    assert ticket.status == S.DIAGNOSING


# Reopening ----------------------------------------------------------------------------


@pytest.mark.parametrize("exit_status", sorted(SIDE_EXITS), ids=str)
def test_admin_reopens_a_side_exit_with_a_reason(admin, make_ticket, exit_status):
    ticket = make_ticket()
    walk_to(ticket, exit_status, admin)

    reopen_ticket(ticket, admin, "  Customer changed their mind ")
    assert ticket.status == S.DIAGNOSING
    event = last_status_event(ticket)
    assert (event.from_status, event.to_status) == (exit_status.value, "DIAGNOSING")
    assert event.note == "Reopened: Customer changed their mind"


@pytest.mark.parametrize("who", ["sales", "tech"])
def test_only_admin_reopens(staff, make_ticket, who):
    ticket = make_ticket(technician_id=staff.tech.id)
    walk_to(ticket, S.CANCELLED, staff.admin)

    with pytest.raises(DomainError, match="Only an ADMIN can reopen"):
        reopen_ticket(ticket, getattr(staff, who), "Changed their mind")
    assert ticket.status == S.CANCELLED


def test_reopening_needs_a_reason(admin, make_ticket):
    ticket = make_ticket()
    walk_to(ticket, S.UNREPAIRABLE, admin)

    with pytest.raises(DomainError, match="reason") as caught:
        reopen_ticket(ticket, admin, "   ")
    assert caught.value.field == "reason"


@pytest.mark.parametrize("status", [S.RECEIVED, S.IN_REPAIR, S.READY])
def test_only_side_exits_are_reopened(admin, make_ticket, status):
    ticket = make_ticket()
    walk_to(ticket, status, admin)

    with pytest.raises(InvalidTransition, match=STATUS_LABELS[status]):
        reopen_ticket(ticket, admin, "Why not")
    assert ticket.status == status


def test_a_released_side_exit_is_not_reopened(admin, make_ticket):
    ticket = make_ticket()
    walk_to(ticket, S.PULLED_OUT, admin)
    release_ticket(ticket, "Juan Dela Cruz", "", admin)

    with pytest.raises(InvalidTransition, match="Released"):
        reopen_ticket(ticket, admin, "Came back")


# Technicians --------------------------------------------------------------------------


def test_a_tech_takes_an_unassigned_ticket(tech, make_ticket):
    ticket = make_ticket()

    take_ticket(ticket, tech)
    assert ticket.technician_id == tech.id
    event = db.session.scalars(
        select(RepairEvent).where(RepairEvent.kind == RepairEventKind.ASSIGNED)
    ).one()
    assert (event.technician_id, event.actor_id) == (tech.id, tech.id)


def test_a_ticket_already_taken_cannot_be_taken(staff, make_ticket):
    ticket = make_ticket(technician_id=staff.tech.id)

    with pytest.raises(DomainError, match=r"Someone took this ticket first\."):
        take_ticket(ticket, staff.other_tech)
    assert ticket.technician_id == staff.tech.id


def test_two_techs_taking_one_ticket_at_once_one_gets_it(app, staff, make_ticket):
    ticket = make_ticket()
    db.session.commit()
    ticket_id = ticket.id
    tech_ids = [staff.tech.id, staff.other_tech.id]
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def take(tech_id: int) -> None:
        with app.app_context():
            from jcicons.auth.models import User

            mine = db.session.get(RepairTicket, ticket_id)
            me = db.session.get(User, tech_id)
            barrier.wait()
            try:
                take_ticket(mine, me)
                db.session.commit()
                outcomes[tech_id] = "taken"
            except DomainError as exc:
                db.session.rollback()
                outcomes[tech_id] = exc.message

    threads = [threading.Thread(target=take, args=(i,)) for i in tech_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) == ["Someone took this ticket first.", "taken"]
    winner = next(i for i, outcome in outcomes.items() if outcome == "taken")
    db.session.expire_all()
    assert db.session.get(RepairTicket, ticket_id).technician_id == winner
    taken = db.session.scalars(
        select(RepairEvent.technician_id).where(
            RepairEvent.kind == RepairEventKind.ASSIGNED
        )
    ).all()
    assert taken == [winner]


def test_assigning_records_the_history(staff, make_ticket):
    ticket = make_ticket()
    assign_technician(ticket, staff.tech.id, staff.sales)
    assign_technician(ticket, staff.other_tech.id, staff.sales)
    assign_technician(ticket, None, staff.admin)

    history = db.session.execute(
        select(RepairEvent.technician_id, RepairEvent.note)
        .where(RepairEvent.kind == RepairEventKind.ASSIGNED)
        .order_by(RepairEvent.id)
    ).all()
    assert history == [
        (staff.tech.id, "Assigned to Rico Tech."),
        (staff.other_tech.id, "Assigned to Lea Tech."),
        (None, "Back to the unassigned queue."),
    ]
    assert ticket.technician_id is None
