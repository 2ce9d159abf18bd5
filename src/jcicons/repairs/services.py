"""Repair rules: intake, statuses, technicians, estimate, parts, money, release.

Every function works in the caller's transaction, flushes but never commits, and
takes the acting user. Who may call what is checked by the views against the
capability table and repeated here for money and release (`_require_collect`); the
ownership rule (a TECH works only the tickets assigned to them) lives here, because
it depends on the ticket, not on the role.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from jcicons.audit.services import record_audit
from jcicons.clock import shop_today, utcnow
from jcicons.customers.models import Customer, CustomerDepartment
from jcicons.db import lock_rows
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import MovementReason, Product, SerialStatus, SerialUnit
from jcicons.inventory.services import normalise_serial
from jcicons.inventory.stock import move_stock
from jcicons.money import format_pesos
from jcicons.numbering import next_number
from jcicons.repairs.models import (
    CONDITION_CHECKS,
    OPEN_STATUSES,
    SIDE_EXITS,
    STATUS_LABELS,
    DeviceType,
    EstimateDecision,
    Priority,
    RepairEvent,
    RepairEventKind,
    RepairPart,
    RepairService,
    RepairStatus,
    RepairTicket,
    ServiceType,
)
from jcicons.sales.ledger import add_ledger_row, check_payment
from jcicons.sales.models import METHOD_LABELS, NEEDS_REFERENCE, Payment, PaymentMethod
from jcicons.security.capabilities import current_toggles, role_can
from jcicons.security.crypto import DecryptionError, decrypt_text, encrypt_text

if TYPE_CHECKING:
    from jcicons.auth.models import User

_S = RepairStatus
logger = logging.getLogger(__name__)

# Where a ticket may go next by hand. Release is its own step (release_ticket), and
# reopening a side exit is ADMIN's (reopen_ticket).
TRANSITIONS: dict[RepairStatus, frozenset[RepairStatus]] = {
    _S.RECEIVED: frozenset({_S.DIAGNOSING} | SIDE_EXITS),
    _S.DIAGNOSING: frozenset(
        {_S.WAITING_APPROVAL, _S.WAITING_PARTS, _S.IN_REPAIR, _S.READY} | SIDE_EXITS
    ),
    _S.WAITING_APPROVAL: frozenset(
        {_S.DIAGNOSING, _S.WAITING_PARTS, _S.IN_REPAIR} | SIDE_EXITS
    ),
    _S.WAITING_PARTS: frozenset({_S.IN_REPAIR} | SIDE_EXITS),
    _S.IN_REPAIR: frozenset({_S.WAITING_PARTS, _S.READY} | SIDE_EXITS),
    _S.READY: frozenset({_S.IN_REPAIR}),
    _S.RELEASED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.UNREPAIRABLE: frozenset(),
    _S.PULLED_OUT: frozenset(),
}
# Statuses that need the customer's yes to the estimate when it was asked for.
NEEDS_APPROVAL = frozenset({_S.WAITING_PARTS, _S.IN_REPAIR, _S.READY})
# A ticket in one of these can be released to the customer.
RELEASABLE = frozenset({_S.READY} | SIDE_EXITS)

TICKET_PREFIX = "RT"


class InvalidTransition(DomainError):
    """A status change the workflow does not allow."""


class DuplicateSerial(DomainError):
    """The serial number is on another open ticket."""

    def __init__(self, tickets: list[RepairTicket]) -> None:
        numbers = ", ".join(ticket.number for ticket in tickets)
        super().__init__(
            f"This serial number is on an open ticket already ({numbers}). Check it "
            "is not the same device, then confirm to open another ticket.",
            field="serial_number",
        )
        self.tickets = tickets


# The catalogue of services --------------------------------------------------------


@dataclass
class ServiceTypeData:
    """A service as ADMIN types it into the catalogue."""

    name: str
    default_price_centavos: int
    warranty_days: int


def _check_service_type(data: ServiceTypeData, current: ServiceType | None) -> str:
    name = " ".join(data.name.split())
    if not name:
        raise DomainError("Give the service a name.", field="name")
    if data.default_price_centavos < 0:
        raise DomainError("The price cannot be negative.", field="default_price")
    if not 0 <= data.warranty_days <= 3650:
        raise DomainError(
            "Warranty days go from 0 to 3650 (ten years).", field="warranty_days"
        )
    clash = db.session.scalar(
        select(ServiceType).where(func.lower(ServiceType.name) == name.lower())
    )
    if clash is not None and clash is not current:
        raise DomainError(f"There is a service named {clash.name} already.", "name")
    return name


def create_service_type(data: ServiceTypeData, actor: User) -> ServiceType:
    """Add a service to the catalogue."""
    name = _check_service_type(data, None)
    service = ServiceType(
        name=name,
        default_price_centavos=data.default_price_centavos,
        warranty_days=data.warranty_days,
    )
    db.session.add(service)
    db.session.flush()
    record_audit(
        actor,
        "service_type.create",
        "service_type",
        service.id,
        None,
        _service_facts(service),
    )
    return service


def update_service_type(
    service: ServiceType, data: ServiceTypeData, actor: User
) -> None:
    """Change a service's name, price or warranty; tickets keep what they agreed."""
    before = _service_facts(service)
    service.name = _check_service_type(data, service)
    service.default_price_centavos = data.default_price_centavos
    service.warranty_days = data.warranty_days
    db.session.flush()
    record_audit(
        actor,
        "service_type.update",
        "service_type",
        service.id,
        before,
        _service_facts(service),
    )


def set_service_type_archived(
    service: ServiceType, archived: bool, actor: User
) -> None:
    """Hide a service from intake (or bring it back); its history stays."""
    if service.is_archived == archived:
        return
    service.is_archived = archived
    action = "service_type.archive" if archived else "service_type.restore"
    record_audit(
        actor, action, "service_type", service.id, None, {"name": service.name}
    )


def _service_facts(service: ServiceType) -> dict[str, Any]:
    return {
        "name": service.name,
        "default_price_centavos": service.default_price_centavos,
        "warranty_days": service.warranty_days,
    }


def active_service_types() -> list[ServiceType]:
    """Return the services offered at intake, by name."""
    return list(
        db.session.scalars(
            select(ServiceType)
            .where(ServiceType.is_archived.is_(False))
            .order_by(ServiceType.name)
        )
    )


# Intake ----------------------------------------------------------------------------


@dataclass
class IntakeData:
    """Everything written down when a device comes in."""

    customer_id: int
    device_type: DeviceType
    problem: str
    department_id: int | None = None
    device_name: str = ""
    brand: str = ""
    model: str = ""
    serial_number: str = ""
    accessories: list[str] = field(default_factory=list)
    accessories_note: str = ""
    condition: dict[str, str] = field(default_factory=dict)
    condition_notes: str = ""
    passcode: str = ""
    service_type_ids: list[int] = field(default_factory=list)
    priority: Priority = Priority.NORMAL
    promised_date: date | None = None
    diagnostic_fee_centavos: int = 0
    deposit: Any = None  # a sales.services.PaymentInput, or None
    technician_id: int | None = None
    allow_duplicate_serial: bool = False
    idempotency_key: str = ""  # the intake form's, so a resend opens no second ticket


def find_ticket_by_key(idempotency_key: str) -> RepairTicket | None:
    """Return the ticket an earlier send of the same intake form opened."""
    if not idempotency_key:
        return None
    return db.session.scalar(
        select(RepairTicket).where(RepairTicket.idempotency_key == idempotency_key)
    )


def open_tickets_with_serial(
    serial: str, exclude_id: int | None = None
) -> list[RepairTicket]:
    """Return the open tickets of a device serial (case and spaces ignored)."""
    wanted = normalise_serial(serial)
    if not wanted:
        return []
    query = select(RepairTicket).where(
        RepairTicket.serial_number == wanted,
        RepairTicket.status.in_([s.value for s in OPEN_STATUSES]),
    )
    if exclude_id is not None:
        query = query.where(RepairTicket.id != exclude_id)
    return list(db.session.scalars(query.order_by(RepairTicket.id)))


def _technician(technician_id: int | None) -> User | None:
    from jcicons.auth.models import User

    if technician_id is None:
        return None
    user = db.session.get(User, technician_id)
    if user is None or not user.is_active or user.role not in {"TECH", "ADMIN"}:
        raise DomainError("Choose an active technician.", field="technician")
    return user


def _intake_customer(data: IntakeData) -> tuple[Customer, CustomerDepartment | None]:
    customer = db.session.get(Customer, data.customer_id)
    if customer is None or customer.merged_into_id is not None:
        raise DomainError("Choose the customer.", field="customer")
    department = None
    if data.department_id is not None:
        department = db.session.get(CustomerDepartment, data.department_id)
        if department is None or department.customer_id != customer.id:
            raise DomainError(
                "That department belongs to another customer.", field="department"
            )
    return customer, department


def _condition(answers: dict[str, str]) -> dict[str, str]:
    known = {key for key, _ in CONDITION_CHECKS}
    return {
        key: value
        for key, value in answers.items()
        if key in known and value in {"yes", "no"}
    }


def _clean(text: str, limit: int) -> str:
    return text.strip()[:limit]


def intake_customer(name: str, mobile: str, actor: User) -> tuple[Customer, bool]:
    """Return the customer who owns a mobile number, or a new one; and if new.

    At intake the customer stands at the counter with their phone, so the number
    finds them whoever is writing the ticket (a TECH included, who cannot search
    the customer list). Raises CustomerInvalid for a bad name or number.
    """
    from jcicons.customers.phones import InvalidMobile, normalise_mobile
    from jcicons.customers.queries import customers_with_numbers
    from jcicons.customers.services import (
        CustomerData,
        CustomerInvalid,
        create_customer,
    )

    try:
        number = normalise_mobile(mobile)
    except InvalidMobile as exc:
        raise CustomerInvalid({"mobile": exc.message}) from exc
    owners = customers_with_numbers([number])
    if owners:
        return owners[0][1], False
    try:
        customer = create_customer(CustomerData(name=name, phones=[number]), actor)
    except CustomerInvalid as exc:
        errors = {
            "mobile" if key.startswith("phones-") else key: message
            for key, message in exc.errors.items()
        }
        raise CustomerInvalid(errors) from exc
    return customer, True


def create_ticket(
    data: IntakeData, actor: User, original: RepairTicket | None = None
) -> RepairTicket:
    """Write a new ticket with its number, services, deposit and first timeline entry.

    The number is allocated here, in the caller's transaction, from a counter per
    year in the shop's time zone: RT-2026-00001. Raises DomainError (DuplicateSerial
    when the serial is on an open ticket and the duplicate was not confirmed). The
    same intake form sent again returns the ticket it opened the first time.
    """
    earlier = find_ticket_by_key(data.idempotency_key)
    if earlier is not None:
        return earlier
    customer, department = _intake_customer(data)
    problem = data.problem.strip()
    if not problem:
        raise DomainError("Describe the problem in the customer's words.", "problem")
    if data.device_type == DeviceType.OTHER and not data.device_name.strip():
        raise DomainError("Name the device (for 'Other').", field="device_name")
    if data.diagnostic_fee_centavos < 0:
        raise DomainError("The diagnostic fee cannot be negative.", "diagnostic_fee")
    if data.promised_date is not None and data.promised_date < shop_today():
        raise DomainError("The promised date cannot be in the past.", "promised_date")
    serial = normalise_serial(data.serial_number)
    if serial and not data.allow_duplicate_serial:
        duplicates = open_tickets_with_serial(serial)
        if duplicates:
            raise DuplicateSerial(duplicates)
    services = _chosen_services(data.service_type_ids)
    technician = _technician(data.technician_id)

    year = shop_today().year
    number = f"{TICKET_PREFIX}-{year}-{next_number(f'repair_ticket:{year}'):05d}"
    ticket = RepairTicket(
        number=number,
        status_token=secrets.token_urlsafe(24),
        idempotency_key=data.idempotency_key or None,
        status=_S.RECEIVED,
        customer_id=customer.id,
        department_id=department.id if department else None,
        device_type=data.device_type.value,
        device_name=_clean(data.device_name, 80),
        brand=_clean(data.brand, 60),
        model=_clean(data.model, 80),
        serial_number=serial[:80],
        accessories=[_clean(a, 60) for a in data.accessories if a.strip()][:20],
        accessories_note=_clean(data.accessories_note, 300),
        condition=_condition(data.condition),
        condition_notes=_clean(data.condition_notes, 1000),
        passcode_encrypted=encrypt_text(data.passcode) if data.passcode else None,
        problem=problem[:2000],
        priority=data.priority.value,
        promised_date=data.promised_date,
        diagnostic_fee_centavos=data.diagnostic_fee_centavos,
        technician_id=technician.id if technician else None,
        original_ticket_id=original.id if original else None,
        created_by_id=actor.id,
    )
    db.session.add(ticket)
    db.session.flush()
    for service in services:
        _add_service_line(ticket, service, service.default_price_centavos, actor)
    if original is not None:
        # A comeback redoes the original's labour, free unless someone charges it.
        # The lines are copied from the original ticket, not the catalogue, so a
        # service archived since still comes back under its warranty.
        for done in original.services:
            if done.removed_at is None:
                _copy_service_line(ticket, done, actor)
    _event(
        ticket,
        actor,
        RepairEventKind.STATUS,
        to_status=_S.RECEIVED,
        note="Ticket opened.",
    )
    if technician is not None:
        _event(ticket, actor, RepairEventKind.ASSIGNED, technician_id=technician.id)
    if data.deposit is not None:
        take_payment(ticket, data.deposit, actor, note="Deposit at intake")
    record_audit(
        actor,
        "repair.create",
        "repair_ticket",
        ticket.id,
        None,
        {
            "number": ticket.number,
            "customer_id": customer.id,
            "device": ticket.device_label,
            "serial_number": ticket.serial_number,
            "original_ticket": original.number if original else None,
        },
    )
    return ticket


def _chosen_services(ids: list[int]) -> list[ServiceType]:
    if not ids:
        return []
    found = {
        service.id: service
        for service in db.session.scalars(
            select(ServiceType).where(ServiceType.id.in_(ids))
        )
    }
    chosen = []
    for service_id in dict.fromkeys(ids):
        service = found.get(service_id)
        if service is None or service.is_archived:
            raise DomainError("One of the services is no longer offered.", "services")
        chosen.append(service)
    return chosen


def _add_service_line(
    ticket: RepairTicket, service: ServiceType, price: int, actor: User
) -> RepairService:
    # Through the relationship: the backref queues the line on an unloaded
    # collection instead of loading it (which would list an autoflushed line twice).
    line = RepairService(
        ticket=ticket,
        service_type_id=service.id,
        name=service.name,
        price_centavos=price,
        warranty_days=service.warranty_days,
        added_by_id=actor.id,
    )
    db.session.add(line)
    return line


def _copy_service_line(
    ticket: RepairTicket, done: RepairService, actor: User
) -> RepairService:
    line = RepairService(
        ticket=ticket,
        service_type_id=done.service_type_id,
        name=done.name,
        price_centavos=0,
        warranty_days=done.warranty_days,
        added_by_id=actor.id,
    )
    db.session.add(line)
    return line


def _event(
    ticket: RepairTicket,
    actor: User | None,
    kind: RepairEventKind,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    technician_id: int | None = None,
    note: str = "",
) -> RepairEvent:
    event = RepairEvent(
        ticket=ticket,
        kind=kind.value,
        from_status=from_status,
        to_status=to_status,
        technician_id=technician_id,
        note=note[:2000],
        actor_id=actor.id if actor is not None else None,
    )
    db.session.add(event)
    return event


# Who may touch a ticket ------------------------------------------------------------


def may_work(ticket: RepairTicket, user: User) -> bool:
    """Return True when `user` may work the ticket (ADMIN, or its own TECH)."""
    if user.role == "ADMIN":
        return True
    return user.role == "TECH" and ticket.technician_id == user.id


def _require_work(ticket: RepairTicket, actor: User) -> None:
    if not may_work(ticket, actor):
        raise DomainError(
            "Only the assigned technician or an ADMIN can work this ticket."
        )


def _require_collect(actor: User) -> None:
    if not role_can(actor.role, "repairs.collect", current_toggles()):
        raise DomainError("Only the counter or an ADMIN handles a ticket's money.")


def _require_open(ticket: RepairTicket) -> None:
    if ticket.status == _S.RELEASED:
        raise DomainError(
            f"{ticket.number} was released: its parts, labour and charges are locked."
        )


def _hold(ticket: RepairTicket) -> None:
    """Lock the ticket until commit and read it afresh (two counters take turns).

    Everything that changes a ticket's lines, money, status or technician holds it
    first, so that a release, a payment and an added part never work from each
    other's stale figures; who may act is checked after the hold, against the
    technician a reassignment may just have changed.
    """
    lock_rows(db.session, RepairTicket, RepairTicket.id == ticket.id)
    db.session.expire_all()


def _hold_open(ticket: RepairTicket) -> None:
    """Hold the ticket, then refuse when it was released meanwhile."""
    _hold(ticket)
    _require_open(ticket)


# Statuses, notes, technicians -------------------------------------------------------


def change_status(
    ticket: RepairTicket, to: RepairStatus, actor: User, note: str = ""
) -> None:
    """Move a ticket along the workflow, with a timeline entry and an audit row.

    Raises InvalidTransition for a move the workflow does not allow, and DomainError
    when an estimate was asked for and the customer has not approved it: the repair
    does not go on (nor is the device made ready) on a declined or unanswered
    estimate, whichever way the ticket travelled since. Asking again with a revised
    estimate clears the earlier answer.
    """
    _hold(ticket)
    _require_work(ticket, actor)
    current = RepairStatus(ticket.status)
    if to not in TRANSITIONS[current]:
        raise InvalidTransition(
            f"A ticket that is {STATUS_LABELS[current]} cannot go to "
            f"{STATUS_LABELS[to]}.",
            field="status",
        )
    decision = EstimateDecision(ticket.estimate_decision)
    # Asked: by a move to Waiting for approval, or an answer taken at the counter.
    asked = ticket.estimate_requested_at is not None or current == _S.WAITING_APPROVAL
    if to in NEEDS_APPROVAL and decision == EstimateDecision.DECLINED:
        raise DomainError(
            "The customer declined the estimate: ask again with a revised estimate "
            "(Waiting for approval) and record their yes, or close the ticket.",
            field="status",
        )
    if to in NEEDS_APPROVAL and asked and decision != EstimateDecision.APPROVED:
        raise DomainError(
            "Record the customer's approval of the estimate before the repair goes on.",
            field="status",
        )
    if to == _S.WAITING_APPROVAL:
        # Asking again is a new estimate: the earlier answer stays in the timeline.
        ticket.estimate_decision = EstimateDecision.PENDING.value
        ticket.estimate_requested_at = utcnow()
    ticket.status = to.value
    if to == _S.READY:
        ticket.ready_at = utcnow()
    _event(
        ticket,
        actor,
        RepairEventKind.STATUS,
        from_status=current.value,
        to_status=to.value,
        note=note.strip(),
    )
    record_audit(
        actor,
        "repair.status",
        "repair_ticket",
        ticket.id,
        {"status": current.value},
        {"status": to.value, "note": note.strip()[:200]},
    )
    db.session.flush()


def reopen_ticket(ticket: RepairTicket, actor: User, reason: str) -> None:
    """Bring a cancelled, unrepairable or pulled-out ticket back (ADMIN only)."""
    if actor.role != "ADMIN":
        raise DomainError("Only an ADMIN can reopen a closed ticket.")
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the reason for reopening the ticket.", field="reason")
    _hold(ticket)
    current = RepairStatus(ticket.status)
    if current not in SIDE_EXITS:
        raise InvalidTransition(
            f"Only a cancelled, unrepairable or pulled-out ticket can be reopened; "
            f"this one is {STATUS_LABELS[current]}.",
        )
    ticket.status = _S.DIAGNOSING.value
    _event(
        ticket,
        actor,
        RepairEventKind.STATUS,
        from_status=current.value,
        to_status=_S.DIAGNOSING.value,
        note=f"Reopened: {reason}",
    )
    record_audit(
        actor,
        "repair.reopen",
        "repair_ticket",
        ticket.id,
        {"status": current.value},
        {"status": _S.DIAGNOSING.value, "reason": reason},
    )


def add_note(ticket: RepairTicket, text: str, actor: User) -> RepairEvent:
    """Add a note to the timeline (diagnosis findings, what was tried, ...).

    Notes are work on the ticket: only its TECH or an ADMIN writes them (the
    counter keeps its calls to the customer on the customer's own notes). Raises
    DomainError.
    """
    _require_work(ticket, actor)
    text = text.strip()
    if not text:
        raise DomainError("Write the note first.", field="note")
    return _event(ticket, actor, RepairEventKind.NOTE, note=text)


def set_diagnosis(ticket: RepairTicket, text: str, actor: User) -> None:
    """Record the technician's diagnosis."""
    _require_work(ticket, actor)
    _require_open(ticket)
    before = ticket.diagnosis
    ticket.diagnosis = text.strip()[:2000]
    _event(ticket, actor, RepairEventKind.NOTE, note=f"Diagnosis: {ticket.diagnosis}")
    record_audit(
        actor,
        "repair.diagnosis",
        "repair_ticket",
        ticket.id,
        {"diagnosis": before},
        {"diagnosis": ticket.diagnosis},
    )


def assign_technician(
    ticket: RepairTicket, technician_id: int | None, actor: User
) -> None:
    """Give the ticket to a technician, or back to the unassigned queue."""
    _hold_open(ticket)
    technician = _technician(technician_id)
    before = ticket.technician_id
    new = technician.id if technician else None
    if before == new:
        return
    ticket.technician_id = new
    note = (
        f"Assigned to {technician.full_name or technician.username}."
        if technician
        else "Back to the unassigned queue."
    )
    _event(ticket, actor, RepairEventKind.ASSIGNED, technician_id=new, note=note)
    record_audit(
        actor,
        "repair.assign",
        "repair_ticket",
        ticket.id,
        {"technician_id": before},
        {"technician_id": new},
    )


def take_ticket(ticket: RepairTicket, actor: User) -> None:
    """A TECH takes an unassigned ticket; of two taking it at once, one gets it."""
    _require_open(ticket)
    taken = db.session.execute(
        update(RepairTicket)
        .where(RepairTicket.id == ticket.id, RepairTicket.technician_id.is_(None))
        .values(technician_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError("Someone took this ticket first.")
    db.session.expire(ticket, ["technician_id"])
    _event(
        ticket,
        actor,
        RepairEventKind.ASSIGNED,
        technician_id=actor.id,
        note=f"Taken by {actor.full_name or actor.username}.",
    )
    record_audit(
        actor,
        "repair.take",
        "repair_ticket",
        ticket.id,
        {"technician_id": None},
        {"technician_id": actor.id},
    )


# Estimate: labour and parts -----------------------------------------------------------


def add_service(
    ticket: RepairTicket,
    service_type_id: int,
    actor: User,
    price_centavos: int | None = None,
) -> RepairService:
    """Add a labour line from the catalogue (at its price unless one is given)."""
    _hold_open(ticket)
    _require_work(ticket, actor)
    (service,) = _chosen_services([service_type_id])
    price = service.default_price_centavos if price_centavos is None else price_centavos
    if price < 0:
        raise DomainError("The price cannot be negative.", field="price")
    line = _add_service_line(ticket, service, price, actor)
    db.session.flush()
    _event(
        ticket,
        actor,
        RepairEventKind.SERVICE,
        note=f"Labour added: {service.name} at {format_pesos(price)}.",
    )
    record_audit(
        actor,
        "repair.service_add",
        "repair_ticket",
        ticket.id,
        None,
        {"service": service.name, "price_centavos": price},
    )
    return line


def remove_service(line: RepairService, actor: User) -> None:
    """Take a labour line off the ticket (kept, marked removed)."""
    ticket = line.ticket
    _hold_open(ticket)
    _require_work(ticket, actor)
    if line.removed_at is not None:
        raise DomainError("That labour line was removed already.")
    line.removed_at = utcnow()
    _event(ticket, actor, RepairEventKind.SERVICE, note=f"Labour removed: {line.name}.")
    record_audit(
        actor,
        "repair.service_remove",
        "repair_ticket",
        ticket.id,
        {"service": line.name, "price_centavos": line.price_centavos},
        None,
    )


def add_part(
    ticket: RepairTicket,
    product_id: int,
    quantity: int,
    actor: User,
    serial: str = "",
) -> RepairPart:
    """Use a part from stock on the repair, through the stock ledger.

    A serialized part needs the serial of an in-stock unit, one unit per line.
    Raises DomainError, or InsufficientStock when the shelf is short.
    """
    _hold_open(ticket)
    _require_work(ticket, actor)
    product = db.session.get(Product, product_id)
    if product is None:
        raise DomainError("Choose the part from the product list.", field="product")
    if product.is_service:
        raise DomainError(f"{product.name} is a service, not a part.", field="product")
    if quantity <= 0:
        raise DomainError("The quantity must be at least 1.", field="quantity")
    unit = None
    if product.is_serialized:
        if quantity != 1:
            raise DomainError("Add serialized parts one unit at a time.", "quantity")
        wanted = normalise_serial(serial)
        unit = db.session.scalar(
            select(SerialUnit).where(
                SerialUnit.product_id == product.id,
                SerialUnit.serial == wanted,
                SerialUnit.status == SerialStatus.IN_STOCK,
            )
        )
        if unit is None:
            raise DomainError(
                f"{serial.strip() or 'That serial'} is not an in-stock unit of "
                f"{product.name}.",
                field="serial",
            )
    part = RepairPart(
        ticket=ticket,
        product_id=product.id,
        sku=product.sku,
        description=product.name[:160],
        quantity=quantity,
        unit_price_centavos=product.price_centavos,
        unit_cost_centavos=product.cost_centavos,
        serial_unit_id=unit.id if unit else None,
        added_by_id=actor.id,
    )
    db.session.add(part)
    db.session.flush()
    move_stock(
        product,
        -quantity,
        MovementReason.REPAIR_PART,
        actor,
        "repair",
        ticket.id,
        unit_cost_centavos=product.cost_centavos,
        note=ticket.number,
        serial_unit=unit,
    )
    if unit is not None:
        unit.status = SerialStatus.IN_REPAIR
    _event(
        ticket,
        actor,
        RepairEventKind.PART,
        note=f"Part used: {quantity} x {product.name}.",
    )
    record_audit(
        actor,
        "repair.part_add",
        "repair_ticket",
        ticket.id,
        None,
        {
            "product_id": product.id,
            "quantity": quantity,
            "serial": unit.serial if unit else None,
        },
    )
    return part


def remove_part(part: RepairPart, actor: User) -> None:
    """Take a part off the ticket and put it back in stock (ledger row of its own)."""
    ticket = part.ticket
    _hold_open(ticket)
    _require_work(ticket, actor)
    if part.removed_at is not None:
        raise DomainError("That part was removed already.")
    part.removed_at = utcnow()
    part.removed_by_id = actor.id
    move_stock(
        part.product,
        part.quantity,
        MovementReason.REPAIR_PART_RETURN,
        actor,
        "repair",
        ticket.id,
        unit_cost_centavos=part.unit_cost_centavos,
        note=ticket.number,
        serial_unit=part.serial_unit,
    )
    if part.serial_unit is not None:
        part.serial_unit.status = SerialStatus.IN_STOCK
    _event(
        ticket,
        actor,
        RepairEventKind.PART,
        note=f"Part returned to stock: {part.quantity} x {part.description}.",
    )
    record_audit(
        actor,
        "repair.part_remove",
        "repair_ticket",
        ticket.id,
        {"part_id": part.id, "quantity": part.quantity},
        None,
    )


def record_estimate_decision(
    ticket: RepairTicket, decision: EstimateDecision, actor: User, note: str = ""
) -> None:
    """Write down the customer's yes or no to the estimate, with who and when.

    The answer comes to whoever works the ticket or to the counter (ADMIN, SALES),
    never to another technician. Raises DomainError.
    """
    if not (may_work(ticket, actor) or actor.role in {"ADMIN", "SALES"}):
        raise DomainError(
            "Only the assigned technician or the counter can record the answer."
        )
    _hold_open(ticket)
    if decision == EstimateDecision.PENDING:
        raise DomainError("Record an approval or a decline.", field="decision")
    before = ticket.estimate_decision
    if ticket.estimate_requested_at is None:  # asked at the counter, not by status
        ticket.estimate_requested_at = utcnow()
    ticket.estimate_decision = decision.value
    ticket.estimate_decided_at = utcnow()
    ticket.estimate_decided_by_id = actor.id
    ticket.estimate_note = note.strip()[:500]
    figures = ticket_figures(ticket)
    word = "approved" if decision == EstimateDecision.APPROVED else "declined"
    said = f"Customer {word} the estimate of {format_pesos(figures.charges_centavos)}."
    _event(
        ticket,
        actor,
        RepairEventKind.ESTIMATE,
        note=f"{said} {ticket.estimate_note}".strip(),
    )
    record_audit(
        actor,
        "repair.estimate",
        "repair_ticket",
        ticket.id,
        {"decision": before},
        {"decision": decision.value, "charges_centavos": figures.charges_centavos},
    )


# Money ----------------------------------------------------------------------------


@dataclass
class TicketFigures:
    """A ticket's money: what it costs, what was paid, what is left."""

    diagnostic_fee_centavos: int
    labour_centavos: int
    parts_centavos: int
    discount_centavos: int
    waived_centavos: int
    charges_centavos: int
    paid_centavos: int
    balance_centavos: int


def ticket_paid(ticket_id: int) -> int:
    """Return the ledger's net money for a ticket (payments less refunds)."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Payment.amount_centavos), 0)).where(
                Payment.repair_ticket_id == ticket_id
            )
        )
        or 0
    )


def ticket_figures(ticket: RepairTicket, paid: int | None = None) -> TicketFigures:
    """Return the ticket's charges from its lines and its payments from the ledger."""
    labour = sum(s.price_centavos for s in ticket.services if s.removed_at is None)
    parts = sum(
        p.unit_price_centavos * p.quantity for p in ticket.parts if p.removed_at is None
    )
    gross = ticket.diagnostic_fee_centavos + labour + parts
    charges = max(gross - ticket.discount_centavos - ticket.waived_centavos, 0)
    paid = ticket_paid(ticket.id) if paid is None else paid
    return TicketFigures(
        diagnostic_fee_centavos=ticket.diagnostic_fee_centavos,
        labour_centavos=labour,
        parts_centavos=parts,
        discount_centavos=ticket.discount_centavos,
        waived_centavos=ticket.waived_centavos,
        charges_centavos=charges,
        paid_centavos=paid,
        balance_centavos=charges - paid,
    )


def _check_payment(payment: Any) -> None:
    if payment.method == PaymentMethod.STORE_CREDIT:
        raise DomainError("Store credit is for purchases at the counter.", "payment")
    check_payment(payment)


def find_payment_by_key(idempotency_key: str) -> Payment | None:
    """Return the ticket payment an earlier send of the same form took."""
    if not idempotency_key:
        return None
    return db.session.scalar(
        select(Payment).where(
            Payment.idempotency_key == idempotency_key,
            Payment.repair_ticket_id.is_not(None),
        )
    )


def take_payment(
    ticket: RepairTicket,
    payment: Any,
    actor: User,
    note: str = "",
    idempotency_key: str = "",
) -> Payment:
    """Take a deposit or a payment on a ticket, into the payment ledger.

    While the work goes on, a deposit may be any amount (parts are often added
    later). Once the device is ready or the work has stopped, a payment may not take
    the ticket past its charges: change is given on cash instead. A ticket released
    on credit takes payments on what is still owed, never more. The payment form
    sent twice (a double click, a resend) is taken once: the same key returns the
    payment made the first time. Raises DomainError.
    """
    _require_collect(actor)
    _check_payment(payment)
    _hold(ticket)
    earlier = find_payment_by_key(idempotency_key)
    if earlier is not None:
        if earlier.repair_ticket_id != ticket.id:
            raise DomainError("This form is out of date: open the ticket again.")
        return earlier
    figures = ticket_figures(ticket)
    if ticket.status == _S.RELEASED and figures.balance_centavos <= 0:
        raise DomainError(f"{ticket.number} was released and nothing is owed on it.")
    if (
        ticket.status in RELEASABLE | {_S.RELEASED}
        and payment.amount_centavos > figures.balance_centavos
    ):
        raise DomainError(
            f"The payment ({format_pesos(payment.amount_centavos)}) is more than the "
            f"balance ({format_pesos(max(figures.balance_centavos, 0))}).",
            field="amount",
        )
    row = add_ledger_row(
        payment,
        actor,
        repair_ticket_id=ticket.id,
        note=note or "Payment",
        idempotency_key=idempotency_key,
    )
    db.session.flush()
    label = METHOD_LABELS[PaymentMethod(payment.method)]
    amount = format_pesos(payment.amount_centavos)
    _event(
        ticket,
        actor,
        RepairEventKind.PAYMENT,
        note=f"{note or 'Payment'}: {amount} by {label}.",
    )
    record_audit(
        actor,
        "repair.payment",
        "repair_ticket",
        ticket.id,
        {"balance_centavos": figures.balance_centavos},
        {
            "amount_centavos": payment.amount_centavos,
            "method": payment.method.value,
            "balance_centavos": figures.balance_centavos - payment.amount_centavos,
        },
    )
    return row


def refund_overpayment(ticket: RepairTicket, refund: Any, actor: User) -> Payment:
    """Give back what the customer paid beyond the charges, as a refund row.

    `refund` names the method (and reference); the amount is the overpayment.
    """
    _require_collect(actor)
    _hold_open(ticket)
    overpaid = -ticket_figures(ticket).balance_centavos
    if overpaid <= 0:
        raise DomainError("The customer has not paid more than the charges.")
    return _refund(ticket, overpaid, refund, actor, "Refund of overpayment")


def _refund(
    ticket: RepairTicket, amount: int, refund: Any, actor: User, note: str
) -> Payment:
    if refund.method == PaymentMethod.STORE_CREDIT:
        raise DomainError(
            "Refund repair money by cash or a payment channel.", "refund_method"
        )
    if refund.method in NEEDS_REFERENCE and not refund.reference.strip():
        raise DomainError(
            "Enter the reference number of the refund.", "refund_reference"
        )
    row = Payment(
        amount_centavos=-amount,
        method=refund.method.value,
        reference=refund.reference.strip()[:64],
        repair_ticket_id=ticket.id,
        note=note[:200],
        received_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    label = METHOD_LABELS[PaymentMethod(refund.method)]
    _event(
        ticket,
        actor,
        RepairEventKind.PAYMENT,
        note=f"{note}: {format_pesos(amount)} back by {label}.",
    )
    record_audit(
        actor,
        "repair.refund",
        "repair_ticket",
        ticket.id,
        None,
        {"amount_centavos": -amount, "method": refund.method.value, "note": note},
    )
    return row


def set_discount(
    ticket: RepairTicket,
    amount_centavos: int,
    actor: User,
    settings: dict[str, Any],
    approver: User | None = None,
) -> None:
    """Give a discount on the ticket; SALES above the cap need an ADMIN's approval."""
    from jcicons.sales.services import DiscountNeedsApproval

    _require_collect(actor)
    _hold_open(ticket)
    if amount_centavos < 0:
        raise DomainError("The discount cannot be negative.", field="discount")
    figures = ticket_figures(ticket)
    gross = (
        figures.diagnostic_fee_centavos
        + figures.labour_centavos
        + figures.parts_centavos
    )
    # A waiver has taken its share already; lowering a discount is always allowed
    # (lines removed after a waiver can leave no room at all).
    room = max(gross - figures.waived_centavos, 0)
    if amount_centavos > room and amount_centavos > ticket.discount_centavos:
        raise DomainError(
            f"The discount is more than the charges ({format_pesos(room)}).",
            "discount",
        )
    percent = Decimal(amount_centavos) * 100 / Decimal(gross) if gross else Decimal(0)
    cap = Decimal(str(settings.get("SALES_DISCOUNT_CAP_PERCENT", 10)))
    if (
        actor.role != "ADMIN"
        and percent > cap
        and (approver is None or approver.role != "ADMIN")
    ):
        raise DiscountNeedsApproval(percent, cap)
    before = ticket.discount_centavos
    ticket.discount_centavos = amount_centavos
    ticket.discount_approved_by_id = (
        approver.id if approver and actor.role != "ADMIN" and percent > cap else None
    )
    _event(
        ticket,
        actor,
        RepairEventKind.CHARGES,
        note=f"Discount set to {format_pesos(amount_centavos)}.",
    )
    record_audit(
        actor,
        "repair.discount",
        "repair_ticket",
        ticket.id,
        {"discount_centavos": before},
        {
            "discount_centavos": amount_centavos,
            "approved_by": approver.username if approver else None,
        },
    )


def waive_charges(
    ticket: RepairTicket,
    amount_centavos: int,
    reason: str,
    actor: User,
    refund: Any = None,
) -> Payment | None:
    """Waive part or all of the charges (ADMIN, reason required).

    Money already received is never erased: when the waiver leaves the customer
    having paid more than the new charges, the difference goes back as a refund row
    in the ledger, by the method given in `refund` (a PaymentInput of the positive
    amount to refund). Returns the refund row, if any.
    """
    if actor.role != "ADMIN":
        raise DomainError("Only an ADMIN can waive charges.")
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the reason for waiving the charges.", field="reason")
    _hold_open(ticket)
    figures = ticket_figures(ticket)
    if amount_centavos <= 0 or amount_centavos > figures.charges_centavos:
        raise DomainError(
            "Waive between ₱0.01 and the charges "
            f"({format_pesos(figures.charges_centavos)}).",
            field="amount",
        )
    before = ticket.waived_centavos
    ticket.waived_centavos += amount_centavos
    ticket.waive_reason = reason[:500]
    after = ticket_figures(ticket, figures.paid_centavos)
    row = None
    overpaid = -after.balance_centavos
    if overpaid > 0:
        if refund is None:
            raise DomainError(
                f"The customer has paid {format_pesos(overpaid)} more than the new "
                "charges: choose how to refund it.",
                field="refund_method",
            )
        row = _refund(ticket, overpaid, refund, actor, f"Refund after waiver: {reason}")
    _event(
        ticket,
        actor,
        RepairEventKind.CHARGES,
        note=f"{format_pesos(amount_centavos)} waived: {reason}"
        + (f" Refunded {format_pesos(overpaid)}." if row else ""),
    )
    record_audit(
        actor,
        "repair.waive",
        "repair_ticket",
        ticket.id,
        {"waived_centavos": before},
        {
            "waived_centavos": ticket.waived_centavos,
            "reason": reason,
            "refund_centavos": overpaid if row else 0,
        },
    )
    return row


# Release and warranty -------------------------------------------------------------


def warranty_end(ticket: RepairTicket, released_on: date) -> date | None:
    """Return the warranty's last day: the longest warranty of its labour lines.

    A comeback does not restart the warranty: it keeps the original's end date.
    Tickets that end in a side exit carry no warranty.
    """
    if ticket.original_ticket is not None:
        return ticket.original_ticket.warranty_until
    if ticket.status != _S.READY:
        return None
    days = max(
        (s.warranty_days for s in ticket.services if s.removed_at is None), default=0
    )
    return released_on + timedelta(days=days) if days else None


def release_ticket(
    ticket: RepairTicket,
    released_to_name: str,
    id_shown: str,
    actor: User,
    on_credit: bool = False,
    credit_reason: str = "",
) -> None:
    """Hand the device back: balance settled (or ADMIN's release on credit).

    Records who released it, to whom and when, sets the warranty end, and erases the
    device passcode. Raises DomainError.
    """
    _require_collect(actor)
    _hold(ticket)
    current = RepairStatus(ticket.status)
    if current not in RELEASABLE:
        raise InvalidTransition(
            f"A ticket that is {STATUS_LABELS[current]} cannot be released yet: "
            "mark it ready for pickup first (or cancel it).",
        )
    name = " ".join(released_to_name.split())
    if not name:
        raise DomainError(
            "Write the name of the person taking the device.", "released_to_name"
        )
    figures = ticket_figures(ticket)
    if figures.balance_centavos < 0:
        raise DomainError(
            f"The customer paid {format_pesos(-figures.balance_centavos)} more than "
            "the charges: refund it before the release.",
            field="balance",
        )
    if figures.balance_centavos > 0:
        if not on_credit:
            raise DomainError(
                f"{format_pesos(figures.balance_centavos)} is still owed: take the "
                "payment first, or have an ADMIN release it on credit.",
                field="balance",
            )
        if actor.role != "ADMIN":
            raise DomainError("Only an ADMIN can release a device on credit.")
        credit_reason = credit_reason.strip()
        if not credit_reason:
            raise DomainError(
                "Give the reason for releasing on credit.", "credit_reason"
            )
    elif on_credit:
        on_credit = False  # nothing owed: an ordinary release
    today = shop_today()
    ticket.warranty_until = warranty_end(ticket, today)
    ticket.final_charges_centavos = figures.charges_centavos
    ticket.status = _S.RELEASED.value
    ticket.released_at = utcnow()
    ticket.released_by_id = actor.id
    ticket.released_to_name = name[:120]
    ticket.released_to_id_shown = id_shown.strip()[:120]
    ticket.released_on_credit = on_credit
    ticket.credit_reason = credit_reason.strip()[:500] if on_credit else ""
    ticket.passcode_encrypted = None
    note = (
        f"Released to {name}"
        + (
            f" on credit ({format_pesos(figures.balance_centavos)}): "
            f"{ticket.credit_reason}"
            if on_credit
            else ""
        )
        + "."
    )
    _event(
        ticket,
        actor,
        RepairEventKind.STATUS,
        from_status=current.value,
        to_status=_S.RELEASED.value,
        note=note,
    )
    record_audit(
        actor,
        "repair.release",
        "repair_ticket",
        ticket.id,
        {"status": current.value},
        {
            "status": _S.RELEASED.value,
            "released_to": name,
            "on_credit": on_credit,
            "balance_centavos": figures.balance_centavos,
            "warranty_until": ticket.warranty_until.isoformat()
            if ticket.warranty_until
            else None,
        },
    )


def open_comeback(
    original: RepairTicket, problem: str, actor: User, allow_expired: bool = False
) -> RepairTicket:
    """Open a warranty comeback: a new ticket linked to the original, labour free.

    The original must have been released with a warranty still running today.
    """
    if original.status != _S.RELEASED or original.warranty_until is None:
        raise DomainError(f"{original.number} has no warranty to come back under.")
    if original.warranty_until < shop_today() and not allow_expired:
        raise DomainError(
            f"The warranty of {original.number} ended on "
            f"{original.warranty_until.isoformat()}."
        )
    if original.original_ticket_id is not None:
        original = original.original_ticket or original
    data = IntakeData(
        customer_id=original.customer_id,
        department_id=original.department_id,
        device_type=DeviceType(original.device_type),
        device_name=original.device_name,
        brand=original.brand,
        model=original.model,
        serial_number=original.serial_number,
        problem=problem,
        allow_duplicate_serial=True,
    )
    return create_ticket(data, actor, original=original)


# Passcode ----------------------------------------------------------------------------


def reveal_passcode(ticket: RepairTicket, viewer: User) -> str | None:
    """Return the device passcode for those who work the ticket, else None.

    Raises DecryptionError (and logs it for the owner) when the passcode was stored
    under an encryption key this server no longer has.
    """
    if ticket.passcode_encrypted is None or not may_work(ticket, viewer):
        return None
    try:
        return decrypt_text(ticket.passcode_encrypted)
    except DecryptionError:
        logger.error(
            "the passcode of %s cannot be decrypted with ENCRYPTION_KEY", ticket.number
        )
        raise
