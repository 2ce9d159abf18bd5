"""Checkout rules found in review: merged customers, due dates in shop time, sales
that come to nothing, and gapless numbers under concurrency."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jcicons import clock
from jcicons.customers.services import merge_customers
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.stock import InsufficientStock
from jcicons.sales.models import PaymentMethod, Sale
from jcicons.sales.pricing import Discount, DiscountKind
from jcicons.sales.services import (
    CartLine,
    CheckoutRequest,
    PaymentInput,
    checkout,
    customer_open_balance,
    latest_due_date,
)

SETTINGS = {"VAT_REGISTERED": True, "SALES_DISCOUNT_CAP_PERCENT": 10}
FREE = Discount(DiscountKind.PERCENT, percent=Decimal(100))


def cash(amount: int) -> PaymentInput:
    return PaymentInput(PaymentMethod.CASH, amount)


def request(lines, payments, **kw) -> CheckoutRequest:
    return CheckoutRequest(uuid.uuid4().hex, lines, payments, **kw)


def on_account(product_id: int, customer_id: int, due: date) -> CheckoutRequest:
    return request(
        [CartLine(product_id, 1)],
        [],
        customer_id=customer_id,
        charge_to_account=True,
        due_date=due,
    )


def sale_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Sale)) or 0


# A merged customer -------------------------------------------------------------------


@pytest.fixture
def merged(admin, customer):
    """Ana (limit ₱10,000) and her duplicate (limit ₱50,000), merged into her."""
    kept = customer("Ana Reyes", credit_limit=10_000_00)
    kept.business_name, kept.tin = "Reyes Printing", "123-456-789"
    duplicate = customer("Ana R.", credit_limit=50_000_00)
    merge_customers(kept, duplicate, admin)
    return kept, duplicate


def test_a_sale_to_a_merged_duplicate_goes_to_the_customer_it_joined(
    cashier, stocked, merged
):
    kept, duplicate = merged
    mouse = stocked("Logitech M331", 899_00, on_hand=2)

    sale = checkout(
        request([CartLine(mouse.id, 1)], [cash(899_00)], customer_id=duplicate.id),
        cashier,
        SETTINGS,
    )

    assert sale.customer_id == kept.id
    assert (sale.customer_name, sale.customer_business_name, sale.customer_tin) == (
        "Ana Reyes",
        "Reyes Printing",
        "123-456-789",
    )


def test_the_live_customers_limit_holds_for_a_merged_duplicates_id(
    cashier, stocked, merged
):
    kept, duplicate = merged
    printer = stocked("Epson L3210", 9_000_00, on_hand=3)
    due = clock.shop_today()
    checkout(on_account(printer.id, duplicate.id, due), cashier, SETTINGS)

    with pytest.raises(DomainError, match=r"Ana Reyes's balance to ₱18,000\.00"):
        checkout(on_account(printer.id, duplicate.id, due), cashier, SETTINGS)
    assert customer_open_balance(kept.id) == 9_000_00
    assert (
        db.session.scalar(select(func.count()).where(Sale.customer_id == duplicate.id))
        == 0
    )


# Due dates ---------------------------------------------------------------------------


def test_the_due_date_is_compared_with_the_manila_date(cashier, stocked, customer):
    printer = stocked("Epson L3210", 9_000_00, on_hand=2)
    buyer = customer(credit_limit=50_000_00)
    clock.set_frozen(datetime(2026, 12, 3, 16, 30, tzinfo=UTC))  # 00:30 on 4 Dec

    with pytest.raises(DomainError, match=r"today or later"):
        checkout(on_account(printer.id, buyer.id, date(2026, 12, 3)), cashier, SETTINGS)
    sale = checkout(
        on_account(printer.id, buyer.id, date(2026, 12, 4)), cashier, SETTINGS
    )

    assert sale.due_date == date(2026, 12, 4)


@pytest.mark.parametrize("due", [date(2027, 12, 5), date(2999, 12, 31)])
def test_a_due_date_more_than_a_year_ahead_is_refused(cashier, stocked, customer, due):
    printer = stocked("Epson L3210", 9_000_00, on_hand=2)
    buyer = customer(credit_limit=50_000_00)
    clock.set_frozen(datetime(2026, 12, 4, 2, 0, tzinfo=UTC))

    with pytest.raises(DomainError, match=r"choose a due date up to 2027-12-04"):
        checkout(on_account(printer.id, buyer.id, due), cashier, SETTINGS)
    assert sale_count() == 0


def test_a_due_date_exactly_a_year_ahead_is_accepted(cashier, stocked, customer):
    printer = stocked("Epson L3210", 9_000_00, on_hand=2)
    buyer = customer(credit_limit=50_000_00)
    clock.set_frozen(datetime(2026, 12, 4, 2, 0, tzinfo=UTC))

    sale = checkout(
        on_account(printer.id, buyer.id, date(2027, 12, 4)), cashier, SETTINGS
    )

    assert sale.due_date == date(2027, 12, 4)


def test_a_year_after_a_leap_day_ends_on_the_28th():
    assert latest_due_date(date(2028, 2, 29)) == date(2029, 2, 28)
    assert latest_due_date(date(2026, 12, 4)) == date(2027, 12, 4)


def test_the_counter_shows_the_due_date_refusal(client, app, make_user, login_as):
    from sales.pos_helpers import Counter, checkout_form, line

    counter = Counter(app, make_user("ADMIN", username="owner").id)
    printer = counter.product("Epson L3210", 9_000_00, on_hand=2)
    buyer = counter.customer(credit_limit=50_000_00)
    login_as("SALES")

    response = client.post_form(
        "/pos/checkout",
        checkout_form(
            [line(printer)],
            [],
            customer_id=str(buyer),
            charge_to_account="y",
            due_date="2999-12-31",
        ),
    )

    assert response.status_code == 422
    assert "A balance falls due within a year" in response.text
    assert counter.sales() == []


# A sale of nothing -------------------------------------------------------------------


def test_a_sale_that_comes_to_nothing_is_refused_and_uses_no_number(admin, stocked):
    mouse = stocked("Logitech M331", 899_00, on_hand=2)

    with (
        pytest.raises(DomainError, match="nothing to charge"),
        db.session.begin_nested(),
    ):
        checkout(
            request([CartLine(mouse.id, 1)], [], sale_discount=FREE), admin, SETTINGS
        )
    paid = checkout(request([CartLine(mouse.id, 1)], [cash(899_00)]), admin, SETTINGS)

    assert paid.number == "INV-000001"
    assert mouse.on_hand == 1
    assert sale_count() == 1


def test_a_free_line_inside_a_paid_sale_is_still_fine(admin, stocked):
    mouse = stocked("Logitech M331", 899_00, on_hand=2)
    pad = stocked("Mouse pad", 150_00, on_hand=2)
    free_pad = CartLine(pad.id, 1, Discount(DiscountKind.PERCENT, percent=Decimal(100)))

    sale = checkout(
        request([CartLine(mouse.id, 1), free_pad], [cash(899_00)]), admin, SETTINGS
    )

    assert sale.total_centavos == 899_00


# Numbers under concurrency -----------------------------------------------------------

SELLERS = 4


def test_concurrent_checkouts_get_consecutive_numbers_and_a_failure_uses_none(
    app, cashier, stocked
):
    cable = stocked("HDMI cable", 250_00, on_hand=SELLERS)
    db.session.commit()
    product_id, cashier_id = cable.id, cashier.id
    barrier = threading.Barrier(SELLERS + 1)
    outcomes: list[str] = []

    def ring_up(quantity: int) -> None:
        with app.app_context():
            from jcicons.auth.models import User

            seller = db.session.get(User, cashier_id)
            form = request([CartLine(product_id, quantity)], [cash(250_00 * quantity)])
            barrier.wait()
            try:
                sale = checkout(form, seller, SETTINGS)
                db.session.commit()
                outcomes.append(sale.number)
            except InsufficientStock:
                db.session.rollback()
                outcomes.append("short")

    # Four buy one each; a fifth asks for more than there is and rolls back.
    quantities = [1] * SELLERS + [SELLERS + 1]
    threads = [threading.Thread(target=ring_up, args=(q,)) for q in quantities]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    expected = [f"INV-{n:06d}" for n in range(1, SELLERS + 1)]
    assert sorted(outcomes) == [*expected, "short"]
    db.session.expire_all()
    numbers = list(db.session.scalars(select(Sale.number).order_by(Sale.number)))
    assert numbers == expected

    cable = stocked("USB-C cable", 199_00, on_hand=1)
    after = checkout(
        request([CartLine(cable.id, 1)], [cash(199_00)]), cashier, SETTINGS
    )
    assert after.number == f"INV-{SELLERS + 1:06d}"


def test_the_counter_offers_due_dates_from_today_to_a_year_ahead(client, login_as):
    login_as("SALES")
    clock.set_frozen(datetime(2026, 12, 3, 16, 30, tzinfo=UTC))  # 00:30 on 4 Dec

    page = client.get("/pos/").text

    due = re.search(r'<input[^>]*name="due_date"[^>]*>', page).group(0)
    assert 'min="2026-12-04"' in due and 'max="2027-12-04"' in due
