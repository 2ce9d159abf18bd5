"""The `jcicons` command: serve, database, users, checks and set-up helpers."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from jcicons.bench import bench
from jcicons.config import WELL_KNOWN_SECRET_KEYS, ConfigError


def _create_app() -> Flask:
    from jcicons import create_app

    try:
        return create_app()
    except ConfigError as exc:
        click.echo("The configuration cannot start the app:", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(2)


@click.group(
    cls=FlaskGroup,
    create_app=_create_app,
    add_version_option=False,
    add_default_commands=True,
)
def main() -> None:
    """JC Icons Management System."""


# The benchmark builds its own app on its own database, so it runs without the shop's.
main.add_command(bench)


@main.command("generate-secret-key", with_appcontext=False)
def generate_secret_key() -> None:
    """Print a new random SECRET_KEY."""
    click.echo(secrets.token_urlsafe(64))


@main.command("init-env", with_appcontext=False)
@click.option(
    "--path", default=".env", show_default=True, type=click.Path(dir_okay=False)
)
def init_env(path: str) -> None:
    """Write SECRET_KEY and ENCRYPTION_KEY into the .env file when they are missing."""
    from jcicons.security.crypto import generate_key

    env_path = Path(path)
    existing = env_path.read_text(encoding="utf-8") if env_path.exists() else ""
    lines = existing.splitlines()
    positions = {
        line.split("=", 1)[0].strip(): index
        for index, line in enumerate(lines)
        if "=" in line
    }
    fresh = {"SECRET_KEY": secrets.token_urlsafe(64), "ENCRYPTION_KEY": generate_key()}
    written = []
    for name, value in fresh.items():
        index = positions.get(name)
        if index is None:
            lines.append(f"{name}={value}")
        elif _is_placeholder(lines[index].split("=", 1)[1]):
            # A copied .env.example leaves these empty or holding the example text.
            lines[index] = f"{name}={value}"
        else:
            continue
        written.append(name)
    if not written:
        click.echo(f"{path} already has SECRET_KEY and ENCRYPTION_KEY.")
        return
    fd = os.open(env_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # O_CREAT's mode applies to new files only; an existing one may be world-readable.
    os.chmod(env_path, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    click.echo(f"Wrote {', '.join(written)} to {path}.")


def _is_placeholder(value: str) -> bool:
    """Return True for an empty .env value or a well-known example secret."""
    return value.strip().lower() in WELL_KNOWN_SECRET_KEYS | {""}


def register_commands(app: Flask) -> None:
    """Add the app-bound commands (they need the configuration and database)."""
    app.cli.add_command(serve)
    app.cli.add_command(users)
    app.cli.add_command(check_deploy)

    from jcicons.integrity import check_integrity

    app.cli.add_command(check_integrity)

    from jcicons.demo.commands import demo_data

    app.cli.add_command(demo_data)

    from jcicons.backup_cli import backup

    app.cli.add_command(backup)


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default HOST).")
@click.option("--port", default=None, type=int, help="Port (default PORT).")
@with_appcontext
def serve(host: str | None, port: int | None) -> None:
    """Serve the app with waitress."""
    from waitress import serve as waitress_serve

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    host = host or app.config["HOST"]
    port = port or app.config["PORT"]
    click.echo(
        f"JC Icons is serving on http://{host}:{port} ({app.config['JCICONS_ENV']})"
    )
    waitress_serve(
        app,
        host=host,
        port=port,
        threads=app.config["WAITRESS_THREADS"],
        ident="jcicons",
    )


# Who the security log names for changes made with the `jcicons` command.
COMMAND_LINE = "(command line)"


@click.group("users")
def users() -> None:
    """Manage staff accounts."""


def _commit_or_fail(action: str) -> None:
    from jcicons.extensions import db

    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise click.ClickException(f"could not {action}") from None


@users.command("create")
@click.option("--username", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["ADMIN", "SALES", "TECH"], case_sensitive=False),
)
@click.option("--password", default=None, help="Prompted for when omitted.")
@click.option("--full-name", default="", help="Defaults to the username.")
@click.option("--email", default=None)
@with_appcontext
def users_create(
    username: str, role: str, password: str | None, full_name: str, email: str | None
) -> None:
    """Create a staff account."""
    from jcicons.exceptions import DomainError
    from jcicons.users.services import create_user

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user, _ = create_user(
            username, full_name or username, email, role.upper(), None, password
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    _commit_or_fail("create the user")
    _security_event("user_created", user)
    click.echo(f"Created {user.username} ({user.role}).")


def _security_event(event: str, user: Any) -> None:
    """Log an account change made on the command line to the security log."""
    from jcicons.audit.security_log import record_security_event

    record_security_event(
        event,
        username=COMMAND_LINE,
        detail={"target": user.username, "role": user.role},
        persist=True,
    )


def _find_user(username: str):  # type: ignore[no-untyped-def]
    from jcicons.auth.services import get_user_by_username

    user = get_user_by_username(username)
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    return user


@users.command("reset-password")
@click.argument("username")
@with_appcontext
def users_reset_password(username: str) -> None:
    """Give a user a one-time password (printed once) and sign them out."""
    from jcicons.users.services import reset_password

    user = _find_user(username)
    one_time = reset_password(user, None)
    _commit_or_fail("reset the password")
    _security_event("password_reset", user)
    click.echo(f"One-time password for {user.username}: {one_time}")
    click.echo("It must be changed at the next sign-in. It is not stored anywhere.")


@users.command("deactivate")
@click.argument("username")
@with_appcontext
def users_deactivate(username: str) -> None:
    """Deactivate a user and end their sessions."""
    from jcicons.audit.services import record_audit
    from jcicons.auth.services import end_user_sessions
    from jcicons.users.services import count_active_admins

    user = _find_user(username)
    if not user.is_active:
        raise click.ClickException(f"{user.username} is already inactive")
    if user.role == "ADMIN" and count_active_admins() <= 1:
        raise click.ClickException("the last active ADMIN cannot be deactivated")
    user.is_active = False
    ended = end_user_sessions(user, "deactivated")
    record_audit(
        None,
        "user.deactivate",
        "user",
        user.id,
        {"is_active": True},
        {"is_active": False, "sessions_ended": ended},
    )
    _commit_or_fail("deactivate the user")
    _security_event("user_deactivated", user)
    click.echo(f"{user.username} is deactivated; {ended} session(s) ended.")


@users.command("ensure-admin")
@with_appcontext
def users_ensure_admin() -> None:
    """Create the first ADMIN (`admin`) when there are no users yet."""
    from jcicons.exceptions import DomainError
    from jcicons.users.services import ensure_first_admin

    password = os.environ.get("ADMIN_PASSWORD") or None
    try:
        user, generated = ensure_first_admin(password)
    except DomainError as exc:
        raise click.ClickException(
            f"ADMIN_PASSWORD is not accepted: {exc.message}"
        ) from exc
    if user is None:
        return
    _commit_or_fail("create the first ADMIN")
    if generated:
        click.echo("=" * 64)
        click.echo("First ADMIN created. Sign in as:  admin")
        click.echo(f"One-time password:              {generated}")
        click.echo(
            "Write it down now: it is shown only this once and must be changed "
            "at the first sign-in."
        )
        click.echo("=" * 64)
    else:
        click.echo("First ADMIN created: admin (password from ADMIN_PASSWORD).")


@click.command("check-deploy")
@with_appcontext
def check_deploy() -> None:
    """Check this configuration for production; exit 0 only when all checks pass."""
    from sqlalchemy.exc import SQLAlchemyError

    from jcicons.deploy_checks import run_deploy_checks
    from jcicons.settings.services import REQUIRE_ADMIN_TWO_FACTOR, get_setting

    try:
        required: bool | None = bool(get_setting(REQUIRE_ADMIN_TWO_FACTOR))
    except SQLAlchemyError:
        required = None
    results = run_deploy_checks(current_app.config, required)
    failures = [r for r in results if not r.passed]
    for result in results:
        mark = "ok  " if result.passed else "FAIL"
        click.echo(f"{mark} {result.code} {result.message}")
    if failures:
        click.echo(f"\n{len(failures)} of {len(results)} checks failed.")
        sys.exit(1)
    click.echo(f"\nAll {len(results)} checks passed.")
