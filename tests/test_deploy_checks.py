"""`jcicons check-deploy`: every check passes on a good production configuration,
and each one fails, naming its setting, when only that setting is broken."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from jcicons.config import load_config
from jcicons.deploy_checks import run_deploy_checks
from jcicons.extensions import db
from jcicons.settings.models import Setting
from jcicons.settings.services import REQUIRE_ADMIN_TWO_FACTOR

ALL_CODES = [f"jc.W{n:03d}" for n in range(1, 16)]


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    """A private log directory holding a private security log."""
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o750)
    folder.chmod(0o750)
    (folder / "security.log").touch(mode=0o640)
    (folder / "security.log").chmod(0o640)
    return folder


@pytest.fixture
def good_config(tmp_path: Path, log_dir: Path) -> dict:
    """A production configuration that passes every check."""
    environ = {
        "JCICONS_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "LOG_DIR": str(log_dir),
    }
    return load_config(environ, instance_path=tmp_path / "instance")


def failures(config, two_factor: bool | None = True) -> dict[str, str]:
    results = run_deploy_checks(config, two_factor)
    return {result.code: result.message for result in results if not result.passed}


def test_good_production_configuration_passes_every_check(good_config):
    results = run_deploy_checks(good_config, True)
    assert [result.code for result in results] == ALL_CODES
    assert [result for result in results if not result.passed] == []


@pytest.mark.parametrize(
    ("broken", "code", "named"),
    [
        ({"DEBUG": True}, "jc.W001", "debug mode is on"),
        ({"TESTING": True}, "jc.W001", "TESTING"),
        ({"JCICONS_ENV": "development"}, "jc.W001", "JCICONS_ENV is 'development'"),
        ({"SECRET_KEY": ""}, "jc.W002", "SECRET_KEY is not set"),
        ({"SECRET_KEY": "Kx7#pQ2!" * 4}, "jc.W002", "SECRET_KEY has 32 characters"),
        ({"SECRET_KEY": "abcd" * 20}, "jc.W002", "fewer than 5 distinct"),
        ({"SESSION_COOKIE_SECURE": False}, "jc.W003", "SESSION_COOKIE_SECURE"),
        ({"SESSION_COOKIE_HTTPONLY": False}, "jc.W004", "SESSION_COOKIE_HTTPONLY"),
        ({"SESSION_COOKIE_SAMESITE": None}, "jc.W005", "SESSION_COOKIE_SAMESITE"),
        ({"SESSION_COOKIE_SAMESITE": "None"}, "jc.W005", "SESSION_COOKIE_SAMESITE"),
        ({"SESSION_COOKIE_NAME": "jcicons"}, "jc.W006", "SESSION_COOKIE_NAME"),
        ({"SESSION_COOKIE_PATH": "/shop"}, "jc.W006", "SESSION_COOKIE_PATH"),
        ({"SESSION_COOKIE_DOMAIN": "jc.example"}, "jc.W006", "SESSION_COOKIE_DOMAIN"),
        ({"HSTS_SECONDS": 31_535_999}, "jc.W007", "HSTS_SECONDS is 31535999"),
        ({"HSTS_SECONDS": 0}, "jc.W007", "HSTS_SECONDS is 0"),
        (
            {"CONTENT_SECURITY_POLICY": "default-src 'self' 'unsafe-inline'"},
            "jc.W008",
            "CONTENT_SECURITY_POLICY allows 'unsafe-inline'",
        ),
        (
            {"CONTENT_SECURITY_POLICY": "script-src 'self' 'unsafe-eval'"},
            "jc.W008",
            "CONTENT_SECURITY_POLICY allows 'unsafe-eval'",
        ),
        ({"X_FRAME_OPTIONS": "SAMEORIGIN"}, "jc.W009", "X_FRAME_OPTIONS"),
        ({"APP_PROCESSES": 3}, "jc.W010", "RATELIMIT_STORAGE_URI"),
        ({"PASSWORD_HASH_ITERATIONS": 599_999}, "jc.W011", "PASSWORD_HASH_ITERATIONS"),
        ({"BEHIND_PROXY": True}, "jc.W012", "TRUSTED_PROXIES is unset"),
        ({"TRUSTED_PROXIES": 1}, "jc.W012", "TRUSTED_PROXIES is 1 without a proxy"),
        ({"ENCRYPTION_KEY": ""}, "jc.W015", "ENCRYPTION_KEY is unset"),
    ],
)
def test_each_check_fails_alone_on_its_broken_setting(good_config, broken, code, named):
    found = failures({**good_config, **broken})
    assert list(found) == [code]
    assert named in found[code]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [(False, "two-factor sign-in is not required"), (None, "could not read")],
)
def test_admin_two_factor_check_fails_alone(good_config, setting, expected):
    found = failures(good_config, setting)
    assert list(found) == ["jc.W014"]
    assert expected in found["jc.W014"]


@pytest.mark.parametrize(
    ("name", "mode", "advice"),
    [
        (".", 0o755, "mode 755; use chmod 750"),
        (".", 0o777, "mode 777; use chmod 750"),
        ("security.log", 0o644, "mode 644; use chmod 640"),
        ("security.log", 0o660, "mode 660; use chmod 640"),
    ],
)
def test_log_permissions_check_fails_alone_when_too_open(
    good_config, log_dir, name, mode, advice
):
    target = (log_dir / name).resolve()
    target.chmod(mode)
    found = failures(good_config)
    assert list(found) == ["jc.W013"]
    assert f"{target if name != '.' else log_dir} has {advice}" in found["jc.W013"]


def test_several_broken_settings_fail_several_checks(good_config):
    broken = {**good_config, "DEBUG": True, "HSTS_SECONDS": 0, "ENCRYPTION_KEY": ""}
    assert sorted(failures(broken, False)) == [
        "jc.W001",
        "jc.W007",
        "jc.W014",
        "jc.W015",
    ]


@pytest.fixture
def production_app(make_app, app):
    """A production app on the test database, with ADMIN two-factor required."""
    production = make_app(
        {
            "JCICONS_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        }
    )
    with app.app_context():
        db.session.add(Setting(key=REQUIRE_ADMIN_TWO_FACTOR, value=True))
        db.session.commit()
    return production


def test_check_deploy_command_exits_0_when_every_check_passes(production_app):
    result = production_app.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    assert "All 15 checks passed." in result.output


def test_check_deploy_command_exits_1_and_names_each_failure(make_app):
    local = make_app({"JCICONS_ENV": "local", "SECRET_KEY": secrets.token_urlsafe(48)})
    result = local.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 1
    failed = [line.split()[1] for line in result.output.splitlines() if "FAIL" in line]
    assert failed == ["jc.W003", "jc.W006", "jc.W007", "jc.W014", "jc.W015"]
    assert "5 of 15 checks failed." in result.output
