"""A real SMTP server on a free local port (aiosmtpd), and saved mail settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from jcicons.auth.models import User
from jcicons.extensions import db
from jcicons.mail.services import save_smtp_settings
from mail.smtp_helpers import SENDER, SmtpServer, authenticate, free_port


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Run an SMTP server that keeps what it receives, for one test."""
    server = SmtpServer("127.0.0.1", free_port())
    controller = Controller(
        server,
        hostname=server.host,
        port=server.port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield server
    controller.stop()


@pytest.fixture
def save_smtp(app, make_user) -> Callable[..., None]:
    """Save mail settings (security none, no sign-in unless given) as an ADMIN."""
    admin = make_user("ADMIN", username="owner")

    def save(port: int, password: str = "", **values: Any) -> None:
        settings = {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "SMTP_SECURITY": "none",
            "SMTP_USERNAME": "",
            "SMTP_SENDER_NAME": "JC Icons Cubao",
            "SMTP_SENDER_ADDRESS": SENDER,
            **values,
        }
        with app.app_context():
            save_smtp_settings(
                settings, db.session.get(User, admin.id), new_password=password
            )
            db.session.commit()

    return save
