"""`jcicons bench`: latency percentiles and throughput of the busiest pages and of
checkout.

The benchmark has a database of its own, never the shop's: a SQLite file under
`instance/bench/`, or the database named by BENCH_DATABASE_URL (PostgreSQL, say).
The first run migrates it and fills it the way `jcicons demo-data --scale large`
does; later runs reuse it (delete the file, or empty the database, to rebuild).
The app is then served by waitress in a process of its own, exactly as
`jcicons serve` runs it, and every page is requested by several clients at once,
each on its own keep-alive connection and signed in as an ADMIN.

Checkout is measured apart: every request posts the counter's form with a fresh
idempotency key, a cash payment and one unit of a well-stocked product, and only a
redirect to the receipt counts as a sale. A shop without sales first gets a month
of them, through the services, so the sales pages have something to show.

The repair pages are measured on the large shop's repair history (30,000 tickets
by default, worked by the demo technicians): the open tickets, a search by serial
number and by a customer's mobile number, one technician's tickets, the ticket
with the longest timeline, and the unclaimed devices.

To measure another page, add it to PAGES. A page that answers 404 is skipped and
listed under the table, so pages still being written do not stop the run.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import click

from jcicons.bench.load import (
    Page,
    Result,
    free_port,
    measure,
    measure_checkout,
    sign_in,
    start_server,
    stop_server,
)
from jcicons.demo import DEFAULT_SEED, LARGE_PRODUCTS, LARGE_TICKETS

BENCH_USERNAME = "bench_admin"


PAGES = (
    Page("health check", "/health"),
    Page("products, first page", "/inventory/products"),
    Page("products, search by name", "/inventory/products?q={name}"),
    Page("products, search by SKU", "/inventory/products?q={sku}"),
    Page("products, low stock filter", "/inventory/products?stock=low"),
    Page("product with long history", "/inventory/products/{product_id}"),
    Page("stock movements", "/inventory/movements"),
    Page("low stock", "/inventory/low-stock"),
    Page("autocomplete", "/inventory/products/autocomplete?q={prefix}"),
    Page("sales, first page", "/sales/"),
    Page("sale", "/sales/{sale_id}"),
    Page("daily sales", "/sales/daily"),
    Page("customers, first page", "/customers/"),
    Page("customers, search by name", "/customers/?q={customer}"),
    Page("point of sale", "/pos/"),
    Page("repairs, open tickets", "/repairs/"),
    Page("repairs, search by serial", "/repairs/?q={serial}"),
    Page("repairs, search by customer phone", "/repairs/?q={phone}"),
    Page("repairs, one technician", "/repairs/?technician={technician_id}"),
    Page("repair ticket", "/repairs/{ticket_id}"),
    Page("repairs, unclaimed", "/repairs/unclaimed"),
)

# Checkout is measured apart: each request is a new cash sale of one unit.
CHECKOUT = Page("checkout, cash sale", "/pos/checkout")
CHECKOUT_STOCK = 20_000
BENCH_SALES = 300

# What the searches look for: words a counter clerk types every day.
NAME_SEARCH = "vivobook"
AUTOCOMPLETE_PREFIX = "galaxy a1"


# The data set -----------------------------------------------------------------


def bench_environ(database_url: str, folder: Path) -> dict[str, str]:
    """Return the environment the benchmark app is built and served with.

    The `local` profile: production behaviour over plain HTTP. The secret key is
    a throw-away one, as the sessions live only for this run.
    """
    return {
        **os.environ,
        "JCICONS_ENV": "local",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "INSTANCE_PATH": str(folder),
        "LOG_DIR": str(folder / "logs"),
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def prepare_data(
    environ: Mapping[str, str], products: int, seed: int, tickets: int = LARGE_TICKETS
) -> tuple[str, dict[str, str], dict[str, str], str]:
    """Migrate and fill the benchmark database when empty; sign-in and targets.

    Returns the bench ADMIN's fresh password, the values the page paths name,
    the checkout form's fields and a one-line description of the data set.
    """
    import flask_migrate
    from sqlalchemy import func, select

    from jcicons import MIGRATIONS_DIR, create_app
    from jcicons.customers.models import Customer
    from jcicons.demo.bulk import build_large_demo
    from jcicons.demo.common import count_products, demo_actor
    from jcicons.extensions import db
    from jcicons.inventory.models import Product, StockMovement
    from jcicons.sales.models import Sale

    app = create_app(environ=environ)
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        password = _reset_bench_admin()
        db.session.commit()
        if count_products() == 0:
            click.echo(
                f"Building the benchmark shop ({products:,} products, "
                f"{tickets:,} repair tickets)..."
            )
            started = time.perf_counter()
            # The demo's TECH accounts work the repairs; their one-time
            # passwords are not needed here and are not shown.
            build_large_demo(
                demo_actor(),
                seed,
                products,
                with_users=True,
                progress=lambda m: click.echo(f"  {m}"),
                tickets=tickets,
            )
            db.session.commit()
            click.echo(f"  built in {time.perf_counter() - started:.0f} s")

        _ensure_sales(seed)
        db.session.commit()
        checkout_fields = _checkout_fields()
        db.session.commit()

        busiest = db.session.execute(
            select(StockMovement.product_id, func.count().label("rows"))
            .group_by(StockMovement.product_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        middle = db.session.scalar(
            select(Product.sku)
            .order_by(Product.id)
            .offset(count_products() // 2)
            .limit(1)
        )
        ledger_rows = db.session.scalar(select(func.count(StockMovement.id)))
        sales = db.session.scalar(select(func.count(Sale.id)))
        sale_id = db.session.scalar(select(func.max(Sale.id)))
        customer = db.session.scalar(select(Customer.name).order_by(Customer.id))
        customers = db.session.scalar(select(func.count(Customer.id)))
        repairs = repair_targets()
        described = (
            f"{count_products():,} products, {ledger_rows:,} ledger rows "
            f"(the long history: {busiest.rows:,} rows), {sales:,} sales, "
            f"{customers:,} customers, {repairs.pop('described')} "
            f"on {db.engine.dialect.name}"
        )
        db.session.remove()
        db.engine.dispose()
    targets = {
        "product_id": str(busiest.product_id),
        "sku": str(middle),
        "name": NAME_SEARCH,
        "prefix": AUTOCOMPLETE_PREFIX,
        "sale_id": str(sale_id),
        "customer": str(customer).split()[-1],
        **repairs,
    }
    return password, targets, checkout_fields, described


def repair_targets() -> dict[str, str]:
    """Return what the repair pages look for, and a description of the tickets.

    The serial is that of a released ticket halfway through the history (the
    search reaches the archive), the phone a returning customer's, typed the way
    a clerk does; the technician is the busiest one and the ticket the one with
    the longest timeline.
    """
    from sqlalchemy import func, select

    from jcicons.customers.models import CustomerPhone
    from jcicons.customers.phones import format_mobile
    from jcicons.extensions import db
    from jcicons.repairs.models import OPEN_STATUSES, RepairEvent, RepairTicket

    total = int(db.session.scalar(select(func.count(RepairTicket.id))) or 0)
    open_count = db.session.scalar(
        select(func.count(RepairTicket.id)).where(
            RepairTicket.status.in_([s.value for s in OPEN_STATUSES])
        )
    )
    serial = db.session.scalar(
        select(RepairTicket.serial_number)
        .where(RepairTicket.serial_number != "", RepairTicket.status == "RELEASED")
        .order_by(RepairTicket.id)
        .offset(total // 2)
        .limit(1)
    )
    regular = db.session.scalar(
        select(RepairTicket.customer_id)
        .group_by(RepairTicket.customer_id)
        .order_by(func.count().desc(), RepairTicket.customer_id)
        .limit(1)
    )
    phone = db.session.scalar(
        select(CustomerPhone.number)
        .where(CustomerPhone.customer_id == regular)
        .order_by(CustomerPhone.id)
        .limit(1)
    )
    technician = db.session.scalar(
        select(RepairTicket.technician_id)
        .where(RepairTicket.technician_id.is_not(None))
        .group_by(RepairTicket.technician_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    longest = db.session.scalar(
        select(RepairEvent.ticket_id)
        .group_by(RepairEvent.ticket_id)
        .order_by(func.count().desc(), RepairEvent.ticket_id)
        .limit(1)
    )
    if not total:
        click.echo(
            "The benchmark shop has no repair tickets (built before repairs were "
            "in the demo): delete its database to rebuild it with them."
        )
    return {
        "serial": str(serial or "none"),
        "phone": format_mobile(phone) if phone else "none",
        "technician_id": str(technician or ""),
        "ticket_id": str(longest or 0),
        "described": f"{total:,} repair tickets ({open_count or 0:,} open)",
    }


def _ensure_sales(seed: int) -> None:
    """Give a shop without sales customers and a month of counter sales.

    They go through the customer and sales services, like the small demo's.
    """
    import random

    from sqlalchemy import func, select

    from jcicons.clock import shop_today, utcnow
    from jcicons.demo.common import demo_actor
    from jcicons.demo.sales import SalesDesk, create_demo_customers, plan_sale_slots
    from jcicons.extensions import db
    from jcicons.inventory.models import Product
    from jcicons.sales.models import Sale

    if db.session.scalar(select(func.count(Sale.id))):
        return
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
    actor = demo_actor()
    today = shop_today()
    customers = create_demo_customers(rng, actor, utcnow() - timedelta(days=40))
    stocked = db.session.scalars(
        select(Product)
        .where(Product.on_hand >= 5, Product.is_archived.is_(False))
        .order_by(Product.id)
        .limit(1_000)
    ).all()
    desk = SalesDesk(rng, actor, list(stocked), customers, cutoff=utcnow())
    slots = plan_sale_slots(rng, today - timedelta(days=30), today)
    chosen = sorted(slots, key=lambda s: s.moment)[-BENCH_SALES:]
    click.echo(f"Ringing up a month of sales ({len(chosen)} at most) for the pages...")
    for slot in chosen:
        desk.sell(slot)


def _checkout_fields() -> dict[str, str]:
    """Return the checkout form of a one-unit cash sale of a well-stocked product.

    Tops the product up first, so every measured checkout finds stock.
    """
    import json

    from sqlalchemy import select

    from jcicons.clock import shop_today
    from jcicons.demo.common import demo_actor
    from jcicons.extensions import db
    from jcicons.inventory.models import Product
    from jcicons.inventory.services import ReceivingLineData, receive_stock
    from jcicons.money import format_plain
    from jcicons.sales.pricing import NO_DISCOUNT
    from jcicons.sales.services import CartLine, price_lines
    from jcicons.settings.services import current_settings

    product = db.session.scalar(
        select(Product)
        .where(
            Product.is_service.is_(False),
            Product.is_serialized.is_(False),
            Product.is_archived.is_(False),
        )
        .order_by(Product.on_hand.desc(), Product.id)
        .limit(1)
    )
    if product is None:
        raise click.ClickException("the benchmark shop has no product to sell")
    if product.on_hand < CHECKOUT_STOCK:
        line = ReceivingLineData(product.id, CHECKOUT_STOCK, product.cost_centavos, [])
        receive_stock("Benchmark supplier", "", shop_today(), [line], demo_actor())
    vat = bool(current_settings().get("VAT_REGISTERED", True))
    _, totals = price_lines([CartLine(product.id, 1)], NO_DISCOUNT, vat)
    amount = format_plain(totals.total_centavos)
    return {
        "cart": json.dumps([{"product_id": product.id, "quantity": 1}]),
        "payments": json.dumps(
            [{"method": "CASH", "amount": amount, "tendered": amount}]
        ),
        "sale_discount_kind": "amount",
    }


def _reset_bench_admin() -> str:
    """Create the bench ADMIN, or give it a new password; return the password."""
    from sqlalchemy import select

    from jcicons.auth.models import User
    from jcicons.auth.services import set_password
    from jcicons.extensions import db
    from jcicons.users.services import create_user

    password = f"Bench-{secrets.token_urlsafe(24)}-9a"
    user = db.session.scalar(select(User).where(User.username == BENCH_USERNAME))
    if user is None:
        user, _ = create_user(
            BENCH_USERNAME, "Benchmark", None, "ADMIN", None, password
        )
    else:
        set_password(user, password)
        user.is_active = True
    user.must_change_password = False
    return password


# The server and the clients -------------------------------------------------------


def fill_path(template: str, targets: Mapping[str, str]) -> str:
    """Put URL-encoded targets into a page's path."""
    return template.format(**{k: quote(v) for k, v in targets.items()})


def print_table(results: list[Result]) -> None:
    """Print the measurements as a small table."""
    width = max(len(r.page.label) for r in results)
    click.echo(
        f"{'page':<{width}}  {'requests':>8}  {'errors':>6}  {'p50 ms':>8}  "
        f"{'p95 ms':>8}  {'p99 ms':>8}  {'req/s':>7}"
    )
    for r in results:
        if r.skipped:
            continue
        click.echo(
            f"{r.page.label:<{width}}  {len(r.latencies):>8}  {r.errors:>6}  "
            f"{r.percentile(0.50):>8.1f}  {r.percentile(0.95):>8.1f}  "
            f"{r.percentile(0.99):>8.1f}  {r.per_second:>7.1f}"
        )
    skipped = [r for r in results if r.skipped]
    for r in skipped:
        click.echo(f"skipped ({r.skipped}): {r.page.label} {r.path}")


@click.command("bench")
@click.option(
    "--requests",
    "per_page",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Requests per page.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=128),
    default=4,
    show_default=True,
    help="Clients requesting at the same time.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1, max=128),
    default=8,
    show_default=True,
    help="Waitress worker threads in the server.",
)
@click.option(
    "--warmup",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Unmeasured requests per page first.",
)
@click.option(
    "--database-url",
    envvar="BENCH_DATABASE_URL",
    default=None,
    help="Benchmark database (default: a SQLite file under instance/bench/).",
)
@click.option(
    "--products",
    type=click.IntRange(min=100),
    default=LARGE_PRODUCTS,
    show_default=True,
    help="Products in the shop, when it is built.",
)
@click.option(
    "--tickets",
    type=click.IntRange(min=0),
    default=LARGE_TICKETS,
    show_default=True,
    help="Devices taken in for repair, when the shop is built (comebacks on top).",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option(
    "--page",
    "only",
    multiple=True,
    help="Measure only pages whose label contains this text (repeatable).",
)
def bench(
    per_page: int,
    concurrency: int,
    threads: int,
    warmup: int,
    database_url: str | None,
    products: int,
    tickets: int,
    seed: int,
    only: tuple[str, ...],
) -> None:
    """Measure latency percentiles and throughput of the busiest pages."""
    from jcicons.config import database_uri

    instance = Path(os.environ.get("INSTANCE_PATH") or "instance").resolve()
    folder = instance / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    url = database_uri(database_url, folder) if database_url else ""
    url = url or f"sqlite:///{folder / 'bench.db'}"
    environ = bench_environ(url, folder)
    password, targets, checkout_fields, described = prepare_data(
        environ, products, seed, tickets
    )
    pages = [p for p in PAGES if not only or any(o in p.label for o in only)]
    with_checkout = not only or any(o in CHECKOUT.label for o in only)

    port = free_port()
    with (folder / "server.log").open("ab") as log:
        server = start_server(environ, port, threads, log)
        try:
            cookie = sign_in(port, BENCH_USERNAME, password)
            results = []
            for page in pages:
                path = fill_path(page.path, targets)
                if warmup:
                    measure(port, cookie, page, path, warmup, 1)
                results.append(measure(port, cookie, page, path, per_page, concurrency))
            if with_checkout:
                if warmup:
                    measure_checkout(port, cookie, CHECKOUT, checkout_fields, warmup, 1)
                results.append(
                    measure_checkout(
                        port, cookie, CHECKOUT, checkout_fields, per_page, concurrency
                    )
                )
        finally:
            stop_server(server)

    click.echo(f"\nData: {described}")
    click.echo(
        f"Server: waitress, {threads} threads; clients: {concurrency} at once, "
        f"{per_page} requests per page after {warmup} unmeasured\n"
    )
    print_table(results)
    for r in results:
        if r.page == CHECKOUT:
            click.echo(
                f"\ncheckout: {len(r.latencies) - r.errors:,} sales completed "
                f"(302 to the receipt), {r.errors:,} failed; "
                f"{r.successes_per_second:.1f} sales per second"
            )
