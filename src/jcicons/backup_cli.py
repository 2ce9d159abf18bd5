"""`jcicons backup create | verify | restore`: the commands around jcicons.backup."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from jcicons.backup import (
    BackupError,
    check_passphrase,
    create_backup,
    read_backup,
    restore,
    summarise,
)
from jcicons.clock import utcnow

PASSPHRASE_VARIABLE = "BACKUP_PASSPHRASE"  # noqa: S105 - the name of a variable


def _passphrase(confirm: bool) -> str:
    """Return the passphrase from BACKUP_PASSPHRASE, or ask for it."""
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given:
        return given
    return str(
        click.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm)
    )


def _read(path: Path) -> dict[str, object]:
    try:
        return read_backup(path.read_bytes(), _passphrase(confirm=False))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("backup")
def backup() -> None:
    """Make, check and restore encrypted backups of the database."""


@backup.command("create")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write it (default: instance/backups/jcicons-<UTC time>.jcbak).",
)
@with_appcontext
def backup_create(output: Path | None) -> None:
    """Write an encrypted backup of every table (passphrase: BACKUP_PASSPHRASE)."""
    passphrase = _passphrase(confirm=True)
    try:
        check_passphrase(passphrase)
        data = create_backup(passphrase)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    if output is None:
        folder = Path(current_app.instance_path) / "backups"
        folder.mkdir(mode=0o700, exist_ok=True)
        output = folder / f"jcicons-{utcnow():%Y%m%d-%H%M%S}.jcbak"
    # Readable by the service account only, from the first byte written (and an
    # existing file of the same name loses whatever mode it had).
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if hasattr(os, "fchmod"):  # not on Windows before Python 3.13 (ACLs rule there)
        os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    click.echo(f"Backup written to {output} ({len(data):,} bytes).")
    click.echo("Check it with `jcicons backup verify` and keep the passphrase safe.")


@backup.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def backup_verify(path: Path) -> None:
    """Decrypt a backup and check every table's rows; exit 0 only when it is whole."""
    summary = summarise(_read(path))
    click.echo(f"Backup of {summary.created_at} (version {summary.app_version}, ")
    click.echo(f"schema {summary.revision or 'unknown'}): {summary.total_rows:,} rows")
    for table, count in sorted(summary.counts.items()):
        if count:
            click.echo(f"  {table}: {count:,}")
    click.echo("The backup is readable and complete.")


@backup.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def backup_restore(path: Path, yes: bool) -> None:
    """Restore a backup into this (migrated, empty) database."""
    from jcicons.extensions import db

    content = _read(path)
    if not yes:
        click.confirm(
            f"Restore {summarise(content).total_rows:,} rows into "
            f"{db.engine.url.render_as_string(hide_password=True)}?",
            abort=True,
        )
    try:
        written = restore(content)
    except BackupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Restored {written:,} rows. Run `jcicons check-integrity` next.")
