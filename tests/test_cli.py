"""The `jcicons` command: users, the first ADMIN, .env set-up and `make run`'s steps."""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from helpers import STRONG_PASSWORD, login
from jcicons.auth.models import User
from jcicons.cli import generate_secret_key, init_env
from jcicons.config import secret_key_problems
from jcicons.extensions import db

JCICONS = Path(sys.executable).with_name("jcicons")
ONE_TIME = re.compile(r"[A-Za-z0-9]{5}(?:-[A-Za-z0-9]{5}){3}")


def get_user(app, username: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge_all()
        return user


def count_users(app) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(User)) or 0)


def create(runner, *args: str, **kwargs):
    return runner.invoke(args=["users", "create", *args], **kwargs)


def test_users_create_makes_an_account_that_can_sign_in(app, runner, client):
    result = create(
        runner, "--username", "Maria", "--role", "sales", "--password", STRONG_PASSWORD
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Created maria (SALES).\n"
    assert get_user(app, "maria").role == "SALES"
    assert login(client, "maria", STRONG_PASSWORD).status_code == 302


def test_users_create_prompts_for_the_password_twice(app, runner):
    typed = f"{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n"
    result = create(runner, "--username", "jun", "--role", "TECH", input=typed)
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1
    assert "Repeat for confirmation" in result.output
    assert STRONG_PASSWORD not in result.output
    assert get_user(app, "jun").role == "TECH"


def test_users_create_refuses_a_confirmation_that_differs(app, runner):
    typed = f"{STRONG_PASSWORD}\nSomething-Else-Entirely-9\n"
    result = create(runner, "--username", "jun", "--role", "TECH", input=typed)
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert count_users(app) == 0


@pytest.mark.parametrize(
    ("username", "role", "password", "message"),
    [
        ("ana", "ADMIN", "password1", "This is a very common password."),
        ("a b", "SALES", STRONG_PASSWORD, "A username is 3 to 32 letters"),
        ("ana", "OWNER", STRONG_PASSWORD, "'OWNER' is not one of"),
    ],
)
def test_users_create_refuses_bad_input_and_stores_nothing(
    app, runner, username, role, password, message
):
    result = create(
        runner, "--username", username, "--role", role, "--password", password
    )
    assert result.exit_code != 0
    assert message in result.output
    assert count_users(app) == 0


def test_users_create_refuses_a_taken_username(runner, make_user):
    make_user("SALES", username="ana")
    result = create(
        runner, "--username", "ANA", "--role", "TECH", "--password", STRONG_PASSWORD
    )
    assert result.exit_code == 1
    assert "That username is taken." in result.output


def test_reset_password_prints_a_one_time_password_and_ends_sessions(
    app, runner, client, login_as
):
    account = login_as("SALES")
    result = runner.invoke(args=["users", "reset-password", account.username])
    assert result.exit_code == 0, result.output
    (one_time,) = ONE_TIME.findall(result.output)
    assert result.output.count(one_time) == 1
    assert get_user(app, account.username).must_change_password is True

    assert client.get("/").headers["Location"].startswith("/auth/login")
    assert login(client, account.username, account.password).status_code == 422
    assert login(client, account.username, one_time).status_code == 302
    assert client.get("/").headers["Location"] == "/account/password"


def test_account_changes_on_the_command_line_are_in_the_audit_and_security_log(
    app, runner, make_user
):
    from sqlalchemy import select

    from jcicons.audit.models import AuditEvent, SecurityEvent
    from jcicons.extensions import db

    account = make_user("SALES")
    runner.invoke(args=["users", "reset-password", account.username])
    runner.invoke(args=["users", "deactivate", account.username])

    with app.app_context():
        audit = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_id).order_by(AuditEvent.id)
        ).all()
        events = db.session.execute(
            select(SecurityEvent.event, SecurityEvent.username).order_by(
                SecurityEvent.id
            )
        ).all()
    assert ("user.password_reset", None) in audit  # the system, not the user
    assert [tuple(row) for row in events][-2:] == [
        ("password_reset", "(command line)"),
        ("user_deactivated", "(command line)"),
    ]


def test_reset_password_of_an_unknown_user_fails(runner):
    result = runner.invoke(args=["users", "reset-password", "nobody"])
    assert result.exit_code == 1
    assert "no user named 'nobody'" in result.output


def test_deactivate_ends_the_sessions_of_the_user(app, runner, client, login_as):
    account = login_as("TECH")
    result = runner.invoke(args=["users", "deactivate", account.username])
    assert result.exit_code == 0, result.output
    assert f"{account.username} is deactivated; 1 session(s) ended." in result.output
    assert get_user(app, account.username).is_active is False
    assert client.get("/").headers["Location"].startswith("/auth/login")


def test_deactivate_refuses_the_last_active_admin(app, runner, make_user):
    make_user("ADMIN", username="owner")
    make_user("ADMIN", username="former", active=False)
    result = runner.invoke(args=["users", "deactivate", "owner"])
    assert result.exit_code == 1
    assert "the last active ADMIN cannot be deactivated" in result.output
    assert get_user(app, "owner").is_active is True


def test_deactivate_allows_an_admin_when_another_remains(app, runner, make_user):
    make_user("ADMIN", username="owner")
    make_user("ADMIN", username="manager")
    result = runner.invoke(args=["users", "deactivate", "manager"])
    assert result.exit_code == 0, result.output
    assert get_user(app, "manager").is_active is False


def test_ensure_admin_prints_a_generated_password_once(
    app, runner, client, monkeypatch
):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    result = runner.invoke(args=["users", "ensure-admin"])
    assert result.exit_code == 0, result.output
    (one_time,) = ONE_TIME.findall(result.output)
    assert result.output.count(one_time) == 1
    admin = get_user(app, "admin")
    assert (admin.role, admin.must_change_password) == ("ADMIN", True)
    assert login(client, "admin", one_time).status_code == 302


def test_ensure_admin_uses_admin_password_when_set(app, runner, client, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", STRONG_PASSWORD)
    result = runner.invoke(args=["users", "ensure-admin"])
    assert result.exit_code == 0, result.output
    assert "password from ADMIN_PASSWORD" in result.output
    assert STRONG_PASSWORD not in result.output
    assert login(client, "admin", STRONG_PASSWORD).status_code == 302


def test_ensure_admin_refuses_a_weak_admin_password_with_the_reason(
    app, runner, monkeypatch
):
    monkeypatch.setenv("ADMIN_PASSWORD", "admin123")
    result = runner.invoke(args=["users", "ensure-admin"])
    assert result.exit_code == 1
    assert "ADMIN_PASSWORD is not accepted:" in result.output
    assert len(result.output.split("not accepted:", 1)[1].strip()) > 10
    assert count_users(app) == 0


@pytest.mark.parametrize("existing_role", ["ADMIN", "SALES"])
def test_ensure_admin_does_nothing_once_users_exist(
    app, runner, make_user, monkeypatch, existing_role
):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    make_user(existing_role)
    result = runner.invoke(args=["users", "ensure-admin"])
    assert result.exit_code == 0
    assert result.output == ""
    assert count_users(app) == 1


def env_values(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_init_env_writes_both_keys_to_a_new_private_file(tmp_path):
    path = tmp_path / ".env"
    result = CliRunner().invoke(init_env, ["--path", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = env_values(path)
    assert secret_key_problems(values["SECRET_KEY"]) == []
    assert Fernet(values["ENCRYPTION_KEY"])  # raises for a malformed key


def test_init_env_keeps_existing_values_and_adds_only_what_is_missing(tmp_path):
    path = tmp_path / ".env"
    path.write_text("# shop settings\nSECRET_KEY=kept-as-it-was\nPORT=8080")
    result = CliRunner().invoke(init_env, ["--path", str(path)])
    assert result.output == f"Wrote ENCRYPTION_KEY to {path}.\n"
    text = path.read_text()
    assert text.startswith("# shop settings\nSECRET_KEY=kept-as-it-was\nPORT=8080\n")
    assert list(env_values(path)) == ["SECRET_KEY", "PORT", "ENCRYPTION_KEY"]


def test_init_env_fills_keys_left_empty_as_in_env_example(tmp_path):
    path = tmp_path / ".env"
    path.write_text("SECRET_KEY=\nENCRYPTION_KEY=\nPORT=5000\n")
    CliRunner().invoke(init_env, ["--path", str(path)])
    values = env_values(path)
    assert list(values) == ["SECRET_KEY", "ENCRYPTION_KEY", "PORT"]
    assert secret_key_problems(values["SECRET_KEY"]) == []
    assert values["ENCRYPTION_KEY"]


def test_init_env_replaces_the_placeholders_of_a_copied_env_example(tmp_path):
    example = Path(__file__).resolve().parents[1] / ".env.example"
    path = tmp_path / ".env"
    path.write_text(example.read_text())
    result = CliRunner().invoke(init_env, ["--path", str(path)])
    assert result.output == f"Wrote SECRET_KEY, ENCRYPTION_KEY to {path}.\n"
    values = env_values(path)
    assert secret_key_problems(values["SECRET_KEY"]) == []
    assert values["ENCRYPTION_KEY"]
    assert len(path.read_text().splitlines()) == len(example.read_text().splitlines())


def test_init_env_leaves_a_complete_file_alone(tmp_path):
    path = tmp_path / ".env"
    path.write_text("SECRET_KEY=one\nENCRYPTION_KEY=two\n")
    result = CliRunner().invoke(init_env, ["--path", str(path)])
    assert "already has SECRET_KEY and ENCRYPTION_KEY" in result.output
    assert path.read_text() == "SECRET_KEY=one\nENCRYPTION_KEY=two\n"


def test_init_env_makes_an_existing_file_private_when_it_adds_a_key(tmp_path):
    path = tmp_path / ".env"
    path.write_text("PORT=5000\n")
    path.chmod(0o644)
    CliRunner().invoke(init_env, ["--path", str(path)])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_generate_secret_key_prints_a_new_strong_key_each_time():
    first = CliRunner().invoke(generate_secret_key).output.strip()
    second = CliRunner().invoke(generate_secret_key).output.strip()
    assert secret_key_problems(first) == []
    assert first != second


def run_jcicons(
    folder: Path, *args: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    """Run the installed command as `make run` does: a clean environment."""
    environ = {"PATH": os.environ["PATH"], "HOME": str(folder), **extra}
    return subprocess.run(
        [str(JCICONS), *args],
        cwd=folder,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_make_run_steps_work_on_a_fresh_machine(tmp_path):
    for step in (["init-env"], ["db", "upgrade"]):
        done = run_jcicons(tmp_path, *step)
        assert done.returncode == 0, done.stderr
    first = run_jcicons(tmp_path, "users", "ensure-admin")
    again = run_jcicons(tmp_path, "users", "ensure-admin")

    assert first.returncode == 0, first.stderr
    assert len(ONE_TIME.findall(first.stdout)) == 1
    assert (again.returncode, again.stdout) == (0, "")
    with sqlite3.connect(tmp_path / "instance" / "jcicons.db") as connection:
        rows = connection.execute(
            "SELECT username, role, must_change_password FROM users"
        ).fetchall()
    assert rows == [("admin", "ADMIN", 1)]
    assert stat.S_IMODE((tmp_path / "logs").stat().st_mode) == 0o750


def test_production_with_flask_debug_refuses_to_start(tmp_path):
    done = run_jcicons(
        tmp_path,
        "check-deploy",
        JCICONS_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        FLASK_DEBUG="1",
    )
    assert done.returncode == 2
    assert "debug mode must be off in production (unset FLASK_DEBUG)" in done.stderr
