"""Checkout, payments on balances, returns and voids (the drawer count: cash.py).

Every service works inside the caller's transaction: checkout allocates the invoice
number, writes the sale, its lines with their cost snapshot, the stock movements and
the payments together, so either all of it happens or none of it does. Money comes
only from the catalogue and the payment ledger, never from the browser's figures.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from jcicons.audit.services import record_audit
from jcicons.clock import shop_today, utcnow
from jcicons.customers.models import Customer
from jcicons.customers.services import live_customer
from jcicons.db import hold_rows, sum_or_zero
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import (
    SERIAL_STATUS_LABELS,
    MovementReason,
    Product,
    SerialStatus,
    SerialUnit,
)
from jcicons.inventory.services import normalise_serial
from jcicons.inventory.stock import move_stock
from jcicons.keyed import find_by_key
from jcicons.money import format_pesos
from jcicons.numbering import next_number
from jcicons.sales.ledger import add_ledger_row, check_payment
from jcicons.sales.models import (
    NEEDS_REFERENCE,
    CreditMemo,
    CreditMemoLine,
    Payment,
    PaymentMethod,
    Sale,
    SaleLine,
    SaleStatus,
)
from jcicons.sales.pricing import (
    NO_DISCOUNT,
    Discount,
    LineInput,
    PricedLine,
    Totals,
    discount_percent,
    price_cart,
    share_out,
)
from jcicons.sales.queries import customer_account

if TYPE_CHECKING:
    from jcicons.auth.models import User

logger = logging.getLogger(__name__)

MAX_LINE_QUANTITY = 1_000
MAX_LINES = 200


class DiscountNeedsApproval(DomainError):
    """A SALES discount above the cap, waiting for an ADMIN's password."""

    def __init__(self, percent: Decimal, cap: Decimal) -> None:
        super().__init__(
            f"A discount of {percent:.2f}% is above the {cap:.2f}% you may give: an "
            "ADMIN must approve it with their password.",
            field="approval",
        )


@dataclass
class CartLine:
    """One cart line as the counter entered it; prices come from the catalogue."""

    product_id: int
    quantity: int
    discount: Discount = NO_DISCOUNT
    serials: list[str] = field(default_factory=list)


@dataclass
class PaymentInput:
    """Money handed over: method, amount applied, reference, cash tendered."""

    method: PaymentMethod
    amount_centavos: int
    reference: str = ""
    tendered_centavos: int | None = None


@dataclass
class CheckoutRequest:
    """Everything the counter sends to complete a sale."""

    idempotency_key: str
    lines: list[CartLine]
    payments: list[PaymentInput]
    sale_discount: Discount = NO_DISCOUNT
    customer_id: int | None = None
    customer_name: str = ""
    charge_to_account: bool = False
    due_date: date | None = None
    notes: str = ""


@dataclass
class _Resolved:
    product: Product
    line: CartLine
    units: list[SerialUnit]


def find_sale_by_key(idempotency_key: str) -> Sale | None:
    """Return the sale already made from this form, if any."""
    return find_by_key(Sale, idempotency_key)


def _resolve_lines(lines: list[CartLine]) -> list[_Resolved]:
    if not lines:
        raise DomainError("The cart is empty: add at least one product.", field="lines")
    if len(lines) > MAX_LINES:
        raise DomainError(f"A sale has at most {MAX_LINES} lines.", field="lines")
    resolved = []
    seen_serials: set[str] = set()
    for line in lines:
        product = db.session.get(Product, line.product_id)
        if product is None:
            raise DomainError("A product in the cart no longer exists.", field="lines")
        if product.is_archived:
            raise DomainError(
                f"{product.name} is archived and cannot be sold.", field="lines"
            )
        if not 0 < line.quantity <= MAX_LINE_QUANTITY:
            raise DomainError(
                f"{product.name}: the quantity must be 1 to {MAX_LINE_QUANTITY:,}.",
                field="lines",
            )
        units: list[SerialUnit] = []
        if product.is_serialized:
            serials = [normalise_serial(s) for s in line.serials if s.strip()]
            if len(serials) != line.quantity:
                raise DomainError(
                    f"{product.name}: pick one serial number per unit "
                    f"({line.quantity} needed, {len(serials)} picked).",
                    field="lines",
                )
            for serial in serials:
                if serial in seen_serials:
                    raise DomainError(
                        f"Serial {serial} is in the cart twice.", field="lines"
                    )
                seen_serials.add(serial)
                unit = db.session.scalar(
                    select(SerialUnit).where(
                        SerialUnit.serial == serial, SerialUnit.product_id == product.id
                    )
                )
                if unit is None or unit.status != SerialStatus.IN_STOCK:
                    raise DomainError(
                        f"{serial} is not an in-stock unit of {product.name}.",
                        field="lines",
                    )
                units.append(unit)
        resolved.append(_Resolved(product, line, units))
    return resolved


def price_lines(
    lines: list[CartLine], sale_discount: Discount, vat_registered: bool
) -> tuple[list[_Resolved], Totals]:
    """Price a cart from the catalogue; return the resolved lines and the totals."""
    resolved = _resolve_lines(lines)
    inputs = [
        LineInput(
            r.product.price_centavos,
            r.line.quantity,
            r.product.vat_class,
            r.line.discount,
        )
        for r in resolved
    ]
    return resolved, price_cart(inputs, sale_discount, vat_registered)


def _check_payments(payments: list[PaymentInput], total: int) -> int:
    """Validate the payments against the total; return how much they pay."""
    paid = 0
    for payment in payments:
        check_payment(payment, field="payments")
        if (
            payment.method == PaymentMethod.STORE_CREDIT
            and payment.tendered_centavos is not None
        ):
            raise DomainError(
                "Store credit is applied as an amount: nothing is tendered and no "
                "change is given.",
                field="payments",
            )
        paid += payment.amount_centavos
    if paid > total:
        raise DomainError(
            f"The payments ({format_pesos(paid)}) are more than the total "
            f"({format_pesos(total)}); give change on cash instead.",
            field="payments",
        )
    return paid


def customer_open_balance(customer_id: int) -> int:
    """Return what a customer still owes on completed sales, from the ledger.

    The sales of customers merged into this one count too: the debt follows the
    person, so the credit limit holds over everything they owe.
    """
    return customer_account(customer_id).open_balance_centavos


def sale_balance(sale: Sale) -> int:
    """Return what is still owed on a sale (0 for a void sale)."""
    if sale.status == SaleStatus.VOID:
        return 0
    paid = db.session.scalar(
        select(sum_or_zero(Payment.amount_centavos)).where(Payment.sale_id == sale.id)
    )
    returned = db.session.scalar(
        select(sum_or_zero(CreditMemo.amount_centavos)).where(
            CreditMemo.sale_id == sale.id
        )
    )
    return sale.total_centavos - int(paid or 0) - int(returned or 0)


def _credit_holder(customer_id: int) -> Customer:
    """Return the live customer who holds a customer's store credit.

    Credit follows merges like debt does: a sale of a merged duplicate counts for
    the customer it was merged into.
    """
    customer = live_customer(customer_id)
    if customer is None:
        raise DomainError("That customer does not exist.", field="customer")
    return customer


def store_credit_balance(customer_id: int) -> int:
    """Return the store credit a customer may spend, merged customers included."""
    return customer_account(_credit_holder(customer_id).id).store_credit_centavos


def _store_credit_in(payments: list[PaymentInput]) -> int:
    return sum(
        p.amount_centavos for p in payments if p.method == PaymentMethod.STORE_CREDIT
    )


def _spend_store_credit(customer_id: int, amount: int) -> None:
    """Allow `amount` of store credit to be spent only within the customer's balance.

    The customer holding the credit is locked first, so two counters spending the
    same credit take turns and the second one sees what the first spent. Raises
    DomainError with the balance when the amount is more than it.
    """
    holder = _credit_holder(customer_id)
    _hold(Customer, holder.id)
    available = customer_account(holder.id).store_credit_centavos
    if amount > available:
        raise DomainError(
            f"{holder.name} has {format_pesos(available)} of store credit: a "
            f"store-credit payment of {format_pesos(amount)} is more than that.",
            field="payments",
        )


def latest_due_date(today: date) -> date:
    """Return the last due date a credit sale made `today` may have: a year on."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def _check_due_date(due: date | None) -> None:
    """Allow a due date from today to a year ahead, in shop time.

    Raises DomainError without one, or for one in the past or too far ahead.
    """
    today = shop_today()
    if due is None or due < today:
        raise DomainError(
            "Give a due date for the balance (today or later).", field="due_date"
        )
    latest = latest_due_date(today)
    if due > latest:
        raise DomainError(
            f"A balance falls due within a year: choose a due date up to "
            f"{latest.isoformat()}.",
            field="due_date",
        )


def checkout(
    request: CheckoutRequest,
    actor: User,
    settings: dict[str, object],
    approver: User | None = None,
) -> Sale:
    """Complete a sale in the caller's transaction and return it.

    Prices come from the catalogue; a sale that comes to nothing is refused. A
    SALES discount above the ADMIN's cap needs an `approver` (an ADMIN who
    confirmed with their password). The payments must cover the total, unless the
    balance is charged to the customer's account within their credit limit with a
    due date from today to a year ahead (shop time). A merged customer's id sells to
    the customer they were merged into, whose limit holds; their business name, TIN
    and address are kept on the sale for the invoice. Store credit pays only for a
    chosen customer and within their balance. Returns the existing sale when the
    same form (idempotency key) was already completed. Raises DomainError,
    DiscountNeedsApproval or InsufficientStock.
    """
    existing = find_sale_by_key(request.idempotency_key)
    if existing is not None:
        return existing
    vat_registered = bool(settings.get("VAT_REGISTERED", True))
    resolved, totals = price_lines(request.lines, request.sale_discount, vat_registered)
    if totals.total_centavos == 0:
        raise DomainError(
            "This sale comes to ₱0.00: there is nothing to charge, so it cannot be "
            "completed. Take off the discount or add what the customer pays for.",
            field="lines",
        )

    cap = Decimal(str(settings.get("SALES_DISCOUNT_CAP_PERCENT", 10)))
    percent = discount_percent(totals)
    needs_approval = actor.role != "ADMIN" and percent > cap
    if needs_approval and (approver is None or approver.role != "ADMIN"):
        raise DiscountNeedsApproval(percent, cap)

    paid = _check_payments(request.payments, totals.total_centavos)
    balance = totals.total_centavos - paid
    # The counter may still hold a duplicate merged since: sell to the live customer.
    customer = _credit_holder(request.customer_id) if request.customer_id else None
    credit = _store_credit_in(request.payments)
    if credit:
        if customer is None:
            raise DomainError(
                "Choose the customer whose store credit pays for this sale.",
                field="customer",
            )
        _spend_store_credit(customer.id, credit)
    if balance > 0:
        if not request.charge_to_account:
            raise DomainError(
                f"The payments leave {format_pesos(balance)} unpaid: take the rest, or "
                "charge it to the customer's account.",
                field="payments",
            )
        if customer is None:
            raise DomainError(
                "Choose the customer to charge the balance to.", field="customer"
            )
        _check_due_date(request.due_date)
        _hold(Customer, customer.id)
        limit = int(customer.credit_limit_centavos or 0)
        owed = customer_open_balance(customer.id)
        if owed + balance > limit:
            raise DomainError(
                f"This would bring {customer.name}'s balance to "
                f"{format_pesos(owed + balance)}, over their credit limit of "
                f"{format_pesos(limit)}.",
                field="customer",
            )

    sale = Sale(
        number=f"INV-{next_number('invoice'):06d}",
        idempotency_key=request.idempotency_key,
        status=SaleStatus.COMPLETED,
        customer_id=customer.id if customer else None,
        customer_name=(customer.name if customer else request.customer_name.strip())[
            :160
        ],
        customer_business_name=(customer.business_name or None) if customer else None,
        customer_tin=(customer.tin or None) if customer else None,
        customer_address=(customer.address or None) if customer else None,
        cashier_id=actor.id,
        subtotal_centavos=totals.subtotal_centavos,
        line_discounts_centavos=totals.line_discounts_centavos,
        sale_discount_centavos=totals.sale_discount_centavos,
        total_centavos=totals.total_centavos,
        vat_registered=vat_registered,
        vatable_sales_centavos=totals.vatable_sales_centavos,
        vat_centavos=totals.vat_centavos,
        exempt_sales_centavos=totals.exempt_sales_centavos,
        zero_rated_sales_centavos=totals.zero_rated_sales_centavos,
        is_credit=balance > 0,
        due_date=request.due_date if balance > 0 else None,
        discount_approved_by_id=approver.id if needs_approval and approver else None,
        notes=request.notes.strip()[:500],
    )
    db.session.add(sale)
    db.session.flush()

    for item, priced in zip(resolved, totals.lines, strict=True):
        _write_lines(sale, item, priced, actor)
    for payment in request.payments:
        add_ledger_row(payment, actor, sale_id=sale.id)
    db.session.flush()

    record_audit(
        actor,
        "sale.create",
        "sale",
        sale.id,
        None,
        {
            "number": sale.number,
            "total_centavos": sale.total_centavos,
            "paid_centavos": paid,
            "credit": sale.is_credit,
            "discount_centavos": totals.discount_centavos,
            "discount_approved_by": approver.username
            if needs_approval and approver
            else None,
        },
    )
    logger.info(
        "sale %s (%s) by %s",
        sale.number,
        format_pesos(sale.total_centavos),
        actor.username,
    )
    return sale


def _write_lines(sale: Sale, item: _Resolved, priced: PricedLine, actor: User) -> None:
    """Write the sale line(s) of one cart line and take its stock.

    A serialized product becomes one line per unit, its money shared out exactly.
    """
    product = item.product
    count = len(item.units) if item.units else 1
    quantity_each = 1 if item.units else item.line.quantity
    line_discounts = share_out(priced.line_discount_centavos, [1] * count)
    sale_discounts = share_out(priced.sale_discount_centavos, [1] * count)
    for index in range(count):
        unit = item.units[index] if item.units else None
        gross = product.price_centavos * quantity_each
        line = SaleLine(
            sale_id=sale.id,
            product_id=product.id,
            sku=product.sku,
            description=product.name,
            quantity=quantity_each,
            unit_price_centavos=product.price_centavos,
            unit_cost_centavos=product.cost_centavos,
            line_discount_centavos=line_discounts[index],
            sale_discount_centavos=sale_discounts[index],
            net_centavos=gross - line_discounts[index] - sale_discounts[index],
            vat_class=product.vat_class,
            is_service=product.is_service,
            serial_unit_id=unit.id if unit else None,
        )
        db.session.add(line)
        if product.is_service:
            continue
        move_stock(
            product,
            -quantity_each,
            MovementReason.SOLD,
            actor,
            "sale",
            sale.id,
            unit_cost_centavos=product.cost_centavos,
            serial_unit=unit,
        )
        if unit is not None:
            unit.status = SerialStatus.SOLD


def _hold(model: Any, row_id: int) -> None:
    """Lock a row until commit, then read everything afresh.

    Two cashiers collecting on one balance, or returning and voiding one sale, take
    turns: the second decides on what the first committed.
    """
    hold_rows(db.session, model, model.id == row_id)


def collect_payment(sale: Sale, payment: PaymentInput, actor: User) -> Payment:
    """Take a payment on a sale's open balance (never more than the balance).

    Store credit pays only for the sale's own customer, within their credit.
    Raises DomainError.
    """
    _hold(Sale, sale.id)
    if sale.status == SaleStatus.VOID:
        raise DomainError("This sale is void: nothing is owed on it.")
    balance = sale_balance(sale)
    if balance <= 0:
        raise DomainError("Nothing is owed on this sale.")
    _check_payments([payment], balance)
    if payment.method == PaymentMethod.STORE_CREDIT:
        if sale.customer_id is None:
            raise DomainError(
                "This sale has no customer, so store credit cannot pay it.",
                field="payments",
            )
        _spend_store_credit(sale.customer_id, payment.amount_centavos)
    row = add_ledger_row(payment, actor, sale_id=sale.id)
    db.session.flush()
    record_audit(
        actor,
        "sale.payment",
        "sale",
        sale.id,
        {"balance_centavos": balance},
        {
            "balance_centavos": balance - payment.amount_centavos,
            "method": payment.method.value,
            "amount_centavos": payment.amount_centavos,
        },
    )
    return row


@dataclass
class ReturnInput:
    """One line coming back: how many, and whether it goes back to stock."""

    sale_line_id: int
    quantity: int
    restock: bool = True


def _line_share(line: SaleLine, already: int, quantity: int) -> int:
    """Return the money of `quantity` more units of a line, exact over full returns."""
    return (
        line.net_centavos * (already + quantity) // line.quantity
        - line.net_centavos * already // line.quantity
    )


def _is_out_on(line: SaleLine) -> bool:
    """Return True when a line's serialized unit is still sold, and on this line.

    A unit can come back in stock and be sold again; only the latest sale of a unit
    that is still SOLD may put it back on the shelf.
    """
    unit = line.serial_unit
    if unit is None or unit.status != SerialStatus.SOLD:
        return False
    latest = db.session.scalar(
        select(func.max(SaleLine.id)).where(SaleLine.serial_unit_id == unit.id)
    )
    return latest == line.id


def _status_words(unit: SerialUnit) -> str:
    try:
        return SERIAL_STATUS_LABELS[SerialStatus(unit.status)].lower()
    except ValueError:
        return unit.status


def return_items(
    sale: Sale,
    items: list[ReturnInput],
    reason: str,
    refund_method: PaymentMethod,
    actor: User,
    refund_reference: str = "",
) -> CreditMemo:
    """Take items back against a sale and issue a credit memo with its own number.

    Restocked items go back on hand (serialized units back in stock); the others are
    written off as defective. A serialized unit comes back only while the stock
    record says it is sold on this sale: one the ledger shows elsewhere (back in
    stock, written off, sold again) is refused, since restocking it would count it
    twice; the stock record is put right first. The customer gets back what they
    paid beyond the new amount due, by the chosen method; on an unpaid balance the
    memo just lowers it.
    A refund as store credit is a negative store-credit row on the sale, which
    raises the customer's credit; it needs a sale with a customer. Raises
    DomainError for a void sale, no reason, store credit on a walk-in sale, more
    than was sold, or a unit that is no longer out on this sale.
    """
    _hold(Sale, sale.id)
    if sale.status == SaleStatus.VOID:
        raise DomainError("This sale is void: nothing can be returned.")
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the reason for the return.", field="reason")
    if refund_method == PaymentMethod.STORE_CREDIT and sale.customer_id is None:
        raise DomainError(
            "This was a walk-in sale: store credit needs a customer to hold it. "
            "Refund by another method.",
            field="refund_method",
        )
    lines = {line.id: line for line in sale.lines}
    wanted = [item for item in items if item.quantity > 0]
    if not wanted:
        raise DomainError("Choose at least one item to return.", field="lines")
    memo = CreditMemo(
        number=f"CM-{next_number('credit_memo'):06d}",
        sale_id=sale.id,
        reason=reason[:500],
        amount_centavos=0,
        refund_method=refund_method.value,
        created_by_id=actor.id,
    )
    db.session.add(memo)
    db.session.flush()
    total = 0
    for item in wanted:
        line = lines.get(item.sale_line_id)
        if line is None:
            raise DomainError("That line is not on this sale.", field="lines")
        if item.quantity > line.quantity - line.returned_quantity:
            raise DomainError(
                f"{line.description}: only {line.quantity - line.returned_quantity} "
                "left to return.",
                field="lines",
            )
        unit = line.serial_unit
        if unit is not None and not _is_out_on(line):
            raise DomainError(
                f"{line.description} S/N {unit.serial} is {_status_words(unit)} in "
                f"the stock record, not sold on {sale.number}: it cannot come back on "
                "this return. Ask an ADMIN to check the unit's history in inventory.",
                field="lines",
            )
        amount = _line_share(line, line.returned_quantity, item.quantity)
        line.returned_quantity += item.quantity
        total += amount
        restock = item.restock and not line.is_service
        db.session.add(
            CreditMemoLine(
                memo_id=memo.id,
                sale_line_id=line.id,
                quantity=item.quantity,
                amount_centavos=amount,
                restocked=restock,
            )
        )
        product = line.product
        if restock:
            move_stock(
                product,
                item.quantity,
                MovementReason.SALE_RETURN,
                actor,
                "sale",
                sale.id,
                unit_cost_centavos=line.unit_cost_centavos,
                note=memo.number,
                serial_unit=unit,
            )
        if unit is not None:
            unit.status = SerialStatus.IN_STOCK if restock else SerialStatus.WRITTEN_OFF
    memo.amount_centavos = total
    db.session.flush()

    owed_before_refund = sale_balance(sale)  # already lowered by this memo
    refund = max(0, -owed_before_refund)
    if refund:
        if refund_method in NEEDS_REFERENCE and not refund_reference.strip():
            raise DomainError(
                "Enter the reference number of the refund.", field="reference"
            )
        db.session.add(
            Payment(
                amount_centavos=-refund,
                method=refund_method.value,
                reference=refund_reference.strip()[:64],
                sale_id=sale.id,
                credit_memo_id=memo.id,
                received_by_id=actor.id,
                note=f"Refund {memo.number}",
            )
        )
    db.session.flush()
    record_audit(
        actor,
        "sale.return",
        "sale",
        sale.id,
        None,
        {
            "memo": memo.number,
            "amount_centavos": total,
            "refund_centavos": refund,
            "refund_method": refund_method.value,
            "reason": reason,
            "lines": [[i.sale_line_id, i.quantity, i.restock] for i in wanted],
        },
    )
    logger.info("return %s on %s by %s", memo.number, sale.number, actor.username)
    return memo


def _void_refunds(sale: Sale) -> dict[str, int]:
    """Return what a void gives back per method: in all, exactly what is still paid.

    Each method gives back its net on the sale (what it paid less what it refunded).
    A return may have refunded by a method the sale was not paid by (store credit
    on a cash sale, cash on a card sale), which leaves that method's net negative.
    Such a refund is never taken back, even when the credit was spent since: it
    comes off what the other methods give back, in the order the methods are listed
    (cash first). So a void never charges store credit, and no customer's credit can
    go negative through one.
    """
    nets = {
        str(method): int(amount or 0)
        for method, amount in db.session.execute(
            select(Payment.method, func.sum(Payment.amount_centavos))
            .where(Payment.sale_id == sale.id)
            .group_by(Payment.method)
        )
    }
    already_refunded = -sum(min(net, 0) for net in nets.values())
    refunds: dict[str, int] = {}
    for method in PaymentMethod:
        net = nets.get(method.value, 0)
        if net <= 0:
            continue
        kept = min(net, already_refunded)
        already_refunded -= kept
        if net > kept:
            refunds[method.value] = net - kept
    return refunds


def void_sale(sale: Sale, reason: str, actor: User) -> list[str]:
    """Void a whole sale: restock what was not returned, refund what is still paid.

    The sale keeps its number and is marked VOID; refunds are negative ledger rows,
    one per method, and add up to what the customer still has in the sale (see
    `_void_refunds`): store credit spent on the sale comes back as store credit,
    and credit already given on a return stays given. A serialized unit goes back
    in stock only while it is still sold on this sale; one the stock record shows
    elsewhere since (back in stock, written off, sold again) is left where it is,
    so it is never counted twice or taken from another sale. Returns the serial
    numbers left alone, which the audit row lists too. Only ADMIN may void (the
    view checks the capability; the rule is repeated here). Raises DomainError.
    """
    if actor.role != "ADMIN":
        raise DomainError("Only an ADMIN can void a sale.")
    _hold(Sale, sale.id)
    if sale.status == SaleStatus.VOID:
        raise DomainError("This sale is already void.")
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the reason for voiding the sale.", field="reason")
    left_alone: list[str] = []
    for line in sale.lines:
        remaining = line.quantity - line.returned_quantity
        if remaining <= 0 or line.is_service:
            continue
        if line.serial_unit is not None and not _is_out_on(line):
            left_alone.append(line.serial_unit.serial)
            continue
        product = line.product
        move_stock(
            product,
            remaining,
            MovementReason.SALE_VOID,
            actor,
            "sale",
            sale.id,
            unit_cost_centavos=line.unit_cost_centavos,
            note=f"Void {sale.number}",
            serial_unit=line.serial_unit,
        )
        if line.serial_unit is not None:
            line.serial_unit.status = SerialStatus.IN_STOCK
    refunds = _void_refunds(sale)
    for method, amount in refunds.items():
        db.session.add(
            Payment(
                amount_centavos=-amount,
                method=method,
                sale_id=sale.id,
                received_by_id=actor.id,
                note=f"Void {sale.number}",
            )
        )
    sale.status = SaleStatus.VOID
    sale.voided_at = utcnow()
    sale.voided_by_id = actor.id
    sale.void_reason = reason[:500]
    db.session.flush()
    record_audit(
        actor,
        "sale.void",
        "sale",
        sale.id,
        {"status": "COMPLETED"},
        {
            "status": "VOID",
            "reason": reason,
            "refunds_centavos": refunds,
            "units_not_restocked": left_alone,
        },
    )
    logger.info("sale %s voided by %s", sale.number, actor.username)
    if left_alone:
        logger.warning(
            "void of %s left %s units where the stock record has them",
            sale.number,
            len(left_alone),
        )
    return left_alone
