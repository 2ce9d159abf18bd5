"""Encryption at rest for sensitive fields (two-factor secrets, later passcodes).

Fernet from `cryptography`, keyed by `ENCRYPTION_KEY` (one or more comma-separated
Fernet keys, newest first, so keys can be rotated). Without it the key is derived
from SECRET_KEY with HKDF; `check-deploy` reports that.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


def _derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"jcicons-field-encryption",
        info=b"fernet",
    )
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def _fernet() -> MultiFernet:
    configured = current_app.config.get("ENCRYPTION_KEY") or ""
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if not keys:
        keys = [_derived_key(current_app.config["SECRET_KEY"]).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt_text(plain: str) -> str:
    """Encrypt a short text for storage."""
    return _fernet().encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    """Decrypt a stored text; raise DecryptionError when no key fits."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("stored value cannot be decrypted") from exc


def generate_key() -> str:
    """Return a new Fernet key for ENCRYPTION_KEY."""
    return Fernet.generate_key().decode()
