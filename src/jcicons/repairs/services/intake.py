"""Intake: the customer, the device, its state and passcode, the first money."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from jcicons.audit.services import record_audit
from jcicons.clock import shop_today
from jcicons.customers.models import Customer, CustomerDepartment
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.services import normalise_serial
from jcicons.keyed import find_by_key
from jcicons.numbering import next_number
from jcicons.repairs.models import (
    CONDITION_CHECKS,
    OPEN_STATUSES,
    DeviceType,
    Priority,
    RepairEventKind,
    RepairService,
    RepairStatus,
    RepairTicket,
)
from jcicons.repairs.services.catalogue import add_service_line, chosen_services
from jcicons.repairs.services.money import take_payment
from jcicons.repairs.services.rules import (
    TICKET_COUNTER,
    TICKET_PREFIX,
    DuplicateSerial,
    chosen_technician,
    may_work,
    record_event,
)
from jcicons.security.crypto import DecryptionError, decrypt_text, encrypt_text

if TYPE_CHECKING:
    from jcicons.auth.models import User

_S = RepairStatus
logger = logging.getLogger(__name__)


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
    return find_by_key(RepairTicket, idempotency_key)


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
    services = chosen_services(data.service_type_ids)
    technician = chosen_technician(data.technician_id)

    year = shop_today().year
    number = f"{TICKET_PREFIX}-{year}-{next_number(f'{TICKET_COUNTER}{year}'):05d}"
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
        add_service_line(ticket, service, service.default_price_centavos, actor)
    if original is not None:
        # A comeback redoes the original's labour, free unless someone charges it.
        # The lines are copied from the original ticket, not the catalogue, so a
        # service archived since still comes back under its warranty.
        for done in original.services:
            if done.removed_at is None:
                _copy_service_line(ticket, done, actor)
    record_event(
        ticket,
        actor,
        RepairEventKind.STATUS,
        to_status=_S.RECEIVED,
        note="Ticket opened.",
    )
    if technician is not None:
        record_event(
            ticket, actor, RepairEventKind.ASSIGNED, technician_id=technician.id
        )
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
