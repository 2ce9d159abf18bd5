"""The payment ledger's rows: what makes a payment acceptable, and writing one.

Sales and repair tickets take money the same way, so both check a payment and
write its row here. Only the amount counts; tendered and change are kept on the row
for the drawer and the receipt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.sales.models import METHOD_LABELS, NEEDS_REFERENCE, Payment, PaymentMethod

if TYPE_CHECKING:
    from jcicons.auth.models import User
    from jcicons.sales.services import PaymentInput


def check_payment(payment: PaymentInput, field: str | None = None) -> None:
    """Refuse a payment of nothing, a non-cash one without its reference, and cash
    tendered short of the amount.

    Errors name `field`, or each of "amount", "reference" and "tendered" when no
    field is given. Raises DomainError.
    """
    if payment.amount_centavos <= 0:
        raise DomainError("The payment must be more than zero.", field or "amount")
    if payment.method in NEEDS_REFERENCE and not payment.reference.strip():
        label = METHOD_LABELS[payment.method]
        raise DomainError(
            f"Enter the reference number of the {label} payment.", field or "reference"
        )
    if (
        payment.method == PaymentMethod.CASH
        and payment.tendered_centavos is not None
        and payment.tendered_centavos < payment.amount_centavos
    ):
        raise DomainError(
            "The cash tendered is less than the cash amount.", field or "tendered"
        )


def add_ledger_row(
    payment: PaymentInput,
    actor: User,
    *,
    sale_id: int | None = None,
    repair_ticket_id: int | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> Payment:
    """Add the row of money taken for a sale or a repair ticket (change from cash)."""
    change = None
    if payment.method == PaymentMethod.CASH and payment.tendered_centavos is not None:
        change = payment.tendered_centavos - payment.amount_centavos
    row = Payment(
        amount_centavos=payment.amount_centavos,
        method=payment.method.value,
        reference=payment.reference.strip()[:64],
        tendered_centavos=payment.tendered_centavos,
        change_centavos=change,
        sale_id=sale_id,
        repair_ticket_id=repair_ticket_id,
        note=note[:200],
        idempotency_key=idempotency_key or None,
        received_by_id=actor.id,
    )
    db.session.add(row)
    return row
