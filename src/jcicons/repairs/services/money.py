"""A ticket's money against the payment ledger: figures, payments, discounts,
waivers and refunds."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from jcicons.audit.services import record_audit
from jcicons.db import sum_or_zero
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.keyed import find_by_key
from jcicons.money import format_pesos
from jcicons.repairs.models import (
    RepairEventKind,
    RepairStatus,
    RepairTicket,
)
from jcicons.repairs.queries import paid_by_ticket, ticket_payments
from jcicons.repairs.services.rules import (
    RELEASABLE,
    hold_open_ticket,
    hold_ticket,
    record_event,
    require_collect,
)
from jcicons.sales.ledger import add_ledger_row, check_payment
from jcicons.sales.models import METHOD_LABELS, NEEDS_REFERENCE, Payment, PaymentMethod
from jcicons.sales.services import PaymentInput

if TYPE_CHECKING:
    from jcicons.auth.models import User

_S = RepairStatus


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
            select(sum_or_zero(Payment.amount_centavos)).where(
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


def ticket_balances(tickets: list[RepairTicket]) -> dict[int, int]:
    """Return ticket id -> balance of a page of tickets, in one read of the ledger."""
    paid = paid_by_ticket([ticket.id for ticket in tickets]) if tickets else {}
    return {
        ticket.id: ticket_figures(ticket, paid.get(ticket.id, 0)).balance_centavos
        for ticket in tickets
    }


def ticket_money(ticket: RepairTicket) -> tuple[TicketFigures, list[Payment]]:
    """Return a ticket's figures and its ledger rows, from one read of the ledger."""
    payments = ticket_payments(ticket.id)
    paid = sum(payment.amount_centavos for payment in payments)
    return ticket_figures(ticket, paid), payments


def _check_payment(payment: Any) -> None:
    if payment.method == PaymentMethod.STORE_CREDIT:
        raise DomainError("Store credit is for purchases at the counter.", "payment")
    check_payment(payment)


def find_payment_by_key(idempotency_key: str) -> Payment | None:
    """Return the ticket payment an earlier send of the same form took."""
    if not idempotency_key:
        return None
    return find_by_key(Payment, idempotency_key, Payment.repair_ticket_id.is_not(None))


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
    require_collect(actor)
    _check_payment(payment)
    hold_ticket(ticket)
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
    record_event(
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
    require_collect(actor)
    hold_open_ticket(ticket)
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
    back = PaymentInput(PaymentMethod(refund.method), -amount, refund.reference)
    row = add_ledger_row(back, actor, repair_ticket_id=ticket.id, note=note)
    db.session.flush()
    label = METHOD_LABELS[PaymentMethod(refund.method)]
    record_event(
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

    require_collect(actor)
    hold_open_ticket(ticket)
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
    record_event(
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
    hold_open_ticket(ticket)
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
    record_event(
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
