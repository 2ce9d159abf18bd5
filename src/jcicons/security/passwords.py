"""Password hashing and the password policy.

Hashes are PBKDF2-HMAC-SHA256 through werkzeug.security with an explicit method
(werkzeug's default is scrypt). The iteration count comes from the configuration;
a stored hash with fewer iterations is upgraded at the next successful login.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_SCORE = 3

# A hash of a random password, checked when the username is unknown so that a
# wrong username costs as much time as a wrong password.
_DUMMY_HASH: dict[int, str] = {}


def _iterations() -> int:
    return int(current_app.config["PASSWORD_HASH_ITERATIONS"])


def hash_password(password: str) -> str:
    """Return a PBKDF2-SHA256 hash with the configured iteration count."""
    return generate_password_hash(password, method=f"pbkdf2:sha256:{_iterations()}")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash in constant time."""
    if not stored_hash:
        burn_password_check(password)
        return False
    return check_password_hash(stored_hash, password)


def burn_password_check(password: str) -> None:
    """Spend the time of a real check, for unknown usernames."""
    iterations = _iterations()
    if iterations not in _DUMMY_HASH:
        _DUMMY_HASH[iterations] = hash_password(secrets.token_urlsafe(16))
    check_password_hash(_DUMMY_HASH[iterations], password)


def hash_iterations(stored_hash: str) -> int:
    """Return the PBKDF2 iteration count of a stored hash (0 if it is not PBKDF2)."""
    method = stored_hash.split("$", 1)[0]
    parts = method.split(":")
    if len(parts) == 3 and parts[0] == "pbkdf2":
        try:
            return int(parts[2])
        except ValueError:
            return 0
    return 0


def needs_rehash(stored_hash: str) -> bool:
    """Return True when a hash is weaker than the current policy."""
    method = stored_hash.split("$", 1)[0]
    if not method.startswith("pbkdf2:sha256:"):
        return True
    return hash_iterations(stored_hash) < _iterations()


@dataclass
class PasswordCheck:
    """The verdict on a proposed password, with reasons a person can act on."""

    score: int
    problems: list[str] = field(default_factory=list)
    warning: str = ""
    suggestions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when the password meets the policy."""
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        """Return the verdict as JSON-ready values for the strength meter."""
        return {
            "ok": self.ok,
            "score": self.score,
            "problems": self.problems,
            "warning": self.warning,
            "suggestions": self.suggestions,
        }


def check_password(
    password: str,
    username: str = "",
    full_name: str = "",
    shop_name: str = "",
) -> PasswordCheck:
    """Judge a new password against the policy; every problem says how to fix it.

    Policy: 8 to 128 characters, at least one upper-case letter, one lower-case
    letter and one digit, not containing the username, and a zxcvbn score of 3 or
    more with the username, full name and shop name as known words.
    """
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(
            f"Use at least {MIN_LENGTH} characters (this one has {len(password)})."
        )
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if not any(ch.isupper() for ch in password):
        problems.append("Add at least one capital letter (A-Z).")
    if not any(ch.islower() for ch in password):
        problems.append("Add at least one small letter (a-z).")
    if not any(ch.isdigit() for ch in password):
        problems.append("Add at least one digit (0-9).")
    if username and len(username) >= 3 and username.lower() in password.lower():
        problems.append("Do not put your username in your password.")

    if len(password) > MAX_LENGTH or not password:
        return PasswordCheck(score=0, problems=problems)

    user_inputs = [part for part in (username, full_name, shop_name) if part]
    # zxcvbn matches whole tokens: add each word and the run-together form too, so
    # that "Jcicons2024" counts as leaning on the shop name "JC Icons".
    for phrase in (full_name, shop_name):
        user_inputs += [*phrase.split(), "".join(phrase.split())]
    result = zxcvbn(password, user_inputs=user_inputs, max_length=MAX_LENGTH)
    score = int(result["score"])
    feedback = result.get("feedback") or {}
    warning = str(feedback.get("warning") or "")
    suggestions = [str(s) for s in feedback.get("suggestions") or []]
    if score < MIN_SCORE:
        reason = f" {warning}" if warning else ""
        problems.append(
            f"This password is too easy to guess.{reason} "
            "Use a longer phrase of several unrelated words."
        )
    return PasswordCheck(
        score=score, problems=problems, warning=warning, suggestions=suggestions
    )


def generate_password() -> str:
    """Return a random one-time password that meets the policy."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "-".join(
            "".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4)
        )
        if (
            any(c.isupper() for c in candidate)
            and any(c.islower() for c in candidate)
            and any(c.isdigit() for c in candidate)
        ):
            return candidate
