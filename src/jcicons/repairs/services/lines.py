"""The estimate: labour and parts on a ticket, and the customer's answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from jcicons.audit.services import record_audit
from jcicons.clock import utcnow
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import MovementReason, Product, SerialStatus, SerialUnit
from jcicons.inventory.services import normalise_serial
from jcicons.inventory.stock import move_stock
from jcicons.money import format_pesos
from jcicons.repairs.models import (
    EstimateDecision,
    RepairEventKind,
    RepairPart,
    RepairService,
    RepairTicket,
)
from jcicons.repairs.services.catalogue import add_service_line, chosen_services
from jcicons.repairs.services.money import ticket_figures
from jcicons.repairs.services.rules import (
    hold_open_ticket,
    may_work,
    record_event,
    require_work,
)

if TYPE_CHECKING:
    from jcicons.auth.models import User


# Estimate: labour and parts -----------------------------------------------------------


def add_service(
    ticket: RepairTicket,
    service_type_id: int,
    actor: User,
    price_centavos: int | None = None,
) -> RepairService:
    """Add a labour line from the catalogue (at its price unless one is given)."""
    hold_open_ticket(ticket)
    require_work(ticket, actor)
    (service,) = chosen_services([service_type_id])
    price = service.default_price_centavos if price_centavos is None else price_centavos
    if price < 0:
        raise DomainError("The price cannot be negative.", field="price")
    line = add_service_line(ticket, service, price, actor)
    db.session.flush()
    record_event(
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
    hold_open_ticket(ticket)
    require_work(ticket, actor)
    if line.removed_at is not None:
        raise DomainError("That labour line was removed already.")
    line.removed_at = utcnow()
    record_event(
        ticket, actor, RepairEventKind.SERVICE, note=f"Labour removed: {line.name}."
    )
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
    hold_open_ticket(ticket)
    require_work(ticket, actor)
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
    record_event(
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
    hold_open_ticket(ticket)
    require_work(ticket, actor)
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
    record_event(
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
    hold_open_ticket(ticket)
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
    record_event(
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
