"""Backups: the whole shop, encrypted, checked, and restored row for row elsewhere."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import needs_postgres
from jcicons.auth.models import User
from jcicons.backup import BackupError, create_backup, dump, read_backup, restore
from jcicons.demo.build import build_demo
from jcicons.extensions import db
from jcicons.integrity import integrity_problems

PASSPHRASE = "kalamansi tricycle halo-halo"
JCICONS = Path(sys.executable).with_name("jcicons")


@pytest.fixture
def demo_shop(app, make_user) -> dict:
    """The demo shop (every table has rows), and its dump without the time."""
    admin_id = make_user("ADMIN").id
    with app.app_context():
        build_demo(db.session.get(User, admin_id), with_users=True)
        db.session.commit()
        content = dump()
    return content


def tables_of(content: dict) -> dict:
    return content["tables"]


def test_a_backup_restores_every_row_into_another_database(
    app, make_app, demo_shop, tmp_path
):
    for table in (
        "users",
        "customers",
        "products",
        "stock_movements",
        "sales",
        "payments",
        "repair_tickets",
        "repair_parts",
        "audit_events",
    ):
        assert demo_shop["counts"][table] > 0, table
    with app.app_context():
        data = create_backup(PASSPHRASE)
    assert b"Dela Cruz" not in data  # nothing readable without the passphrase

    other = make_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"})
    with other.app_context():
        db.create_all()
        written = restore(read_backup(data, PASSPHRASE))
        db.session.commit()
        copy = dump()
        assert integrity_problems() == []
        # New records carry on after the restored ones.
        names = db.session.scalars(select(User.username)).all()
        assert len(names) == demo_shop["counts"]["users"]

    assert written == sum(demo_shop["counts"].values())
    assert tables_of(copy) == tables_of(demo_shop)


def test_a_wrong_passphrase_or_a_changed_byte_is_refused(app, make_user):
    make_user("ADMIN")
    with app.app_context():
        data = create_backup(PASSPHRASE)
    with pytest.raises(BackupError, match="passphrase is wrong"):
        read_backup(data, "another long passphrase")
    header, token = data.split(b"\n", 1)
    flipped = token[:40] + (b"A" if token[40:41] != b"A" else b"B") + token[41:]
    with pytest.raises(BackupError, match="changed or damaged"):
        read_backup(header + b"\n" + flipped, PASSPHRASE)
    with pytest.raises(BackupError, match="not a JC Icons backup"):
        read_backup(b"PK\x03\x04 a zip file", PASSPHRASE)


def test_a_short_passphrase_is_refused(app):
    with app.app_context(), pytest.raises(BackupError, match="at least 12"):
        create_backup("short")


def test_restoring_over_data_is_refused(app, make_user):
    make_user("ADMIN")
    with app.app_context():
        content = read_backup(create_backup(PASSPHRASE), PASSPHRASE)
        with pytest.raises(BackupError, match="already holds data"):
            restore(content)


def run_jcicons(folder: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    environ = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "JCICONS_ENV": "testing",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(folder / "instance"),
        "LOG_DIR": str(folder / "logs"),
        "BACKUP_PASSPHRASE": PASSPHRASE,
        "ADMIN_PASSWORD": "Kalamansi-Tricycle-7",
    }
    return subprocess.run(
        [str(JCICONS), *args],
        cwd=folder,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_commands_back_up_verify_and_restore_a_migrated_database(tmp_path):
    source = f"sqlite:///{tmp_path / 'shop.db'}"
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    file = tmp_path / "shop.jcbak"
    for args in (("db", "upgrade"), ("users", "ensure-admin")):
        assert run_jcicons(tmp_path, source, *args).returncode == 0

    made = run_jcicons(tmp_path, source, "backup", "create", "--output", str(file))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    checked = run_jcicons(tmp_path, source, "backup", "verify", str(file))
    assert checked.returncode == 0, checked.stderr
    assert "users: 1" in checked.stdout
    assert "The backup is readable and complete." in checked.stdout

    assert run_jcicons(tmp_path, target, "db", "upgrade").returncode == 0
    restored = run_jcicons(tmp_path, target, "backup", "restore", str(file), "--yes")
    assert restored.returncode == 0, restored.stderr
    again = run_jcicons(tmp_path, target, "backup", "restore", str(file), "--yes")
    assert again.returncode == 1
    assert "already holds data" in again.stderr


def test_a_damaged_file_fails_verify(tmp_path):
    file = tmp_path / "broken.jcbak"
    header = (
        b'{"format": "jcicons-backup", "version": 1, "kdf": "scrypt", '
        b'"salt": "AAAAAAAAAAAAAAAAAAAAAA==", "n": 16384, "r": 8, "p": 1}'
    )
    file.write_bytes(header + b"\nnot a token\n")
    result = run_jcicons(
        tmp_path, f"sqlite:///{tmp_path / 'x.db'}", "backup", "verify", str(file)
    )
    assert result.returncode == 1
    assert "The passphrase is wrong, or the file was changed or damaged." in (
        result.stderr
    )


def test_a_sqlite_backup_restores_into_postgresql(tmp_path):
    import secrets

    from sqlalchemy import create_engine, make_url, text

    server = make_url(needs_postgres())
    name = f"jcicons_restore_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    target = server.set(database=name).render_as_string(hide_password=False)
    try:
        source = f"sqlite:///{tmp_path / 'shop.db'}"
        file = tmp_path / "shop.jcbak"
        for url, args in (
            (source, ("db", "upgrade")),
            (source, ("users", "ensure-admin")),
            (source, ("demo-data", "--seed", "3")),
            (source, ("backup", "create", "--output", str(file))),
            (target, ("db", "upgrade")),
            (target, ("backup", "restore", str(file), "--yes")),
            (target, ("check-integrity",)),
            (
                target,
                (
                    "users",
                    "create",
                    "--username",
                    "after_restore",
                    "--role",
                    "SALES",
                    "--password",
                    "Kalamansi-Tricycle-8",
                ),
            ),
        ):
            done = run_jcicons(tmp_path, url, *args)
            assert done.returncode == 0, (args, done.stderr[-2000:])
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_reads_one_snapshot_even_while_the_shop_writes(app, make_user):
    from sqlalchemy import event, insert

    from jcicons.settings.models import Setting

    make_user("ADMIN")
    with app.app_context():
        engine = db.engine
        first = db.metadata.sorted_tables[0].name
        written = []

        def write_meanwhile(conn, cursor, statement, *args):
            # Once the backup has read its first table, another connection commits
            # a row to a table it reads later.
            if f"FROM {first}" in statement and not written:
                written.append(True)
                with engine.begin() as other:
                    other.execute(insert(Setting).values(key="SHOP_NAME", value="X"))

        event.listen(engine, "after_cursor_execute", write_meanwhile)
        try:
            content = dump()
        finally:
            event.remove(engine, "after_cursor_execute", write_meanwhile)
        stored = db.session.scalar(
            select(Setting.value).where(Setting.key == "SHOP_NAME")
        )

    assert written and stored == "X"  # the write happened during the backup
    assert content["counts"]["settings"] == 0  # and the backup did not see it
