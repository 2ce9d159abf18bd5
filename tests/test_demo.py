"""Demo data: a believable shop whose ledger, serials and costs add up."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import timedelta
from itertools import groupby, pairwise

import pytest
from sqlalchemy import func, select

from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User
from jcicons.clock import shop_today, utcnow
from jcicons.customers.checks import CustomerData
from jcicons.customers.models import Customer, CustomerKind, CustomerPhone
from jcicons.customers.services import create_customer
from jcicons.demo.bulk import build_large_demo
from jcicons.demo.catalogue import (
    CATEGORIES,
    charm_price,
    large_catalogue,
    shop_catalogue,
)
from jcicons.demo.common import DemoRefused, check_may_build
from jcicons.demo.large_plan import plan_large_shop
from jcicons.demo.repair_bulk import plan_repair_history
from jcicons.demo.sales import create_demo_customers
from jcicons.demo.serials import SerialMaker, ean13_digit, is_valid_imei
from jcicons.extensions import db
from jcicons.integrity import integrity_problems
from jcicons.inventory.models import (
    Category,
    MovementReason,
    Product,
    Receiving,
    ReceivingLine,
    SerialStatus,
    SerialUnit,
    StockMovement,
)
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    create_category,
    create_product,
    receive_stock,
)
from jcicons.inventory.stock import ledger_mismatches, moving_average_cost
from jcicons.repairs.models import (
    DeviceType,
    RepairEvent,
    RepairPart,
    RepairService,
    RepairStatus,
    RepairTicket,
    ServiceType,
)
from jcicons.repairs.queries import paid_by_ticket
from jcicons.repairs.services import (
    RELEASABLE,
    TRANSITIONS,
    IntakeData,
    create_ticket,
    release_ticket,
    take_payment,
    ticket_figures,
)
from jcicons.sales.models import CreditMemo, Payment, PaymentMethod, Sale, SaleStatus
from jcicons.sales.services import (
    PaymentInput,
    customer_open_balance,
    sale_balance,
)


@pytest.fixture
def admin(ctx, make_user) -> User:
    """An ADMIN loaded in the test's app context, to record the demo under."""
    return db.session.get(User, make_user("ADMIN").id)


def ledger_replay_problems() -> list[str]:
    """Replay every product's ledger in id order; return what does not add up.

    Each row's on_hand_after is the running sum, the last one is the product's
    on-hand, adjustments carry the cost of the moment, and the product's cost is
    the moving average of its receipts.
    """
    rows = db.session.execute(
        select(
            StockMovement.product_id,
            StockMovement.quantity,
            StockMovement.on_hand_after,
            StockMovement.reason,
            StockMovement.reference_id,
            StockMovement.unit_cost_centavos,
        ).order_by(StockMovement.product_id, StockMovement.id)
    ).all()
    products = {p.id: p for p in db.session.scalars(select(Product))}
    problems = []
    for product_id, history in groupby(rows, key=lambda row: row[0]):
        product = products[product_id]
        on_hand, cost, receipt = 0, 0, None
        for _, quantity, after, reason, reference, row_cost in history:
            if (
                reason == MovementReason.RECEIVED
                and receipt
                and receipt[0] == reference
            ):
                receipt[2] += quantity
            elif reason == MovementReason.RECEIVED:
                if receipt:
                    cost = moving_average_cost(receipt[1], cost, receipt[2], receipt[3])
                receipt = [reference, on_hand, quantity, row_cost]
            else:
                if receipt:
                    cost = moving_average_cost(receipt[1], cost, receipt[2], receipt[3])
                    receipt = None
                # Returns and voids bring units back at the cost they were sold at.
                comes_back = reason in {"SALE_RETURN", "SALE_VOID"}
                if row_cost != cost and not comes_back:
                    problems.append(f"{product.sku}: adjustment at cost {row_cost}")
            on_hand += quantity
            if after != on_hand:
                problems.append(f"{product.sku}: row says {after}, sum is {on_hand}")
        if receipt:
            cost = moving_average_cost(receipt[1], cost, receipt[2], receipt[3])
        if (on_hand, cost) != (product.on_hand, product.cost_centavos):
            problems.append(
                f"{product.sku}: replay gives {on_hand} at {cost}, product has "
                f"{product.on_hand} at {product.cost_centavos}"
            )
    return problems


def in_stock_serials_by_product() -> dict[int, int]:
    rows = db.session.execute(
        select(SerialUnit.product_id, func.count())
        .where(SerialUnit.status == SerialStatus.IN_STOCK)
        .group_by(SerialUnit.product_id)
    )
    return {int(product_id): int(count) for product_id, count in rows}


def received_by_product(source: str) -> dict[int, int]:
    if source == "lines":
        query = select(ReceivingLine.product_id, func.sum(ReceivingLine.quantity))
        query = query.group_by(ReceivingLine.product_id)
    else:
        query = (
            select(StockMovement.product_id, func.sum(StockMovement.quantity))
            .where(StockMovement.reason == MovementReason.RECEIVED)
            .group_by(StockMovement.product_id)
        )
    return {int(p): int(q) for p, q in db.session.execute(query)}


def assert_shop_adds_up() -> None:
    """Check every stock invariant the demo promises."""
    assert ledger_mismatches() == []
    assert integrity_problems() == []
    assert ledger_replay_problems() == []
    assert received_by_product("lines") == received_by_product("ledger")
    serialized = db.session.scalars(
        select(Product).where(Product.is_serialized.is_(True))
    ).all()
    in_stock = in_stock_serials_by_product()
    assert {p.id: p.on_hand for p in serialized if p.on_hand} == in_stock


def assert_sales_add_up() -> None:
    """Check the money invariants of the sales history."""
    sales = db.session.scalars(select(Sale).order_by(Sale.id)).all()
    numbers = [sale.number for sale in sales]
    assert numbers == [f"INV-{n:06d}" for n in range(1, len(sales) + 1)]
    moments = [sale.created_at for sale in sales]
    assert moments == sorted(moments)
    for sale in sales:
        paid = sum(payment.amount_centavos for payment in sale.payments)
        assert 0 <= paid <= sale.total_centavos, sale.number
        assert sale_balance(sale) >= 0, sale.number
        if sale.status == SaleStatus.VOID:
            assert paid == 0, sale.number
    for customer in db.session.scalars(select(Customer)):
        assert customer_open_balance(customer.id) >= 0, customer.code


def status_moves_problems(ticket: RepairTicket, moves: list[RepairEvent]) -> list[str]:
    """Return what in a ticket's status timeline the workflow would not allow."""
    if not moves or moves[0].to_status != RepairStatus.RECEIVED:
        return [f"{ticket.number}: does not start as received"]
    problems = []
    for before, after in pairwise(moves):
        current = RepairStatus(before.to_status)
        wanted = RepairStatus(after.to_status)
        released = wanted == RepairStatus.RELEASED and current in RELEASABLE
        if after.from_status != current or not (
            released or wanted in TRANSITIONS[current]
        ):
            problems.append(f"{ticket.number}: {current} to {wanted}")
    if moves[-1].to_status != ticket.status:
        problems.append(f"{ticket.number}: timeline ends {moves[-1].to_status}")
    return problems


def assert_repairs_add_up() -> None:
    """Check every ticket against the repair rules, the payment and stock ledgers."""
    tickets = db.session.scalars(select(RepairTicket).order_by(RepairTicket.id)).all()
    assert tickets
    per_year = defaultdict(list)
    for ticket in tickets:
        _, year, number = ticket.number.split("-")
        per_year[year].append(int(number))
    for numbers in per_year.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))

    moves = defaultdict(list)
    for event in db.session.scalars(
        select(RepairEvent)
        .where(RepairEvent.kind == "STATUS")
        .order_by(RepairEvent.created_at, RepairEvent.id)
    ):
        moves[event.ticket_id].append(event)
    paid = paid_by_ticket([ticket.id for ticket in tickets])
    by_id = {ticket.id: ticket for ticket in tickets}
    problems = []
    for ticket in tickets:
        problems += status_moves_problems(ticket, moves[ticket.id])
        figures = ticket_figures(ticket, paid.get(ticket.id, 0))
        if ticket.status == RepairStatus.RELEASED:
            assert ticket.final_charges_centavos == figures.charges_centavos
            assert ticket.passcode_encrypted is None
            assert ticket.released_at and ticket.released_to_name
            owed = figures.balance_centavos
            assert owed >= 0 if ticket.released_on_credit else owed == 0, ticket.number
        if ticket.status == RepairStatus.READY:
            assert ticket.ready_at is not None
        if ticket.original_ticket_id is not None:
            original = by_id[ticket.original_ticket_id]
            assert original.status == RepairStatus.RELEASED
            assert all(line.price_centavos == 0 for line in ticket.services)
            if ticket.status == RepairStatus.RELEASED:
                assert ticket.warranty_until == original.warranty_until
    assert problems == []

    used = defaultdict(int)
    for part in db.session.scalars(select(RepairPart)):
        assert part.removed_at is None
        used[part.ticket_id] += part.quantity
    ledger = db.session.execute(
        select(StockMovement.reference_id, func.sum(StockMovement.quantity))
        .where(StockMovement.reference_type == "repair")
        .group_by(StockMovement.reference_id)
    ).all()
    assert {int(ticket_id): -int(total) for ticket_id, total in ledger} == dict(used)


def assert_demo_repairs_look_real() -> None:
    """Check the repair history has what a shop's would: devices, statuses, money."""
    catalogue = db.session.scalars(select(ServiceType)).all()
    assert len(catalogue) >= 20
    assert all(0 <= service.warranty_days <= 90 for service in catalogue)
    assert all(service.default_price_centavos % 50_00 == 0 for service in catalogue)

    tickets = db.session.scalars(select(RepairTicket)).all()
    statuses = {ticket.status for ticket in tickets}
    assert {"RELEASED", "READY", "RECEIVED"} <= statuses
    assert len(statuses & {s.value for s in RepairStatus}) >= 6
    kinds = {ticket.device_type for ticket in tickets}
    assert {"LAPTOP", "DESKTOP", "PRINTER", "MONITOR", "PHONE"} <= kinds
    phones = [t for t in tickets if t.device_type == "PHONE" and t.serial_number]
    assert phones
    assert all(is_valid_imei(ticket.serial_number) for ticket in phones)
    assert sum(bool(t.accessories) for t in tickets) > len(tickets) // 3
    assert any(t.condition.get("screen_ok") == "no" for t in tickets)
    assert any(t.original_ticket_id for t in tickets)
    assert any(t.released_on_credit for t in tickets)
    month_ago = utcnow() - timedelta(days=30)
    assert any(t.status == "READY" and t.ready_at < month_ago for t in tickets)

    parts = db.session.scalars(select(RepairPart)).all()
    assert len({part.product_id for part in parts}) >= 10
    labour = db.session.scalars(select(RepairService.name).distinct()).all()
    assert len(labour) >= 12
    methods = db.session.scalars(
        select(Payment.method).where(Payment.repair_ticket_id.is_not(None)).distinct()
    ).all()
    assert {"CASH", "GCASH"} <= set(methods)
    refunds = select(func.count()).where(
        Payment.repair_ticket_id.is_not(None), Payment.amount_centavos < 0
    )
    assert db.session.scalar(refunds) >= 1


def sold_quantity_left(sale: Sale) -> int:
    """Return the units a sale still holds out of stock, from the ledger."""
    taken = select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
        StockMovement.reference_type == "sale", StockMovement.reference_id == sale.id
    )
    return -int(db.session.scalar(taken))


def assert_demo_sales_look_real() -> None:
    """Check the small shop has the customers and kinds of sale a shop would."""
    customers = db.session.scalars(select(Customer)).all()
    assert len(customers) >= 30
    kinds = {customer.kind for customer in customers}
    assert kinds == {CustomerKind.INDIVIDUAL, CustomerKind.BUSINESS}
    numbers = db.session.scalars(select(CustomerPhone.number)).all()
    assert len(numbers) >= len(customers)
    assert all(re.fullmatch(r"\+639\d{9}", number) for number in numbers)
    assert sum(c.credit_limit_centavos > 0 for c in customers) >= 5

    sales = db.session.scalars(select(Sale)).all()
    assert len(sales) >= 300
    payments = db.session.scalars(select(Payment)).all()
    assert {"CASH", "GCASH", "MAYA", "CARD"} <= {p.method for p in payments}
    taken_in = [p for p in payments if p.amount_centavos > 0 and p.method != "CASH"]
    assert all(payment.reference for payment in taken_in)
    assert any(len({p.method for p in s.payments}) >= 2 for s in sales)

    credit = [sale for sale in sales if sale.is_credit]
    assert credit
    assert all(sale.due_date and sale.customer_id for sale in credit)
    collected = [p for s in credit for p in s.payments if p.created_at > s.created_at]
    assert collected

    voided = [sale for sale in sales if sale.status == SaleStatus.VOID]
    assert 1 <= len(voided) <= 2
    assert all(sold_quantity_left(sale) == 0 for sale in voided)
    assert db.session.scalar(select(func.count()).select_from(CreditMemo)) >= 3


# The catalogue ------------------------------------------------------------------


def test_the_catalogue_is_the_same_for_the_same_seed():
    assert shop_catalogue(random.Random(5)) == shop_catalogue(random.Random(5))
    assert shop_catalogue(random.Random(5)) != shop_catalogue(random.Random(6))
    assert large_catalogue(random.Random(1), 900) == large_catalogue(
        random.Random(1), 900
    )


def test_every_catalogue_product_has_a_price_above_its_cost():
    specs = large_catalogue(random.Random(2), 1_200)
    assert len(specs) == 1_200
    assert len({(spec.name, spec.model) for spec in specs}) == 1_200
    for spec in specs:
        assert spec.price_centavos > 0
        assert 0 <= spec.cost_centavos < spec.price_centavos
        assert spec.cost_centavos == 0 if spec.is_service else spec.cost_centavos > 0


@pytest.mark.parametrize(
    ("centavos", "shelf"),
    [
        (28_812_34, 28_995_00),
        (1_237_00, 1_195_00),
        (353_00, 349_00),
        (9_450_00, 9_495_00),
        (45_00, 45_00),
    ],
)
def test_charm_prices_end_the_way_shops_print_them(centavos, shelf):
    assert charm_price(centavos) == shelf


def test_imeis_and_barcodes_carry_their_check_digits():
    assert is_valid_imei("490154203237518")
    assert not is_valid_imei("490154203237519")
    assert ean13_digit("400638133393") == "1"


# The small shop, through the services -----------------------------------------


def test_demo_data_builds_a_shop_through_the_services_and_refuses_twice(
    app, runner, make_user
):
    make_user("ADMIN")
    result = runner.invoke(args=["demo-data", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "products" in result.output
    assert re.search(r"\d+ sales \([12] voided, \d+ returns\)", result.output)
    assert re.search(r"\d{3} repair tickets \(\d+ released", result.output)

    with app.app_context():
        assert {c.name for c in db.session.scalars(select(Category))} == set(CATEGORIES)
        products = db.session.scalars(select(Product)).all()
        assert 250 <= len(products) <= 500
        services = [p for p in products if p.is_service]
        goods = [p for p in products if not p.is_service]
        assert len(services) >= 10
        assert all(p.on_hand == 0 for p in services)
        assert all(p.price_centavos > 0 for p in products)
        assert all(p.cost_centavos < p.price_centavos for p in goods)
        assert any(p.price_centavos % 100_00 == 95_00 for p in goods)  # ₱x,x95.00

        service_ids = [p.id for p in services]
        moved = select(func.count()).where(StockMovement.product_id.in_(service_ids))
        assert db.session.scalar(moved) == 0
        phones = db.session.scalars(
            select(SerialUnit.serial)
            .join(Product)
            .join(Category)
            .where(Category.name == "Phones")
        ).all()
        assert phones
        assert all(is_valid_imei(serial) for serial in phones)
        assert sum(p.on_hand > 0 and p.is_serialized for p in products) >= 20

        reasons = set(db.session.scalars(select(StockMovement.reason).distinct()))
        assert {"RECEIVED", "DAMAGED", "COUNT_CORRECTION"} <= reasons
        oldest = db.session.scalar(select(func.min(Receiving.received_date)))
        assert oldest <= shop_today() - timedelta(days=90)
        assert_shop_adds_up()
        assert_sales_add_up()
        assert_demo_sales_look_real()
        assert_repairs_add_up()
        assert_demo_repairs_look_real()
        admin = db.session.scalar(select(User).where(User.role == "ADMIN"))
        worked = select(RepairTicket.technician_id).distinct()
        assert set(db.session.scalars(worked)) <= {admin.id, None}
        product_rows = select(func.count()).where(AuditEvent.action == "product.create")
        assert db.session.scalar(product_rows) == len(products)

    again = runner.invoke(args=["demo-data", "--seed", "7"])
    assert again.exit_code != 0
    assert "already has" in again.output
    assert "--force" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Product)) == len(
            products
        )


def test_demo_customers_get_a_middle_initial_once_plain_names_run_out(
    admin, monkeypatch
):
    monkeypatch.setattr("jcicons.demo.sales.FIRST_NAMES", ("Maria",))
    monkeypatch.setattr("jcicons.demo.sales.LAST_NAMES", ("Santos",))
    create_customer(CustomerData(name="Maria Santos", phones=["09171234567"]), admin)

    made = create_demo_customers(random.Random(1), admin, utcnow())

    names = [customer.name for customer in made[:26]]
    assert len(set(names)) == 26
    assert all(re.fullmatch(r"Maria [A-Z]\. Santos", name) for name in names)


def test_demo_data_needs_an_admin_to_record_it_under(runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code != 0
    assert "ensure-admin" in result.output


@pytest.mark.parametrize("option", ["--products", "--tickets"])
def test_sizes_belong_to_the_large_scale(runner, option):
    result = runner.invoke(args=["demo-data", option, "10"])
    assert result.exit_code != 0
    assert "--scale large" in result.output


# The large shop, in bulk ----------------------------------------------------------


def test_bulk_build_keeps_every_stock_invariant(admin):
    summary = build_large_demo(
        admin,
        seed=3,
        products=600,
        history_days=120,
        long_history_receipts=40,
        tickets=600,
    )
    assert summary.products == 600
    assert summary.ledger_rows > 2_000
    assert summary.adjustments > 50
    assert summary.serial_units > 300
    assert summary.repair_tickets >= 600
    assert summary.repair_parts > 100
    assert_shop_adds_up()
    assert_repairs_add_up()
    assert_demo_repairs_look_real()

    long_history = db.session.scalar(
        select(func.count())
        .select_from(StockMovement)
        .join(Product)
        .where(Product.name == "Epson 003 ink bottle 65ml Black")
    )
    assert long_history >= 40
    batches = select(func.count()).where(AuditEvent.action == "demo.bulk_insert")
    assert 0 < db.session.scalar(batches) < 600


def test_services_carry_on_after_a_bulk_build(admin):
    build_large_demo(
        admin,
        seed=4,
        products=350,
        history_days=60,
        long_history_receipts=10,
        tickets=150,
    )
    last_number = db.session.scalar(select(func.max(Receiving.number)))
    laptops = db.session.scalar(select(Category).where(Category.name == "Laptops"))
    laptop_skus = db.session.scalars(
        select(Product.sku).where(Product.category_id == laptops.id)
    ).all()

    product = create_product(
        ProductData(name="Acer Aspire 7", category_id=laptops.id, price_centavos=1),
        admin,
    )
    line = ReceivingLineData(product.id, 1, 0, ["NXTEST0001"])
    receiving = receive_stock("Test", "", shop_today(), [line], admin)

    assert product.sku not in laptop_skus
    assert product.sku == f"{laptops.code}-{len(laptop_skus) + 1:05d}"
    assert receiving.number == f"RCV-{int(last_number[4:]) + 1:06d}"
    assert_shop_adds_up()


def test_the_repair_services_carry_on_after_a_bulk_build(admin):
    build_large_demo(
        admin,
        seed=5,
        products=400,
        history_days=90,
        long_history_receipts=10,
        tickets=300,
    )
    year = shop_today().year
    numbers = db.session.scalars(
        select(RepairTicket.number).where(RepairTicket.number.like(f"RT-{year}-%"))
    ).all()
    customer = db.session.scalar(select(Customer).order_by(Customer.id.desc()))
    data = IntakeData(customer.id, DeviceType.LAPTOP, "Hinge broke.")

    ticket = create_ticket(data, admin)

    assert ticket.number == f"RT-{year}-{len(numbers) + 1:05d}"
    ready = db.session.scalar(
        select(RepairTicket)
        .where(RepairTicket.status == RepairStatus.READY)
        .order_by(RepairTicket.id)
        .limit(1)
    )
    owed = ticket_figures(ready).balance_centavos
    if owed > 0:
        take_payment(ready, PaymentInput(PaymentMethod.CASH, owed), admin)
    release_ticket(ready, "Juan Dela Cruz", "Claim stub", admin)
    assert ready.status == RepairStatus.RELEASED
    assert_repairs_add_up()
    assert_shop_adds_up()


def test_the_repair_plan_is_the_same_for_the_same_seed():
    def plan(seed: int) -> list:
        rng = random.Random(seed)
        specs = large_catalogue(rng, 500)
        end = shop_today()
        history = plan_repair_history(
            rng, specs, end - timedelta(days=60), end, 200, 2, utcnow()
        )
        return [(t.number, t.plan, t.part_uses) for t in history.tickets]

    assert plan(21) == plan(21)
    assert plan(21) != plan(22)


def test_large_demo_command_with_users_and_force(app, runner, make_user):
    make_user("ADMIN")
    args = ["demo-data", "--scale", "large", "--products", "400", "--with-users"]
    args += ["--tickets", "300"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "demo_sales (SALES) one-time password:" in first.output
    assert "demo_tech (TECH) one-time password:" in first.output

    assert runner.invoke(args=args).exit_code != 0
    forced = runner.invoke(args=[*args, "--force", "--seed", "9"])
    assert forced.exit_code == 0, forced.output
    assert "demo_sales (SALES) already exists" in forced.output

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Product)) == 800
        demo_users = db.session.scalars(
            select(User).where(User.username.like("demo_%"))
        ).all()
        assert {(u.role, u.must_change_password) for u in demo_users} == {
            ("SALES", True),
            ("TECH", True),
        }
        techs = {u.id for u in demo_users if u.role == "TECH"}
        worked = select(RepairTicket.technician_id).distinct()
        assert set(db.session.scalars(worked)) - {None} == techs
        assert_shop_adds_up()
        assert_repairs_add_up()


def test_refusal_names_the_products_already_there(admin):
    category = create_category("Laptops", admin)
    create_product(ProductData("IdeaPad 1", category.id, 18_995_00), admin)
    with pytest.raises(DemoRefused, match="already has 1 products"):
        check_may_build(force=False)
    check_may_build(force=True)


def test_the_large_plan_is_the_same_for_the_same_seed():
    def plan(seed: int) -> list:
        rng = random.Random(seed)
        specs = large_catalogue(rng, 400)
        end = shop_today()
        built = plan_large_shop(
            rng, specs, end - timedelta(days=90), end, SerialMaker(rng), 30
        )
        return [*built.movements, *built.units, *built.lines]

    assert plan(11) == plan(11)
    assert plan(11) != plan(12)
