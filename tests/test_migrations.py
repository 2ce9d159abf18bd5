"""Migrations: an empty database upgraded to head has exactly the models' schema."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, make_url, text

from helpers import needs_postgres
from jcicons import MIGRATIONS_DIR, PACKAGE_DIR
from jcicons.extensions import db

JCICONS = Path(sys.executable).with_name("jcicons")


def run_db_command(folder: Path, url: str, *args: str) -> None:
    """Run `jcicons db ...` against `url` in a fresh process, as an operator would."""
    environ = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "JCICONS_ENV": "testing",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(folder / "instance"),
        "LOG_DIR": str(folder / "logs"),
    }
    done = subprocess.run(
        [str(JCICONS), "db", *args],
        cwd=folder,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def schema_differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True}
            )
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped after the test."""
    server = make_url(needs_postgres())
    name = f"jcicons_migrations_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_have_a_single_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_of_an_empty_sqlite_database_matches_the_models(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    run_db_command(tmp_path, url, "upgrade")
    assert schema_differences(url) == []
    assert "users" in table_names(url)


def test_upgrade_of_an_empty_postgres_database_matches_the_models(
    app, tmp_path, fresh_postgres
):
    run_db_command(tmp_path, fresh_postgres, "upgrade")
    assert schema_differences(fresh_postgres) == []


def check_constraints(url: str) -> dict[tuple[str, str], str]:
    """Return every CHECK constraint as (table, name) -> its text, spaces removed."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {
            (table, check["name"]): "".join(check["sqltext"].split())
            for table in inspector.get_table_names()
            for check in inspector.get_check_constraints(table)
        }
    finally:
        engine.dispose()


def test_upgrade_has_the_check_constraints_of_the_models(app, tmp_path):
    # Alembic's comparison skips CHECK constraints: compare them with the tests'
    # database, which create_all builds from the models.
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the constraints' text is compared on SQLite")
        from_models = check_constraints(db.engine.url.render_as_string(False))
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    run_db_command(tmp_path, url, "upgrade")

    assert ("payments", "ck_payments_method_known") in from_models
    assert check_constraints(url) == from_models


def test_downgrade_to_base_removes_every_table(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    run_db_command(tmp_path, url, "upgrade")
    run_db_command(tmp_path, url, "downgrade", "base")
    assert table_names(url) == {"alembic_version"}


def test_no_code_outside_the_tests_creates_tables_directly():
    offenders = [
        str(path.relative_to(PACKAGE_DIR))
        for path in PACKAGE_DIR.rglob("*.py")
        if "create_all" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the logging set-up back as it was (an upgrade reads alembic.ini)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = [
        item
        for item in logging.Logger.manager.loggerDict.values()
        if isinstance(item, logging.Logger)
    ]
    disabled = {item: item.disabled for item in loggers}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for item, was_disabled in disabled.items():
        item.disabled = was_disabled


def test_upgrade_inside_the_app_process_keeps_its_loggers_enabled(
    make_app, tmp_path, restore_logging
):
    other = make_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'in-process.db'}"})
    with other.app_context():
        flask_migrate.upgrade()
        db.session.remove()
        db.engine.dispose()
    names = ("jcicons", "jcicons.security", "jcicons.auth.services")
    assert [logging.getLogger(name).disabled for name in names] == [False] * 3
