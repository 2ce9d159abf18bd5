"""The benchmark's server process and its clients: serve, sign in, measure."""

from __future__ import annotations

import http.client
import itertools
import math
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import IO
from urllib.parse import urlencode

import click

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Page:
    """A page to measure; the path may name any target the data set provides
    ({product_id}, {sku}, {serial}, {ticket_id}, ...)."""

    label: str
    path: str


@dataclass
class Result:
    """The measurements of one page."""

    page: Page
    path: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    skipped: str = ""

    def percentile(self, fraction: float) -> float:
        """Return a latency percentile in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        rank = max(math.ceil(fraction * len(ordered)), 1)
        return ordered[rank - 1] * 1000

    @property
    def per_second(self) -> float:
        """Return how many requests were answered per second, all clients together."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def successes_per_second(self) -> float:
        """Return how many requests succeeded per second, all clients together."""
        done = len(self.latencies) - self.errors
        return done / self.seconds if self.seconds else 0.0


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(
    environ: Mapping[str, str], port: int, threads: int, log: IO[bytes]
) -> subprocess.Popen[bytes]:
    """Start `jcicons serve` in its own process and wait until it answers."""
    command = [
        sys.executable,
        "-c",
        "from jcicons.cli import main; main()",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
    ]
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command,
        env={**environ, "WAITRESS_THREADS": str(threads)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise click.ClickException(
                f"the benchmark server stopped (exit {server.returncode}); "
                f"see {log.name}"
            )
        try:
            status, _, _ = request(connect(port), "/health")
        except OSError:
            status = 0
        if status == 200:
            return server
        time.sleep(0.3)
    stop_server(server)
    raise click.ClickException(f"the benchmark server did not start; see {log.name}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the server process this command started."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=15)


def connect(port: int) -> http.client.HTTPConnection:
    """Return a keep-alive connection to the benchmark server."""
    return http.client.HTTPConnection(HOST, port, timeout=120)


def request(
    connection: http.client.HTTPConnection,
    path: str,
    cookie: str = "",
    method: str = "GET",
    body: str | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Send one request; return the status, headers and body."""
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.headers, response.read()


def _cookies(headers: http.client.HTTPMessage, jar: dict[str, str]) -> None:
    for header in headers.get_all("Set-Cookie") or []:
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = morsel.value


def _jar(cookie: str) -> dict[str, str]:
    jar = {}
    for part in cookie.split("; "):
        name, _, value = part.partition("=")
        if name:
            jar[name] = value
    return jar


def form_session(port: int, cookie: str, path: str) -> tuple[str, str]:
    """Open a form page as the signed-in user; return the cookie and CSRF token.

    The page may put a fresh CSRF secret in the session, so the returned Cookie
    header carries whatever the page set.
    """
    connection = connect(port)
    status, headers, body = request(connection, path, cookie)
    connection.close()
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    if status != 200 or token is None:
        raise click.ClickException(f"{path} did not offer a form ({status})")
    jar = _jar(cookie)
    _cookies(headers, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items()), token[1].decode()


def checkout_body(fields: Mapping[str, str], csrf_token: str) -> str:
    """Return one checkout form with a fresh idempotency key, so each is a new sale."""
    key = secrets.token_urlsafe(16)
    return urlencode({**fields, "idempotency_key": key, "csrf_token": csrf_token})


def sign_in(port: int, username: str, password: str) -> str:
    """Sign in through the real form; return the Cookie header of the session."""
    connection = connect(port)
    jar: dict[str, str] = {}
    status, headers, body = request(connection, "/auth/login")
    _cookies(headers, jar)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    if status != 200 or token is None:
        raise click.ClickException("the sign-in page did not offer a form")
    form = urlencode(
        {"username": username, "password": password, "csrf_token": token[1].decode()}
    )
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, _ = request(connection, "/auth/login", cookie, "POST", form)
    _cookies(headers, jar)
    connection.close()
    if status != 302:
        raise click.ClickException(f"signing in as {username} failed ({status})")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def measure(
    port: int, cookie: str, page: Page, path: str, total: int, concurrency: int
) -> Result:
    """Request a page `total` times from `concurrency` clients at once."""
    result = Result(page, path)
    probe = connect(port)
    status, headers, _ = request(probe, path, cookie)
    probe.close()
    if status == 404:
        result.skipped = "404"
        return result
    if status in {301, 302, 303} and "/auth/login" in (headers["Location"] or ""):
        raise click.ClickException(f"{path} sent the bench ADMIN to the sign-in page")

    def attempt(connection: http.client.HTTPConnection) -> bool:
        status, _, _ = request(connection, path, cookie)
        return status == 200

    return _run_clients(port, result, total, concurrency, attempt)


def measure_checkout(
    port: int,
    cookie: str,
    page: Page,
    fields: Mapping[str, str],
    total: int,
    concurrency: int,
) -> Result:
    """Complete `total` sales through the counter's form from `concurrency` clients.

    Every form carries a fresh idempotency key; only a redirect to the receipt
    (302) counts as a sale, anything else as an error.
    """
    cookie, csrf_token = form_session(port, cookie, "/pos/")

    def attempt(connection: http.client.HTTPConnection) -> bool:
        body = checkout_body(fields, csrf_token)
        status, headers, _ = request(connection, page.path, cookie, "POST", body)
        return status == 302 and "/receipt" in (headers["Location"] or "")

    return _run_clients(port, Result(page, page.path), total, concurrency, attempt)


def _run_clients(
    port: int,
    result: Result,
    total: int,
    concurrency: int,
    attempt: Callable[[http.client.HTTPConnection], bool],
) -> Result:
    """Share `total` attempts among `concurrency` clients; time each one."""
    tickets = itertools.count()
    lock = threading.Lock()

    def client() -> None:
        connection = connect(port)
        while next(tickets) < total:
            started = time.perf_counter()
            try:
                ok = attempt(connection)
            except (http.client.HTTPException, OSError):
                connection.close()
                connection = connect(port)
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                result.latencies.append(elapsed)
                result.errors += not ok
        connection.close()

    clients = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result
