"""Two real app processes share one login throttle through Redis.

Each process is `jcicons serve` on its own port, with the same SECRET_KEY, database
and RATELIMIT_STORAGE_URI as the test session, so the counts live in Redis and not
in either process. The database is the session's PostgreSQL one when
TEST_DATABASE_URL is set (its tables already exist), else a migrated SQLite file.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
import requests

from helpers import STRONG_PASSWORD, TEST_DATABASE_URL, needs_redis

pytestmark = pytest.mark.redis

JCICONS = str(Path(sys.executable).with_name("jcicons"))
STARTUP_SECONDS = 60
WRONG_PASSWORD = "Not-The-Right-One-99"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _jcicons(env: dict[str, str], folder: Path, *args: str) -> None:
    """Run a `jcicons` command like an operator would; fail with its output."""
    done = subprocess.run(
        [JCICONS, *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"jcicons {' '.join(args)}:\n{done.stderr}"


@dataclass
class AppProcess:
    """One `jcicons serve` process and the file its output goes to."""

    process: subprocess.Popen[bytes]
    output: IO[bytes]
    log_path: Path
    url: str

    def wait_until_healthy(self) -> None:
        """Poll /health until it answers 200, the process dies or time runs out."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.url} exited:\n{self.log_path.read_text()}")
            try:
                if requests.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        pytest.fail(f"{self.url} did not answer in time:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        """End the process (it is ours) and close its output file."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()


def _start(env: dict[str, str], folder: Path, name: str) -> AppProcess:
    port = _free_port()
    log_path = folder / f"{name}.out"
    output = log_path.open("wb")
    process = subprocess.Popen(
        [JCICONS, "serve", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    return AppProcess(process, output, log_path, f"http://127.0.0.1:{port}")


@pytest.fixture(scope="module")
def process_env(app, tmp_path_factory) -> tuple[dict[str, str], Path]:
    """The environment both app processes (and the CLI) run with, and their folder."""
    storage = needs_redis()
    folder = tmp_path_factory.mktemp("processes")
    env = {
        **os.environ,
        "JCICONS_ENV": "testing",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": TEST_DATABASE_URL or f"sqlite:///{folder / 'shared.db'}",
        "LOG_DIR": str(folder / "logs"),
        "INSTANCE_PATH": str(folder / "instance"),
        "RATELIMIT_STORAGE_URI": storage,
        "HOST": "127.0.0.1",
    }
    if not TEST_DATABASE_URL:
        _jcicons(env, folder, "db", "upgrade")
    return env, folder


@pytest.fixture(scope="module")
def app_urls(process_env) -> Iterator[tuple[str, str]]:
    """Start two app processes on one database and one Redis; stop them after."""
    env, folder = process_env
    started: list[AppProcess] = []
    try:
        for name in ("a", "b"):
            started.append(_start(env, folder, name))
        for app_process in started:
            app_process.wait_until_healthy()
        yield started[0].url, started[1].url
    finally:
        for app_process in started:
            app_process.stop()


@pytest.fixture
def username(process_env) -> str:
    """A SALES user made with `jcicons users create`, new for each test."""
    env, folder = process_env
    name = f"cashier_{secrets.token_hex(4)}"
    create = ["users", "create", "--username", name, "--role", "SALES"]
    _jcicons(env, folder, *create, "--password", STRONG_PASSWORD)
    return name


class Visitor:
    """A browser-like visitor of one app process, with its own cookies."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def sign_in(self, username: str, password: str) -> requests.Response:
        """Open the sign-in page for its CSRF token, then send the form."""
        page = self.http.get(f"{self.url}/auth/login", timeout=10)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert token, page.text
        return self.http.post(
            f"{self.url}/auth/login",
            data={"username": username, "password": password, "csrf_token": token[1]},
            allow_redirects=False,
            timeout=10,
        )

    def fail(self, username: str, times: int) -> None:
        """Sign in with a wrong password `times` times, each refused as wrong."""
        for _ in range(times):
            response = self.sign_in(username, WRONG_PASSWORD)
            assert response.status_code == 422
            assert "The username or password is not right." in response.text


def test_failures_on_two_processes_add_up_to_one_lockout(app_urls, username):
    first, second = Visitor(app_urls[0]), Visitor(app_urls[1])
    first.fail(username, 3)
    second.fail(username, 2)

    for visitor in (first, second):
        refused = visitor.sign_in(username, STRONG_PASSWORD)
        assert refused.status_code == 429
        assert "Too many attempts" in refused.text


def test_sign_in_on_one_process_clears_the_count_the_other_sees(app_urls, username):
    first, second = Visitor(app_urls[0]), Visitor(app_urls[1])
    first.fail(username, 2)
    second.fail(username, 2)
    assert first.sign_in(username, STRONG_PASSWORD).status_code == 302

    second.fail(username, 4)
    signed_in = second.sign_in(username, STRONG_PASSWORD)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/"
