"""Password hashing (PBKDF2-HMAC-SHA256) and the password policy."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from helpers import STRONG_PASSWORD
from jcicons import config
from jcicons.security.passwords import (
    check_password,
    hash_iterations,
    hash_password,
    needs_rehash,
    verify_password,
)

LONG_PASSWORD = ("Sampaguita Jeepney 42 Lumpia " * 5)[:128]


def test_hash_is_pbkdf2_sha256_with_the_configured_iterations(ctx):
    stored = hash_password(STRONG_PASSWORD)
    assert stored.startswith("pbkdf2:sha256:1000$")
    assert hash_iterations(stored) == ctx.config["PASSWORD_HASH_ITERATIONS"] == 1000
    assert verify_password(stored, STRONG_PASSWORD)
    assert not verify_password(stored, STRONG_PASSWORD.lower())


def test_production_hashes_use_one_million_iterations():
    settings = config.load_config(
        environ={"JCICONS_ENV": "production", "SECRET_KEY": "k7#Qz" * 12}
    )
    assert config.PASSWORD_HASH_ITERATIONS == 1_000_000
    assert settings["PASSWORD_HASH_ITERATIONS"] == 1_000_000


def test_a_hundred_character_password_is_never_truncated(ctx):
    password = LONG_PASSWORD[:100]
    stored = hash_password(password)
    assert verify_password(stored, password)
    assert not verify_password(stored, password[:72])
    assert not verify_password(stored, password + "x")


def test_same_password_hashes_differently_each_time(ctx):
    assert hash_password(STRONG_PASSWORD) != hash_password(STRONG_PASSWORD)


def test_missing_hash_never_verifies(ctx):
    assert not verify_password(None, STRONG_PASSWORD)
    assert not verify_password("", "")


@pytest.mark.parametrize(
    ("method", "weaker"),
    [
        ("pbkdf2:sha256:500", True),
        ("pbkdf2:sha256:1000", False),
        ("pbkdf2:sha256:600000", False),
        ("pbkdf2:sha1:1000", True),
        ("scrypt", True),
    ],
)
def test_hash_weaker_than_the_policy_needs_a_rehash(ctx, method, weaker):
    stored = generate_password_hash(STRONG_PASSWORD, method=method)
    assert needs_rehash(stored) is weaker


@pytest.mark.parametrize(
    "password",
    [
        STRONG_PASSWORD,
        "Maligayang Pasko 2024 Ñoño",
        "Ñandú kalye 7 bituin",
        "ÉLAN vital 9 öko Straße",
        LONG_PASSWORD,
    ],
)
def test_strong_passwords_in_any_script_and_with_spaces_pass(password):
    verdict = check_password(password, "maria", "Maria Santos", "JC Icons")
    assert verdict.ok, verdict.problems
    assert verdict.score >= 3


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Ab1-xyz", "Use at least 8 characters (this one has 7)."),
        (LONG_PASSWORD + "x", "Use at most 128 characters."),
        ("sampaguita-jeepney-42", "Add at least one capital letter (A-Z)."),
        ("ANGKAN-BUNDOK-42", "Add at least one small letter (a-z)."),
        ("Sampaguita-Jeepney-Lumpia", "Add at least one digit (0-9)."),
        ("Ilog MARIA 42 Bundok", "Do not put your username in your password."),
    ],
)
def test_each_broken_rule_is_named_with_its_fix(password, why):
    verdict = check_password(password, "maria", "Maria Santos", "JC Icons")
    assert not verdict.ok
    assert why in verdict.problems


@pytest.mark.parametrize(
    "password",
    ["Password1", "Qwerty123", "Jcicons2024", "Icons2024x", "Santos2024!"],
)
def test_guessable_passwords_are_refused_with_advice(password):
    verdict = check_password(password, "maria", "Maria Santos", "JC Icons")
    assert verdict.score < 3
    assert len(verdict.problems) == 1
    assert verdict.problems[0].startswith("This password is too easy to guess.")
    assert "Use a longer phrase of several unrelated words." in verdict.problems[0]


def test_password1_is_refused_even_without_personal_words():
    verdict = check_password("Password1")
    assert not verdict.ok
    assert "This is a very common password." in verdict.problems[0]


def test_verdict_as_json_carries_score_ok_and_problems():
    verdict = check_password("Password1", "maria")
    assert verdict.as_dict() == {
        "ok": False,
        "score": verdict.score,
        "problems": verdict.problems,
        "warning": "This is a very common password.",
        "suggestions": verdict.suggestions,
    }
