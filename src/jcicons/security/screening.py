"""Spot SQL-injection and XSS patterns in incoming fields, for the security log.

Detection never blocks: bound parameters and template auto-escaping are the
defence. The patterns look for the shape of an attack, not for single characters,
so ordinary shop text such as `O'Reilly`, `USB-C <5V>` or `Select 3-way switch`
passes without a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SQL_PATTERNS = [
    re.compile(r"'\s*(or|and)\s+('[^']*'|\d+)\s*(=|like|<|>)", re.I),
    re.compile(r"\bunion\b(\s|/\*.*?\*/)+(all\s+)?select\b", re.I),
    # A stacked statement needs its SQL shape, so that a repair note such as
    # "Clean fan; update BIOS" or "Backup done; delete old partition" passes.
    re.compile(
        r";\s*(drop\s+(table|database|schema|view|index)\b"
        r"|delete\s+from\s+\S+\s*(where\b|;|--|$)"
        r"|truncate\s+(table\s+)?\S+\s*(;|--|$)"
        r"|alter\s+(table|database|schema)\b"
        r"|insert\s+into\s+\S+\s*(\(|values\b|select\b)"
        r"|update\s+\S+\s+set\s+\S+\s*="
        r"|create\s+(table|database|schema|function|procedure|trigger)\b"
        r"|exec(ute)?\s*(\(|@|(xp|sp)_\w+))",
        re.I,
    ),
    re.compile(r"'\s*;?\s*--"),
    # Timing probes take a number ("sleep (S3)" in a repair note does not).
    re.compile(r"\b(sleep|pg_sleep|benchmark)\s*\(\s*\d", re.I),
    re.compile(r"\bwaitfor\s+delay\s+'", re.I),
    re.compile(
        r"\bselect\b.+\bfrom\b.+\b(information_schema|pg_catalog|sqlite_master)\b", re.I
    ),
    re.compile(r"\b(or|and)\s+\d+\s*=\s*\d+\s*(--|#|/\*)", re.I),
]

XSS_PATTERNS = [
    re.compile(r"<\s*script\b", re.I),
    re.compile(r"\bjavascript\s*:", re.I),
    re.compile(r"<[^>]*\bon[a-z]{3,}\s*=", re.I),
    re.compile(r"<\s*(iframe|object|embed|svg|math|base|meta)\b", re.I),
    re.compile(r"\bsrcdoc\s*=", re.I),
    re.compile(r"\bdata\s*:\s*text/html", re.I),
]

SKIPPED_FIELDS = frozenset(
    {
        "csrf_token",
        "password",
        "current_password",
        "new_password",
        "confirm_password",
        "code",
    }
)
# A field whose name holds one of these is a secret (a device passcode, an SMTP
# password, a reset token): never scanned, so nothing of it reaches the log.
SECRET_NAME_PARTS = ("password", "passcode", "secret", "token")
MAX_SCANNED_LENGTH = 4096


@dataclass(frozen=True)
class Finding:
    """One suspicious field: its name, the pattern family and the matched text."""

    field: str
    family: str
    fragment: str


def scan_value(value: str) -> str | None:
    """Return 'sql' or 'xss' when the value looks like an attack, else None."""
    sample = value[:MAX_SCANNED_LENGTH]
    for pattern in SQL_PATTERNS:
        if pattern.search(sample):
            return "sql"
    for pattern in XSS_PATTERNS:
        if pattern.search(sample):
            return "xss"
    return None


def _fragment(value: str, family: str) -> str:
    patterns = SQL_PATTERNS if family == "sql" else XSS_PATTERNS
    for pattern in patterns:
        match = pattern.search(value[:MAX_SCANNED_LENGTH])
        if match:
            return match.group(0)[:40]
    return ""


def scan_fields(fields: Iterable[tuple[str, str]]) -> list[Finding]:
    """Return a finding for every suspicious field, skipping secrets."""
    findings = []
    for name, value in fields:
        lowered = name.lower()
        if name in SKIPPED_FIELDS or any(part in lowered for part in SECRET_NAME_PARTS):
            continue
        family = scan_value(value)
        if family:
            findings.append(Finding(name[:64], family, _fragment(value, family)))
    return findings
