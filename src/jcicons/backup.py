"""Encrypted, verifiable backups of the whole database, portable between databases.

A backup file is two lines. The first is a JSON header: the format, and the salt
and cost of the scrypt key derivation. The second is a Fernet token (AES-128-CBC
with an HMAC-SHA256 over everything) of the gzipped JSON dump: every row of every
table, with the schema revision and a row count per table. The key comes from a
passphrase, never stored; a wrong passphrase or a changed byte fails the HMAC, so
`verify` proves a file can be restored before it is needed.

The dump is plain data, so a shop can restore its SQLite backup into PostgreSQL
when it outgrows one PC. Fields that are encrypted in the database (device
passcodes, two-factor secrets, the SMTP password) stay encrypted with
ENCRYPTION_KEY inside the backup: keep that key too.
"""

from __future__ import annotations

import base64
import gzip
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import Date, DateTime, func, insert, inspect, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.schema import Table

from jcicons import __version__
from jcicons.clock import utcnow
from jcicons.extensions import db

FORMAT = "jcicons-backup"
VERSION = 1
MIN_PASSPHRASE_LENGTH = 12
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
INSERT_CHUNK = 1000


class BackupError(Exception):
    """The backup cannot be made, read or restored; the message says why."""


@dataclass
class BackupSummary:
    """What a backup holds, as `verify` reports it."""

    created_at: str
    app_version: str
    revision: str | None
    counts: dict[str, int]

    @property
    def total_rows(self) -> int:
        """Return the number of rows over all tables."""
        return sum(self.counts.values())


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=n, r=r, p=p)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode()))


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to protect a copy of the whole shop."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise BackupError(
            f"Use a backup passphrase of at least {MIN_PASSPHRASE_LENGTH} characters "
            "(a few unrelated words work well)."
        )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    return value


def _revision(connection: Connection | None = None) -> str | None:
    """Return the database's migration revision (None when it was never migrated)."""
    if not inspect(connection or db.engine).has_table("alembic_version"):
        return None
    query = text("SELECT version_num FROM alembic_version")
    if connection is not None:
        return connection.scalar(query)
    return db.session.scalar(query)


def _snapshot(connection: Connection) -> None:
    """Make every read on `connection` see the database as of one moment.

    A sale made while the backup runs is then wholly in it or wholly out of it,
    so no payment row can point at a sale the file lacks.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
        )
    elif connection.dialect.name == "sqlite":
        # pysqlite starts no transaction for a SELECT; in WAL mode a read
        # transaction sees one snapshot until it ends.
        connection.exec_driver_sql("BEGIN")


def dump() -> dict[str, Any]:
    """Return every row of every table, read in one snapshot, as plain values."""
    tables: dict[str, Any] = {}
    with db.engine.connect() as connection:
        _snapshot(connection)
        revision = _revision(connection)
        for table in db.metadata.sorted_tables:
            columns = [column.name for column in table.columns]
            ordering = list(table.primary_key.columns)
            rows = connection.execute(select(table).order_by(*ordering)).all()
            tables[table.name] = {
                "columns": columns,
                "rows": [[_plain(value) for value in row] for row in rows],
            }
        connection.rollback()
    return {
        "created_at": utcnow().isoformat(),
        "app_version": __version__,
        "revision": revision,
        "counts": {name: len(body["rows"]) for name, body in tables.items()},
        "tables": tables,
    }


def create_backup(passphrase: str) -> bytes:
    """Return the encrypted backup file of the whole database."""
    check_passphrase(passphrase)
    salt = secrets.token_bytes(16)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "kdf": "scrypt",
        "salt": base64.b64encode(salt).decode(),
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
    }
    body = gzip.compress(json.dumps(dump(), separators=(",", ":")).encode())
    token = Fernet(_key(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)).encrypt(body)
    return json.dumps(header).encode() + b"\n" + token + b"\n"


def read_backup(data: bytes, passphrase: str) -> dict[str, Any]:
    """Decrypt and check a backup file; return its dump. Raises BackupError."""
    try:
        header_line, token = data.strip().split(b"\n", 1)
        header = json.loads(header_line)
    except (ValueError, json.JSONDecodeError) as exc:
        raise BackupError("This is not a JC Icons backup file.") from exc
    if header.get("format") != FORMAT:
        raise BackupError("This is not a JC Icons backup file.")
    if header.get("version") != VERSION or header.get("kdf") != "scrypt":
        raise BackupError("This backup was made by a newer version of the system.")
    try:
        salt = base64.b64decode(header["salt"])
        cost = int(header["n"]), int(header["r"]), int(header["p"])
    except (KeyError, ValueError, TypeError) as exc:
        raise BackupError("The backup's header is damaged.") from exc
    if cost[0] > 2**20 or cost[1] > 32 or cost[2] > 16:
        raise BackupError("The backup's header asks for an unreasonable key cost.")
    try:
        body = Fernet(_key(passphrase, salt, *cost)).decrypt(token.strip())
    except InvalidToken as exc:
        raise BackupError(
            "The passphrase is wrong, or the file was changed or damaged."
        ) from exc
    content: dict[str, Any] = json.loads(gzip.decompress(body))
    for name, body_of_table in content["tables"].items():
        if len(body_of_table["rows"]) != content["counts"].get(name):
            raise BackupError(f"The rows of {name} do not match the backup's count.")
    return content


def summarise(content: dict[str, Any]) -> BackupSummary:
    """Return what a decrypted backup holds."""
    return BackupSummary(
        created_at=content["created_at"],
        app_version=content["app_version"],
        revision=content["revision"],
        counts=dict(content["counts"]),
    )


def _typed(table: Table, columns: list[str], row: list[Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in zip(columns, row, strict=True):
        column_type = table.columns[name].type
        if value is None:
            values[name] = None
        elif isinstance(value, dict) and set(value) == {"$b64"}:
            values[name] = base64.b64decode(value["$b64"])
        elif isinstance(getattr(column_type, "impl", column_type), DateTime):
            values[name] = datetime.fromisoformat(value)
        elif isinstance(column_type, Date):
            values[name] = date.fromisoformat(value)
        else:
            values[name] = value
    return values


def _is_empty() -> bool:
    for table in db.metadata.sorted_tables:
        if db.session.scalar(select(func.count()).select_from(table)):
            return False
    return True


def restore(content: dict[str, Any]) -> int:
    """Write a decrypted backup into an empty database; return the rows written.

    The database must be migrated to the backup's revision and hold no rows yet.
    Columns that point at their own table (a merged customer, a comeback ticket)
    are filled in after every row is in, so their order does not matter. The
    caller commits. Raises BackupError.
    """
    revision = _revision()
    if content["revision"] and revision != content["revision"]:
        raise BackupError(
            f"The backup is of schema {content['revision']} but this database is at "
            f"{revision or 'no revision'}: run `jcicons db upgrade` (or use the "
            "matching release) first."
        )
    if not _is_empty():
        raise BackupError(
            "This database already holds data: restore into a new, empty database."
        )
    written = 0
    later: list[tuple[Table, dict[str, Any], dict[str, Any]]] = []
    for table in db.metadata.sorted_tables:
        body = content["tables"].get(table.name)
        if not body:
            continue
        unknown = set(body["columns"]) - set(table.columns.keys())
        if unknown:
            raise BackupError(f"{table.name} has columns this version lacks: {unknown}")
        own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
        # An UPDATE would stamp these with the time of the restore: set them back.
        stamped = [column.name for column in table.columns if column.onupdate]
        rows = [_typed(table, body["columns"], row) for row in body["rows"]]
        for row in rows:
            pointers = {name: row[name] for name in own if row.get(name) is not None}
            if pointers:
                key = {col.name: row[col.name] for col in table.primary_key.columns}
                kept = {name: row[name] for name in stamped if name in row}
                later.append((table, key, pointers | kept))
                row.update(dict.fromkeys(pointers))
        for start in range(0, len(rows), INSERT_CHUNK):
            db.session.execute(insert(table), rows[start : start + INSERT_CHUNK])
        written += len(rows)
    for table, key, pointers in later:
        criteria = [table.columns[name] == value for name, value in key.items()]
        db.session.execute(update(table).where(*criteria).values(pointers))
    _reset_sequences()
    return written


def _reset_sequences() -> None:
    """Move PostgreSQL's id sequences past the restored ids (SQLite needs nothing)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or key[0].autoincrement is False:
            continue
        column = key[0]
        sequence = db.session.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column.name},
        )
        if sequence:
            db.session.execute(
                text(
                    f'SELECT setval(:sequence, COALESCE((SELECT MAX("{column.name}") '  # noqa: S608
                    f'FROM "{table.name}"), 0) + 1, false)'
                ),
                {"sequence": sequence},
            )
