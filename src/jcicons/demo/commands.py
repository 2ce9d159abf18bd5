"""The `jcicons demo-data` command."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from jcicons.demo import DEFAULT_SEED, LARGE_PRODUCTS, LARGE_TICKETS
from jcicons.money import format_pesos

if TYPE_CHECKING:
    from jcicons.demo.common import DemoSummary


@click.command("demo-data")
@click.option(
    "--scale",
    type=click.Choice(["small", "large"]),
    default="small",
    show_default=True,
    help="small: a few hundred products and six months of sales and repairs "
    "through the services; large: 50,000 products, a long ledger and 30,000 "
    "repair tickets, inserted in bulk, for benchmarks.",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option(
    "--products",
    type=click.IntRange(min=1, max=500_000),
    default=None,
    help=f"How many products the large shop has (default {LARGE_PRODUCTS:,}).",
)
@click.option(
    "--tickets",
    type=click.IntRange(min=0, max=500_000),
    default=None,
    help=f"How many devices the large shop has taken in for repair (default "
    f"{LARGE_TICKETS:,}; warranty comebacks come on top).",
)
@click.option("--force", is_flag=True, help="Add the demo even though products exist.")
@click.option(
    "--with-users",
    is_flag=True,
    help="Also create SALES and TECH demo accounts (one-time passwords shown once).",
)
@with_appcontext
def demo_data(
    scale: str,
    seed: int,
    products: int | None,
    tickets: int | None,
    force: bool,
    with_users: bool,
) -> None:
    """Fill the database with a demo computer-and-phone shop."""
    from jcicons.demo.build import build_demo
    from jcicons.demo.bulk import build_large_demo
    from jcicons.demo.common import check_may_build, demo_actor
    from jcicons.exceptions import DomainError
    from jcicons.extensions import db

    if products is not None and scale != "large":
        raise click.UsageError("--products goes with --scale large")
    if tickets is not None and scale != "large":
        raise click.UsageError("--tickets goes with --scale large")
    started = time.perf_counter()
    try:
        check_may_build(force)
        actor = demo_actor()
        if scale == "large":
            summary = build_large_demo(
                actor,
                seed,
                products or LARGE_PRODUCTS,
                with_users=with_users,
                progress=click.echo,
                tickets=LARGE_TICKETS if tickets is None else tickets,
            )
        else:
            summary = build_demo(actor, seed, with_users, progress=click.echo)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    _print_summary(summary, scale, seed, time.perf_counter() - started)


def _print_summary(summary: DemoSummary, scale: str, seed: int, seconds: float) -> None:
    click.echo(f"Demo shop ({scale}, seed {seed}) built in {seconds:.1f} s:")
    click.echo(f"  {summary.categories:>9,} categories")
    click.echo(
        f"  {summary.products:>9,} products ({summary.services:,} services, "
        f"{summary.serialized:,} serialized)"
    )
    click.echo(
        f"  {summary.receivings:>9,} receivings ({summary.units_received:,} units)"
    )
    click.echo(f"  {summary.adjustments:>9,} adjustments")
    click.echo(f"  {summary.ledger_rows:>9,} ledger rows")
    click.echo(f"  {summary.serial_units:>9,} serial numbers and IMEIs")
    click.echo(f"  {summary.customers:>9,} customers")
    click.echo(
        f"  {summary.sales:>9,} sales ({summary.voided_sales:,} voided, "
        f"{summary.credit_memos:,} returns)"
    )
    click.echo(
        f"  {summary.repair_tickets:>9,} repair tickets ({summary.released_tickets:,} "
        f"released, {summary.ready_tickets:,} ready for pickup, "
        f"{summary.comebacks:,} warranty comebacks)"
    )
    click.echo(
        f"  {summary.repair_parts:>9,} parts used on repairs, "
        f"{summary.service_types:,} services in the repair catalogue"
    )
    click.echo(f"  {summary.audit_rows:>9,} audit rows")
    click.echo(
        f"  stock on hand worth {format_pesos(summary.stock_value_centavos)} at cost"
    )
    for username, role, password in summary.users:
        if password is None:
            click.echo(f"  {username} ({role}) already exists: left unchanged.")
        else:
            click.echo(
                f"  {username} ({role}) one-time password: {password}  "
                "(shown only now; it must be changed at the first sign-in)"
            )
