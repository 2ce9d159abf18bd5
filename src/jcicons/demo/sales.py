"""Customers and a sales history for the small demo shop, through the real services.

Customers are made with `create_customer`; every sale goes through `checkout`,
balances through `collect_payment`, returns through `return_items` and voids
through `void_sale`, each with the shop clock set to its moment, so invoices,
credit memos, the payment ledger, stock movements and audit rows are exactly what
the counter would have written. Follow-ups (a payment on account, a return, a
void) are scheduled when their sale is made and run later in the same timeline.
"""

from __future__ import annotations

import random
import secrets
import string
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from jcicons.clock import frozen_at, shop_zone
from jcicons.customers.checks import CustomerData
from jcicons.customers.models import Customer, CustomerKind, CustomerPhone
from jcicons.customers.phones import InvalidMobile, normalise_mobile
from jcicons.customers.services import create_customer
from jcicons.demo.common import local_moment
from jcicons.extensions import db
from jcicons.inventory.models import Product, SerialStatus, SerialUnit
from jcicons.sales.models import PaymentMethod, Sale, SaleStatus
from jcicons.sales.pricing import NO_DISCOUNT
from jcicons.sales.services import (
    CartLine,
    CheckoutRequest,
    PaymentInput,
    ReturnInput,
    checkout,
    collect_payment,
    customer_open_balance,
    price_lines,
    return_items,
    sale_balance,
    void_sale,
)
from jcicons.settings.services import current_settings

if TYPE_CHECKING:
    from jcicons.auth.models import User

FIRST_NAMES = (
    "Juan", "Maria", "Jose", "Ana", "Mark", "Kristine", "Paolo", "Jasmine", "Rodel",
    "Liza", "Carlo", "Angelica", "Ramon", "Grace", "Jerome", "Mae", "Arnel", "Joy",
    "Dennis", "Rowena", "Noel", "Camille", "Vincent", "Aileen",
)  # fmt: skip
LAST_NAMES = (
    "Dela Cruz", "Reyes", "Santos", "Garcia", "Mendoza", "Bautista", "Villanueva",
    "Ramos", "Aquino", "Castillo", "Fernandez", "Navarro", "Soriano", "Pascual",
    "Manalo", "Domingo", "Salvador", "Gonzales", "Torres", "Lim",
)  # fmt: skip
BUSINESSES = (
    ("Sampaguita Printing Services", "Quezon City"),
    ("Bayanihan Hardware Trading", "Marikina City"),
    ("Tala Review Center", "Manila"),
    ("Kalye Kape Coffee Co.", "Pasig City"),
    ("Mabuhay Dental Clinic", "San Juan City"),
    ("Pinoy Padala Remittance", "Caloocan City"),
    ("Lakbay Travel and Tours", "Makati City"),
    ("Bituin Learning Academy", "Antipolo City"),
)
MOBILE_PREFIXES = (
    "0905", "0908", "0915", "0917", "0918", "0919", "0920", "0921", "0926", "0927",
    "0928", "0929", "0935", "0939", "0945", "0947", "0949", "0956", "0961", "0966",
    "0977", "0995", "0998",
)  # fmt: skip
INDIVIDUALS = 26
RETURN_REASONS = (
    "Changed mind, item unopened",
    "Wrong model bought",
    "Defective on arrival",
    "Does not fit the customer's device",
)
VOID_REASONS = (
    "Cashier keyed the wrong product; sale re-entered",
    "Customer cancelled before leaving the counter",
)
SERVICE_SHARE = 0.12
SALES_PER_DAY = (1, 5)
CREDIT_DAYS = 30


@dataclass
class SaleSlot:
    """A moment at which a customer comes to the counter."""

    moment: datetime


@dataclass
class FollowUp:
    """Something done later to a sale: a payment on account, a return or a void."""

    moment: datetime
    kind: str
    sale_id: int


def demo_mobile(rng: random.Random, taken: set[str]) -> str:
    """Return a Philippine mobile number in +63 form that nobody else has."""
    while True:
        typed = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"
        try:
            number = normalise_mobile(typed)
        except InvalidMobile:
            continue
        if number not in taken:
            taken.add(number)
            return number


def demo_name(rng: random.Random, middle: bool = False) -> str:
    """Return a Filipino name, "Maria Santos", or with a middle initial."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if middle:
        return f"{first} {rng.choice(string.ascii_uppercase)}. {last}"
    return f"{first} {last}"


def create_demo_customers(
    rng: random.Random, actor: User, moment: datetime
) -> list[Customer]:
    """Create individuals and businesses; a few of each may buy on account."""
    taken = set(db.session.scalars(select(Customer.name)))
    phones = set(db.session.scalars(select(CustomerPhone.number)))
    specs: list[CustomerData] = []
    while len(specs) < INDIVIDUALS:
        name = demo_name(rng)
        if name in taken:
            # A big shop may have used every plain name: add a middle initial.
            name = demo_name(rng, middle=True)
            if name in taken:
                continue
        taken.add(name)
        limit = rng.choice((5_000_00, 10_000_00, 15_000_00)) if len(specs) < 4 else 0
        specs.append(
            CustomerData(
                name=name,
                phones=[demo_mobile(rng, phones)],
                credit_limit_centavos=limit,
                has_contact_consent=rng.random() < 0.6,
            )
        )
    for index, (business, city) in enumerate(BUSINESSES):
        contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        specs.append(
            CustomerData(
                name=contact,
                phones=[demo_mobile(rng, phones) for _ in range(rng.randint(1, 2))],
                kind=CustomerKind.BUSINESS.value,
                business_name=business,
                address=f"{rng.randint(1, 250)} Rizal Avenue, {city}",
                tin="-".join(f"{rng.randrange(1000):03d}" for _ in range(4)),
                credit_limit_centavos=0 if index % 4 == 3 else 100_000_00,
            )
        )
    customers = []
    for offset, data in enumerate(specs):
        with frozen_at(moment + timedelta(minutes=3 * offset)):
            customers.append(create_customer(data, actor))
    return customers


def plan_sale_slots(rng: random.Random, start: date, today: date) -> list[SaleSlot]:
    """Give every past day a few counter sales between 9:00 and 19:30."""
    slots = []
    day = start
    while day < today:
        for _ in range(rng.randint(*SALES_PER_DAY)):
            slots.append(
                SaleSlot(local_moment(day, rng.randrange(9 * 60, 19 * 60 + 30)))
            )
        day += timedelta(days=1)
    return slots


class SalesDesk:
    """Make the planned sales and their follow-ups through the sales services."""

    def __init__(
        self,
        rng: random.Random,
        actor: User,
        products: list[Product],
        customers: list[Customer],
        cutoff: datetime,
        voids: int = 2,
    ) -> None:
        self.rng = rng
        self.actor = actor
        self.goods = [p for p in products if not p.is_service]
        self.goods_ids = [p.id for p in self.goods]
        self.services = [p for p in products if p.is_service]
        self.customers = customers
        self.cutoff = cutoff
        self.voids_left = voids
        self.settings = current_settings()

    def sell(self, slot: SaleSlot) -> list[FollowUp]:
        """Ring up one sale at its moment; return what will happen to it later."""
        lines = self._pick_lines()
        if not lines:
            return []
        customer = self._pick_customer()
        vat = bool(self.settings.get("VAT_REGISTERED", True))
        _, totals = price_lines(lines, NO_DISCOUNT, vat)
        total = totals.total_centavos
        credit = (
            customer is not None
            and customer.credit_limit_centavos > 0
            and self.rng.random() < 0.35
            and customer_open_balance(customer.id) + total
            <= customer.credit_limit_centavos
        )
        payments = self._down_payment(total) if credit else self._payments(total)
        local_day = slot.moment.astimezone(shop_zone()).date()
        request = CheckoutRequest(
            idempotency_key=f"demo-{secrets.token_urlsafe(18)}",
            lines=lines,
            payments=payments,
            customer_id=customer.id if customer else None,
            customer_name="" if customer else self._walk_in_name(),
            charge_to_account=credit,
            due_date=local_day + timedelta(days=CREDIT_DAYS) if credit else None,
        )
        with frozen_at(slot.moment):
            sale = checkout(request, self.actor, self.settings)
        return self._follow_ups(sale, slot.moment, credit)

    def follow_up(self, event: FollowUp) -> list[FollowUp]:
        """Carry out a payment on account, a return or a void."""
        sale = db.session.get(Sale, event.sale_id)
        if sale is None or sale.status == SaleStatus.VOID:
            return []
        with frozen_at(event.moment):
            if event.kind == "void":
                void_sale(sale, self.rng.choice(VOID_REASONS), self.actor)
            elif event.kind == "return":
                self._return(sale)
            else:
                return self._collect(sale, event.moment)
        return []

    def _pick_lines(self) -> list[CartLine]:
        lines = []
        stocked: list[Product] | None = None  # read once, when goods are wanted
        for _ in range(self.rng.choices((1, 2, 3), (70, 22, 8))[0]):
            if self.services and self.rng.random() < SERVICE_SHARE:
                product = self.rng.choice(self.services)
                lines.append(CartLine(product.id, 1))
                continue
            if stocked is None:
                stocked = self._stocked()
            if not stocked:
                continue
            product = self.rng.choice(stocked)
            if any(line.product_id == product.id for line in lines):
                continue
            if product.is_serialized:
                lines.append(CartLine(product.id, 1, serials=[self._serial(product)]))
            else:
                quantity = self.rng.choices((1, 2, 3), (80, 15, 5))[0]
                lines.append(CartLine(product.id, min(quantity, product.on_hand - 1)))
        return lines

    def _stocked(self) -> list[Product]:
        """Return the goods with two or more on hand, read in one select.

        Other desks' services expire the session's objects; reading on-hand here
        keeps the sale from reloading every product one by one.
        """
        ids = set(
            db.session.scalars(
                select(Product.id).where(
                    Product.id.in_(self.goods_ids), Product.on_hand >= 2
                )
            )
        )
        return [p for p, i in zip(self.goods, self.goods_ids, strict=True) if i in ids]

    def _serial(self, product: Product) -> str:
        in_stock = db.session.scalars(
            select(SerialUnit.serial)
            .where(
                SerialUnit.product_id == product.id,
                SerialUnit.status == SerialStatus.IN_STOCK,
            )
            .order_by(SerialUnit.id)
        ).all()
        return self.rng.choice(list(in_stock))

    def _pick_customer(self) -> Customer | None:
        if self.rng.random() < 0.55:
            return None
        return self.rng.choice(self.customers)

    def _walk_in_name(self) -> str:
        if self.rng.random() < 0.7:
            return ""
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def _reference(self, method: PaymentMethod) -> str:
        digits = f"{self.rng.randrange(10**13):013d}"
        if method == PaymentMethod.CARD:
            return f"AUTH {digits[:6]}"
        if method == PaymentMethod.BANK_TRANSFER:
            return f"BDO-{digits[:10]}"
        return digits if method == PaymentMethod.GCASH else digits[:12]

    def _cash(self, amount: int) -> PaymentInput:
        step = self.rng.choice((1, 100_00, 500_00, 1_000_00))
        tendered = -(-amount // step) * step
        return PaymentInput(PaymentMethod.CASH, amount, tendered_centavos=tendered)

    def _electronic(self, method: PaymentMethod, amount: int) -> PaymentInput:
        return PaymentInput(method, amount, self._reference(method))

    def _payments(self, total: int) -> list[PaymentInput]:
        """Pay in full: mostly cash, then e-wallets and cards, sometimes split."""
        way = self.rng.choices(
            ("cash", "gcash", "maya", "card", "split"), (52, 18, 8, 12, 10)
        )[0]
        if way == "cash" or total < 2_00:
            return [self._cash(total)]
        if way == "split":
            cash = total * self.rng.randint(20, 60) // 100
            other = self.rng.choice((PaymentMethod.GCASH, PaymentMethod.CARD))
            return [self._cash(cash), self._electronic(other, total - cash)]
        method = {
            "gcash": PaymentMethod.GCASH,
            "maya": PaymentMethod.MAYA,
            "card": PaymentMethod.CARD,
        }[way]
        return [self._electronic(method, total)]

    def _down_payment(self, total: int) -> list[PaymentInput]:
        """Pay part (or nothing) now; the rest goes on the customer's account."""
        share = self.rng.choice((0, 0, 20, 30, 50))
        amount = total * share // 100
        return [self._cash(amount)] if amount > 0 else []

    def _follow_ups(self, sale: Sale, moment: datetime, credit: bool) -> list[FollowUp]:
        planned = []
        if self.voids_left and self.rng.random() < 0.01 and not credit:
            self.voids_left -= 1
            later = moment + timedelta(minutes=self.rng.randint(3, 40))
            planned.append(FollowUp(later, "void", sale.id))
        elif self.rng.random() < 0.04 and any(not ln.is_service for ln in sale.lines):
            later = moment + timedelta(days=self.rng.randint(1, 7), hours=1)
            planned.append(FollowUp(later, "return", sale.id))
        if credit:
            later = moment + timedelta(days=self.rng.randint(7, CREDIT_DAYS + 10))
            planned.append(FollowUp(later, "collect", sale.id))
        return [event for event in planned if event.moment < self.cutoff]

    def _return(self, sale: Sale) -> None:
        line = next(ln for ln in sale.lines if not ln.is_service)
        if line.returned_quantity >= line.quantity:
            return
        reason = self.rng.choice(RETURN_REASONS)
        restock = reason != "Defective on arrival"
        paid_by = sale.payments[0].method if sale.payments else PaymentMethod.CASH
        method = PaymentMethod(paid_by)
        return_items(
            sale,
            [ReturnInput(line.id, 1, restock)],
            reason,
            method,
            self.actor,
            self._reference(method) if method != PaymentMethod.CASH else "",
        )

    def _collect(self, sale: Sale, moment: datetime) -> list[FollowUp]:
        balance = sale_balance(sale)
        if balance <= 0:
            return []
        method = self.rng.choice(
            (PaymentMethod.CASH, PaymentMethod.GCASH, PaymentMethod.BANK_TRANSFER)
        )
        partial = balance > 2_000_00 and self.rng.random() < 0.4
        amount = balance // 2 if partial else balance
        if method == PaymentMethod.CASH:
            collect_payment(sale, self._cash(amount), self.actor)
        else:
            collect_payment(sale, self._electronic(method, amount), self.actor)
        later = moment + timedelta(days=self.rng.randint(5, 20))
        if partial and later < self.cutoff:
            return [FollowUp(later, "collect", sale.id)]
        return []
