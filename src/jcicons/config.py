"""Settings read from the environment and validated before the app starts.

Order: built-in defaults, then the environment (the CLI reads a `.env` file into it
first), then explicit overrides from tests. A profile (`JCICONS_ENV`) picks the
defaults; `production` and `local` refuse to start with a weak `SECRET_KEY`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROFILES = ("development", "local", "production", "testing")

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARACTERS = 5
PASSWORD_HASH_ITERATIONS = 1_000_000
ONE_YEAR_SECONDS = 31_536_000

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Values that have appeared in tutorials, templates and our own .env.example.
WELL_KNOWN_SECRET_KEYS = frozenset(
    {
        "dev",
        "development",
        "secret",
        "secret-key",
        "secret_key",
        "changeme",
        "change-me",
        "change_me",
        "your-secret-key",
        "your-secret-key-here",
        "supersecret",
        "super-secret-key",
        "replace-me-with-the-output-of-jcicons-generate-secret-key",
    }
)


class ConfigError(Exception):
    """The configuration cannot be used; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def secret_key_problems(key: str | None) -> list[str]:
    """Return what is wrong with a SECRET_KEY, or an empty list when it is strong."""
    if not key:
        return ["SECRET_KEY is not set"]
    problems = []
    if key.strip().lower() in WELL_KNOWN_SECRET_KEYS:
        problems.append("SECRET_KEY is a well-known example value")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"SECRET_KEY has {len(key)} characters; use at least "
            f"{MIN_SECRET_KEY_LENGTH} (run `jcicons generate-secret-key`)"
        )
    if len(set(key)) < MIN_SECRET_KEY_UNIQUE_CHARACTERS:
        problems.append(
            f"SECRET_KEY uses fewer than {MIN_SECRET_KEY_UNIQUE_CHARACTERS} "
            "distinct characters"
        )
    return problems


def public_base_url_problems(url: str) -> list[str]:
    """Return what is wrong with PUBLIC_BASE_URL (empty is fine: not set)."""
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ["PUBLIC_BASE_URL must look like https://repairs.example.ph"]
    if parts.query or parts.fragment or "@" in parts.netloc:
        return ["PUBLIC_BASE_URL must be a plain address: no user, query or #part"]
    return []


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class _Reader:
    """Read typed values from an environment mapping, collecting problems."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[str] = []

    def text(self, name: str, default: str) -> str:
        value = self.environ.get(name)
        return value.strip() if value and value.strip() else default

    def flag(self, name: str, default: bool) -> bool:
        return _flag(self.environ.get(name), default)

    def integer(
        self, name: str, default: int, minimum: int = 0, maximum: int | None = None
    ) -> int:
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems.append(f"{name} must be a whole number, not {raw!r}")
            return default
        if value < minimum:
            self.problems.append(f"{name} must be at least {minimum}")
            return default
        if maximum is not None and value > maximum:
            self.problems.append(f"{name} must be at most {maximum}")
            return default
        return value


def database_uri(raw: str | None, instance_path: Path) -> str:
    """Return an SQLAlchemy URL, defaulting to SQLite and preferring psycopg 3."""
    if not raw:
        return f"sqlite:///{instance_path / 'jcicons.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def load_config(
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    instance_path: Path | None = None,
) -> dict[str, Any]:
    """Build and validate the Flask configuration; raise ConfigError when unusable."""
    env = _Reader(os.environ if environ is None else environ)
    profile = env.text("JCICONS_ENV", "local").lower()
    if profile not in PROFILES:
        raise ConfigError([f"JCICONS_ENV must be one of {', '.join(PROFILES)}"])
    production = profile == "production"
    testing = profile == "testing"
    # Flask's CLI switches debug on from FLASK_DEBUG after the app is built, so
    # local and production read the flag here in order to refuse it.
    debug = env.flag("FLASK_DEBUG", profile == "development")
    instance = instance_path or Path(env.text("INSTANCE_PATH", "instance")).resolve()

    config: dict[str, Any] = {
        "JCICONS_ENV": profile,
        "DEBUG": debug and profile in {"development", "local", "production"},
        "TESTING": testing,
        "SECRET_KEY": env.environ.get("SECRET_KEY", ""),
        "ENCRYPTION_KEY": env.environ.get("ENCRYPTION_KEY", ""),
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_uri(
            env.environ.get("DATABASE_URL"), instance
        ),
        "RATELIMIT_STORAGE_URI": env.text("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "SHOP_TIMEZONE": env.text("SHOP_TIMEZONE", "Asia/Manila"),
        "LOG_DIR": env.text("LOG_DIR", "logs"),
        "HOST": env.text("HOST", "127.0.0.1"),
        "PORT": env.integer("PORT", 5000, minimum=1, maximum=65535),
        "WAITRESS_THREADS": env.integer("WAITRESS_THREADS", 8, minimum=1),
        "APP_PROCESSES": env.integer("APP_PROCESSES", 1, minimum=1),
        "TRUSTED_PROXIES": env.integer("TRUSTED_PROXIES", 0),
        "BEHIND_PROXY": env.flag("BEHIND_PROXY", False),
        "PASSWORD_HASH_ITERATIONS": env.integer(
            "PASSWORD_HASH_ITERATIONS",
            1_000 if testing else PASSWORD_HASH_ITERATIONS,
            minimum=1,
        ),
        "SESSION_COOKIE_NAME": "__Host-jcicons" if production else "jcicons",
        "SESSION_COOKIE_SECURE": env.flag("SESSION_COOKIE_SECURE", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": env.text("SESSION_COOKIE_SAMESITE", "Lax").title(),
        "SESSION_COOKIE_PATH": "/",
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=env.integer("SESSION_LIFETIME_HOURS", 168, minimum=1)
        ),
        "SESSION_IDLE_TIMEOUT": timedelta(
            minutes=env.integer("SESSION_IDLE_MINUTES", 480, minimum=1)
        ),
        "HSTS_SECONDS": env.integer(
            "HSTS_SECONDS", 2 * ONE_YEAR_SECONDS if production else 0
        ),
        "CONTENT_SECURITY_POLICY": env.text("CONTENT_SECURITY_POLICY", DEFAULT_CSP),
        "X_FRAME_OPTIONS": "DENY",
        "LOGIN_LIMIT_PER_USERNAME": env.text(
            "LOGIN_LIMIT_PER_USERNAME", "5 per 5 minutes"
        ),
        "LOGIN_LIMIT_PER_IP": env.text("LOGIN_LIMIT_PER_IP", "20 per 5 minutes"),
        "FAILED_LOGIN_ALERT_THRESHOLD": env.integer(
            "FAILED_LOGIN_ALERT_THRESHOLD", 10, minimum=1
        ),
        "MAX_CONTENT_LENGTH": env.integer("MAX_UPLOAD_MB", 16, minimum=1) * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Where customers reach the app from outside the shop (the QR code on the
        # claim stub, links in e-mails); empty: the address staff browse with.
        "PUBLIC_BASE_URL": env.text("PUBLIC_BASE_URL", "").rstrip("/"),
    }
    if overrides:
        config.update(overrides)

    problems = env.problems + _validate(config)
    if problems:
        raise ConfigError(problems)
    return config


def _validate(config: dict[str, Any]) -> list[str]:
    """Return the problems that stop this configuration from starting."""
    problems: list[str] = []
    profile = config["JCICONS_ENV"]
    try:
        ZoneInfo(config["SHOP_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"SHOP_TIMEZONE {config['SHOP_TIMEZONE']!r} is not a time zone")
    if config["SESSION_COOKIE_SAMESITE"] not in {"Lax", "Strict"}:
        problems.append("SESSION_COOKIE_SAMESITE must be Lax or Strict")
    problems += public_base_url_problems(config["PUBLIC_BASE_URL"])

    if profile in {"development", "testing"}:
        if not config["SECRET_KEY"]:
            # A throw-away key: sessions end when the process does, which is fine here.
            config["SECRET_KEY"] = secrets.token_urlsafe(64)
        return problems

    problems += secret_key_problems(config["SECRET_KEY"])
    if config["DEBUG"]:
        # The debugger runs code sent by the browser: never outside development.
        problems.append(f"debug mode must be off in {profile} (unset FLASK_DEBUG)")
    if profile == "production":
        if not config["SESSION_COOKIE_SECURE"]:
            problems.append(
                "production needs HTTPS: SESSION_COOKIE_SECURE cannot be turned off"
            )
        if config["HSTS_SECONDS"] <= 0:
            problems.append("production needs HTTPS: HSTS_SECONDS must be positive")
    return problems
