"""Checks of a production configuration, in the spirit of `manage.py check --deploy`.

Each check has a code, returns the problems it finds (each naming the setting to
change), and passes when there are none. `jcicons check-deploy` runs them all and
exits 0 only when every one passes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jcicons.config import (
    ONE_YEAR_SECONDS,
    PASSWORD_HASH_ITERATIONS,
    secret_key_problems,
)

MIN_ITERATIONS = 600_000

Config = Mapping[str, Any]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: its code, whether it passed, and what to do."""

    code: str
    passed: bool
    message: str


def _debug(config: Config) -> list[str]:
    problems = []
    if config.get("DEBUG"):
        problems.append("debug mode is on (unset FLASK_DEBUG)")
    if config.get("TESTING"):
        problems.append("TESTING is on: it relaxes protections (use production)")
    profile = config.get("JCICONS_ENV")
    if profile in {"development", "testing"}:
        problems.append(f"JCICONS_ENV is {profile!r}; use production")
    return problems


def _secret_key(config: Config) -> list[str]:
    return secret_key_problems(config.get("SECRET_KEY"))


def _cookie_secure(config: Config) -> list[str]:
    if config.get("SESSION_COOKIE_SECURE"):
        return []
    return [
        "SESSION_COOKIE_SECURE is off: the session cookie would travel over plain "
        "HTTP (JCICONS_ENV=production behind HTTPS)"
    ]


def _cookie_httponly(config: Config) -> list[str]:
    if config.get("SESSION_COOKIE_HTTPONLY"):
        return []
    return ["SESSION_COOKIE_HTTPONLY is off: JavaScript could read the session"]


def _cookie_samesite(config: Config) -> list[str]:
    if config.get("SESSION_COOKIE_SAMESITE") in {"Lax", "Strict"}:
        return []
    value = config.get("SESSION_COOKIE_SAMESITE")
    return [f"SESSION_COOKIE_SAMESITE is {value!r}; use Lax or Strict"]


def _cookie_host_prefix(config: Config) -> list[str]:
    name = str(config.get("SESSION_COOKIE_NAME", ""))
    if not name.startswith("__Host-"):
        return [
            f"SESSION_COOKIE_NAME {name!r} lacks the __Host- prefix "
            "(production sets it)"
        ]
    if config.get("SESSION_COOKIE_PATH", "/") != "/" or config.get(
        "SESSION_COOKIE_DOMAIN"
    ):
        return [
            "a __Host- cookie needs SESSION_COOKIE_PATH / and no SESSION_COOKIE_DOMAIN"
        ]
    return []


def _hsts(config: Config) -> list[str]:
    seconds = int(config.get("HSTS_SECONDS") or 0)
    if seconds >= ONE_YEAR_SECONDS:
        return []
    return [f"HSTS_SECONDS is {seconds}; use at least {ONE_YEAR_SECONDS} (one year)"]


def _csp(config: Config) -> list[str]:
    policy = str(config.get("CONTENT_SECURITY_POLICY", ""))
    if not policy:
        return ["CONTENT_SECURITY_POLICY is empty"]
    return [
        f"CONTENT_SECURITY_POLICY allows {word}"
        for word in ("'unsafe-inline'", "'unsafe-eval'")
        if word in policy
    ]


def _frame_options(config: Config) -> list[str]:
    value = config.get("X_FRAME_OPTIONS")
    if value == "DENY":
        return []
    return [f"X_FRAME_OPTIONS is {value!r}; X-Frame-Options must be DENY"]


def _rate_limit_storage(config: Config) -> list[str]:
    storage = str(config.get("RATELIMIT_STORAGE_URI", "memory://"))
    processes = int(config.get("APP_PROCESSES") or 1)
    if storage.startswith("memory://") and processes > 1:
        return [
            f"rate limits are kept in memory:// but APP_PROCESSES is {processes}; "
            "point RATELIMIT_STORAGE_URI at Redis so processes share one count"
        ]
    return []


def _iterations(config: Config) -> list[str]:
    iterations = int(config.get("PASSWORD_HASH_ITERATIONS") or 0)
    if iterations >= MIN_ITERATIONS:
        return []
    return [
        f"PASSWORD_HASH_ITERATIONS is {iterations}: PBKDF2 needs at least "
        f"{MIN_ITERATIONS} "
        f"(default {PASSWORD_HASH_ITERATIONS})"
    ]


def _proxies(config: Config) -> list[str]:
    proxies = int(config.get("TRUSTED_PROXIES") or 0)
    behind = bool(config.get("BEHIND_PROXY"))
    if behind and proxies == 0:
        return [
            "BEHIND_PROXY is on but TRUSTED_PROXIES is unset: every client appears "
            "with the proxy's address"
        ]
    if proxies and not behind:
        return [
            f"TRUSTED_PROXIES is {proxies} without a proxy: clients could choose "
            "their own address with X-Forwarded-For"
        ]
    return []


def _mode_problem(path: Path, too_open: int, advice: str) -> list[str]:
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return []
    if mode & too_open:
        return [f"{path} has mode {mode:o}; {advice}"]
    return []


def _log_dir(config: Config) -> list[str]:
    log_dir = Path(str(config.get("LOG_DIR", "logs")))
    return _mode_problem(log_dir, 0o027, "use chmod 750") + _mode_problem(
        log_dir / "security.log", 0o137, "use chmod 640"
    )


def _encryption_key(config: Config) -> list[str]:
    if config.get("ENCRYPTION_KEY"):
        return []
    return [
        "ENCRYPTION_KEY is unset: encrypted fields use a key derived from "
        "SECRET_KEY, so rotating SECRET_KEY would lose them (jcicons init-env)"
    ]


CHECKS: list[tuple[str, str, Callable[[Config], list[str]]]] = [
    ("jc.W001", "debug and testing are off", _debug),
    ("jc.W002", "SECRET_KEY is long and random", _secret_key),
    ("jc.W003", "session cookie is Secure", _cookie_secure),
    ("jc.W004", "session cookie is HttpOnly", _cookie_httponly),
    ("jc.W005", "session cookie is SameSite", _cookie_samesite),
    ("jc.W006", "session cookie uses the __Host- prefix", _cookie_host_prefix),
    ("jc.W007", "HSTS lasts at least a year", _hsts),
    ("jc.W008", "CSP has no unsafe-inline or unsafe-eval", _csp),
    ("jc.W009", "X-Frame-Options is DENY", _frame_options),
    ("jc.W010", "rate-limit storage fits the number of processes", _rate_limit_storage),
    ("jc.W011", "PBKDF2 iterations meet OWASP's minimum", _iterations),
    ("jc.W012", "proxy settings agree", _proxies),
    ("jc.W013", "log directory and security log are private", _log_dir),
    ("jc.W015", "ENCRYPTION_KEY is set", _encryption_key),
]


def run_deploy_checks(
    config: Config, admin_two_factor_required: bool | None
) -> list[CheckResult]:
    """Return one result per check of a production configuration.

    `admin_two_factor_required` is the shop setting from the database, or None
    when it could not be read.
    """
    results = []
    for code, ok_message, check in CHECKS:
        problems = check(config)
        if problems:
            results.append(CheckResult(code, False, "; ".join(problems)))
        else:
            results.append(CheckResult(code, True, ok_message))

    if admin_two_factor_required is None:
        results.append(
            CheckResult(
                "jc.W014", False, "could not read the setting from the database"
            )
        )
    elif not admin_two_factor_required:
        results.append(
            CheckResult(
                "jc.W014",
                False,
                "two-factor sign-in is not required for ADMIN accounts "
                "(Admin > Settings)",
            )
        )
    else:
        results.append(
            CheckResult("jc.W014", True, "ADMIN accounts need two-factor sign-in")
        )
    return sorted(results, key=lambda result: result.code)
