"""The ready-for-pickup e-mail: once per ticket, only with consent, never in the way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from helpers import Account, login
from jcicons.auth.models import User
from jcicons.customers.checks import CustomerData
from jcicons.customers.services import create_customer
from jcicons.extensions import db
from jcicons.mail.models import EmailLog
from jcicons.repairs.models import DeviceType, RepairStatus, RepairTicket
from jcicons.repairs.services import IntakeData, ServiceTypeData, create_service_type
from jcicons.repairs.services import create_ticket as open_ticket
from repairs.repair_helpers import walk_to

S = RepairStatus


@dataclass
class Desk:
    """An ADMIN signed in, and a way to open tickets in repair for a customer."""

    admin: Account
    open_in_repair: Callable[..., int]


@pytest.fixture
def desk(app: Flask, client, make_user: Callable[..., Account]) -> Desk:
    admin = make_user("ADMIN", username="manager")
    assert login(client, admin.username, admin.password).status_code == 302

    def open_in_repair(email: str = "ana@example.ph", consent: bool = True) -> int:
        with app.app_context():
            actor = db.session.get(User, admin.id)
            customer = create_customer(
                CustomerData(
                    name="Ana Reyes",
                    phones=["09171234567"],
                    email=email,
                    has_contact_consent=consent,
                ),
                actor,
                shared_ok={"+639171234567"},
            )
            service = create_service_type(
                ServiceTypeData(f"Repaste {customer.id}", 1_200_00, 30), actor
            )
            ticket = open_ticket(
                IntakeData(
                    customer_id=customer.id,
                    device_type=DeviceType.LAPTOP,
                    brand="Acer",
                    model="Aspire 5",
                    problem="Overheats.",
                    service_type_ids=[service.id],
                ),
                actor,
            )
            walk_to(ticket, S.IN_REPAIR, actor)
            db.session.commit()
            return ticket.id

    return Desk(admin, open_in_repair)


def set_status(client, ticket_id: int, status: RepairStatus):
    return client.post_form(
        f"/repairs/{ticket_id}/status", {"status-status": status.value}
    )


def email_rows(app: Flask) -> list[EmailLog]:
    with app.app_context():
        rows = list(db.session.scalars(select(EmailLog).order_by(EmailLog.id)))
        db.session.expunge_all()
        return rows


def test_ready_for_pickup_e_mails_the_customer_once(
    app,
    client,
    desk,
    smtp_server,
    save_smtp,
):
    save_smtp(smtp_server.port)
    ticket_id = desk.open_in_repair()

    response = set_status(client, ticket_id, S.READY)
    assert response.status_code == 302
    assert len(smtp_server.received) == 1
    message = smtp_server.received[0].message
    assert smtp_server.received[0].rcpt_tos == ["ana@example.ph"]
    assert message["Subject"] == "RT-2026-00001: your device is ready for pickup"
    body = message.get_content()
    assert "Laptop Acer Aspire 5" in body
    assert "₱1,200.00" in body  # the balance to pay
    with app.app_context():
        token = db.session.get(RepairTicket, ticket_id).status_token
    assert f"/status/t/{token}" in body

    set_status(client, ticket_id, S.IN_REPAIR)
    set_status(client, ticket_id, S.READY)
    assert len(smtp_server.received) == 1
    [row] = email_rows(app)
    assert (row.status, row.kind, row.related_id) == (
        "SENT",
        "repair_ready",
        str(ticket_id),
    )


def test_no_consent_no_e_mail(app, client, desk, smtp_server, save_smtp):
    save_smtp(smtp_server.port)
    ticket_id = desk.open_in_repair(consent=False)

    assert set_status(client, ticket_id, S.READY).status_code == 302
    assert smtp_server.received == []
    assert email_rows(app) == []


def test_no_address_no_e_mail(app, client, desk, smtp_server, save_smtp):
    save_smtp(smtp_server.port)
    ticket_id = desk.open_in_repair(email="")

    assert set_status(client, ticket_id, S.READY).status_code == 302
    assert smtp_server.received == []


def test_without_mail_settings_the_ticket_still_becomes_ready(app, client, desk):
    ticket_id = desk.open_in_repair()

    response = set_status(client, ticket_id, S.READY)

    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(RepairTicket, ticket_id).status == S.READY
    [row] = email_rows(app)  # the owner can see why the customer heard nothing
    assert (row.status, row.recipient, row.related_id) == (
        "SKIPPED",
        "ana@example.ph",
        str(ticket_id),
    )
    page = client.get(response.headers["Location"]).text
    assert "E-mail is not set up, so the customer was not told by e-mail." in page


def test_a_mail_server_that_refuses_leaves_the_status_and_logs_why(
    app,
    client,
    desk,
    save_smtp,
):
    from mail.smtp_helpers import free_port

    save_smtp(free_port())  # nothing listens there
    ticket_id = desk.open_in_repair()

    response = set_status(client, ticket_id, S.READY)

    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(RepairTicket, ticket_id).status == S.READY
    [row] = email_rows(app)
    assert row.status == "FAILED" and row.error
    page = client.get(response.headers["Location"]).text
    assert "could not be sent" in page


def test_a_notice_that_failed_goes_out_the_next_time_the_ticket_is_ready(
    app, client, desk, smtp_server, save_smtp
):
    from mail.smtp_helpers import free_port

    save_smtp(free_port())  # the server is down the first time
    ticket_id = desk.open_in_repair()
    set_status(client, ticket_id, S.READY)
    set_status(client, ticket_id, S.IN_REPAIR)

    save_smtp(smtp_server.port)
    set_status(client, ticket_id, S.READY)

    assert [r.status for r in email_rows(app)] == ["FAILED", "SENT"]
    assert len(smtp_server.received) == 1
