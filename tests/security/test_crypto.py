"""Field encryption: round trip, key rotation, refusal with the wrong key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from jcicons.security.crypto import DecryptionError, decrypt_text, encrypt_text

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def use_keys(ctx, monkeypatch):
    """Set ENCRYPTION_KEY (and optionally SECRET_KEY) for the rest of the test."""

    def apply(encryption_key: str, secret_key: str | None = None) -> None:
        monkeypatch.setitem(ctx.config, "ENCRYPTION_KEY", encryption_key)
        if secret_key is not None:
            monkeypatch.setitem(ctx.config, "SECRET_KEY", secret_key)

    return apply


@pytest.mark.parametrize("plain", ["JBSWY3DPEHPK3PXP", "2580 #", "passcode: ñ ✓"])
def test_a_value_round_trips_and_is_not_stored_in_clear(use_keys, plain):
    use_keys(NEW_KEY)
    token = encrypt_text(plain)
    assert decrypt_text(token) == plain
    assert plain not in token


def test_each_encryption_gives_a_different_token(use_keys):
    use_keys(NEW_KEY)
    assert encrypt_text("123456") != encrypt_text("123456")


def test_a_value_under_the_old_key_decrypts_after_rotation(use_keys):
    use_keys(OLD_KEY)
    token = encrypt_text("device passcode 2580")
    use_keys(f"{NEW_KEY}, {OLD_KEY}")
    assert decrypt_text(token) == "device passcode 2580"


def test_after_rotation_new_values_use_the_new_key(use_keys):
    use_keys(f"{NEW_KEY},{OLD_KEY}")
    token = encrypt_text("fresh")
    assert Fernet(NEW_KEY).decrypt(token.encode()) == b"fresh"


def test_a_wrong_key_raises_decryption_error(use_keys):
    use_keys(OLD_KEY)
    token = encrypt_text("secret")
    use_keys(NEW_KEY)
    with pytest.raises(DecryptionError):
        decrypt_text(token)


@pytest.mark.parametrize("token", ["not-a-token", ""])
def test_garbage_raises_decryption_error(use_keys, token):
    use_keys(NEW_KEY)
    with pytest.raises(DecryptionError):
        decrypt_text(token)


def test_without_encryption_key_the_key_comes_from_secret_key(use_keys):
    use_keys("", secret_key="k" * 10 + "first-secret-key-for-the-shop-0123456789")
    token = encrypt_text("otp seed")
    assert decrypt_text(token) == "otp seed"
    use_keys("", secret_key="k" * 10 + "other-secret-key-for-the-shop-987654321")
    with pytest.raises(DecryptionError):
        decrypt_text(token)
