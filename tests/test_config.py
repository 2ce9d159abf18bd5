"""Settings from the environment: profiles, refusals, database URLs, cookie names."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from jcicons.config import ConfigError, load_config

STRONG_KEY = secrets.token_urlsafe(48)
REPOSITORY = Path(__file__).resolve().parents[1]


def example_secret_key() -> str:
    """Return the placeholder SECRET_KEY written in .env.example."""
    for line in (REPOSITORY / ".env.example").read_text().splitlines():
        if line.startswith("SECRET_KEY="):
            return line.split("=", 1)[1]
    raise AssertionError(".env.example has no SECRET_KEY line")


def load(tmp_path: Path, overrides: dict | None = None, **environ: str) -> dict:
    return load_config(environ, overrides, instance_path=tmp_path / "instance")


def problems_of(tmp_path: Path, overrides: dict | None = None, **environ: str):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, overrides, **environ)
    return caught.value.problems


def test_local_is_the_default_profile(tmp_path):
    config = load(tmp_path, SECRET_KEY=STRONG_KEY)
    assert config["JCICONS_ENV"] == "local"
    assert config["DEBUG"] is False
    assert config["PASSWORD_HASH_ITERATIONS"] == 1_000_000


def test_unknown_profile_is_refused(tmp_path):
    problems = problems_of(tmp_path, JCICONS_ENV="staging", SECRET_KEY=STRONG_KEY)
    assert problems == [
        "JCICONS_ENV must be one of development, local, production, testing"
    ]


@pytest.mark.parametrize(
    ("environ", "overrides", "expected"),
    [
        ({}, None, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "Kx7#pQ2!" * 5}, None, "SECRET_KEY has 40 characters"),
        ({"SECRET_KEY": "abcd" * 20}, None, "fewer than 5 distinct characters"),
        ({"SECRET_KEY": "changeme"}, None, "well-known example value"),
        ({"SECRET_KEY": example_secret_key()}, None, "well-known example value"),
        ({"SECRET_KEY": STRONG_KEY}, {"DEBUG": True}, "debug mode must be off"),
        ({"SECRET_KEY": STRONG_KEY, "FLASK_DEBUG": "1"}, None, "unset FLASK_DEBUG"),
        (
            {"SECRET_KEY": STRONG_KEY, "SESSION_COOKIE_SECURE": "false"},
            None,
            "SESSION_COOKIE_SECURE cannot be turned off",
        ),
        (
            {"SECRET_KEY": STRONG_KEY, "HSTS_SECONDS": "0"},
            None,
            "HSTS_SECONDS must be positive",
        ),
    ],
)
def test_production_refuses_to_start_with_an_unsafe_setting(
    tmp_path, environ, overrides, expected
):
    problems = problems_of(tmp_path, overrides, JCICONS_ENV="production", **environ)
    assert any(expected in problem for problem in problems), problems


def test_production_names_every_problem_at_once(tmp_path):
    problems = problems_of(
        tmp_path,
        JCICONS_ENV="production",
        SECRET_KEY="changeme",
        SESSION_COOKIE_SECURE="off",
        HSTS_SECONDS="0",
    )
    assert len(problems) == 4
    assert " ".join(problems).count("SECRET_KEY") == 2


@pytest.mark.parametrize("key", ["", "changeme", "short-but-varied-1"])
def test_local_refuses_a_weak_secret_key(tmp_path, key):
    problems = problems_of(tmp_path, JCICONS_ENV="local", SECRET_KEY=key)
    assert any("SECRET_KEY" in problem for problem in problems)


@pytest.mark.parametrize("profile", ["development", "testing"])
def test_development_and_testing_make_a_throw_away_key(tmp_path, profile):
    first = load(tmp_path, JCICONS_ENV=profile)["SECRET_KEY"]
    second = load(tmp_path, JCICONS_ENV=profile)["SECRET_KEY"]
    assert len(first) >= 50
    assert first != second


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "SHOP_TIMEZONE",
            "Mars/Olympus_Mons",
            "'Mars/Olympus_Mons' is not a time zone",
        ),
        ("PORT", "eighty", "PORT must be a whole number, not 'eighty'"),
        ("PORT", "0", "PORT must be at least 1"),
        ("PORT", "70000", "PORT must be at most 65535"),
        ("SESSION_COOKIE_SAMESITE", "None", "must be Lax or Strict"),
        ("SESSION_COOKIE_SAMESITE", "sideways", "must be Lax or Strict"),
        ("PUBLIC_BASE_URL", "repairs.jcicons.ph", "must look like https://"),
        ("PUBLIC_BASE_URL", "ftp://jcicons.ph", "must look like https://"),
        ("PUBLIC_BASE_URL", "https://jcicons.ph/?x=1", "must be a plain address"),
        ("PUBLIC_BASE_URL", "https://u:p@jcicons.ph", "must be a plain address"),
    ],
)
def test_a_bad_value_is_refused_with_a_clear_message(tmp_path, name, value, expected):
    problems = problems_of(tmp_path, SECRET_KEY=STRONG_KEY, **{name: value})
    assert len(problems) == 1
    assert expected in problems[0]
    assert name in problems[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://shop:pw@db:5432/jc", "postgresql+psycopg://shop:pw@db:5432/jc"),
        ("postgresql://shop@db/jc", "postgresql+psycopg://shop@db/jc"),
        ("postgresql+psycopg://shop@db/jc", "postgresql+psycopg://shop@db/jc"),
        ("sqlite:////srv/jc.db", "sqlite:////srv/jc.db"),
    ],
)
def test_database_url_prefers_psycopg_3(tmp_path, raw, expected):
    config = load(tmp_path, SECRET_KEY=STRONG_KEY, DATABASE_URL=raw)
    assert config["SQLALCHEMY_DATABASE_URI"] == expected


@pytest.mark.parametrize("environ", [{}, {"DATABASE_URL": ""}])
def test_without_database_url_it_is_sqlite_in_the_instance_folder(tmp_path, environ):
    config = load(tmp_path, SECRET_KEY=STRONG_KEY, **environ)
    expected = f"sqlite:///{tmp_path / 'instance' / 'jcicons.db'}"
    assert config["SQLALCHEMY_DATABASE_URI"] == expected


@pytest.mark.parametrize(
    ("profile", "cookie", "secure", "hsts"),
    [
        ("production", "__Host-jcicons", True, 63_072_000),
        ("local", "jcicons", False, 0),
    ],
)
def test_only_production_marks_the_cookie_secure(
    tmp_path, profile, cookie, secure, hsts
):
    config = load(tmp_path, JCICONS_ENV=profile, SECRET_KEY=STRONG_KEY)
    assert config["SESSION_COOKIE_NAME"] == cookie
    assert config["SESSION_COOKIE_SECURE"] is secure
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["HSTS_SECONDS"] == hsts


def test_overrides_win_over_the_environment(tmp_path):
    config = load(tmp_path, {"PORT": 8080}, SECRET_KEY=STRONG_KEY, PORT="5001")
    assert config["PORT"] == 8080


def test_local_refuses_the_debugger_like_production(tmp_path):
    problems = problems_of(tmp_path, SECRET_KEY=STRONG_KEY, FLASK_DEBUG="1")
    assert problems == ["debug mode must be off in local (unset FLASK_DEBUG)"]


def test_the_public_address_loses_its_trailing_slash(tmp_path):
    config = load_config(
        {
            "JCICONS_ENV": "local",
            "SECRET_KEY": STRONG_KEY,
            "PUBLIC_BASE_URL": "https://repairs.jcicons.ph/",
        },
        instance_path=tmp_path,
    )
    assert config["PUBLIC_BASE_URL"] == "https://repairs.jcicons.ph"


def test_samesite_is_accepted_in_any_letter_case(tmp_path):
    config = load(tmp_path, SECRET_KEY=STRONG_KEY, SESSION_COOKIE_SAMESITE="strict")
    assert config["SESSION_COOKIE_SAMESITE"] == "Strict"


def test_the_instance_folder_is_made_private_and_a_private_one_is_left_alone(
    tmp_path,
):
    import stat

    from jcicons import _private_folder

    new = tmp_path / "new" / "instance"
    _private_folder(new)
    assert stat.S_IMODE(new.stat().st_mode) & 0o027 == 0

    open_to_all = tmp_path / "open"
    open_to_all.mkdir()
    open_to_all.chmod(0o777)
    _private_folder(open_to_all)
    assert stat.S_IMODE(open_to_all.stat().st_mode) == 0o750

    # Already private (as on a read-only system): not touched, so no write is needed.
    private = tmp_path / "private"
    private.mkdir()
    private.chmod(0o700)
    _private_folder(private)
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
