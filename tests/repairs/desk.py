"""A repair desk for the view tests: staff, customers, the catalogue, parts and
tickets made through the services, each step committed in an app context of its
own, outside any request.

The view tests never hold an app context open while they make requests: Flask
would reuse it for every request, and with it `g`, where Flask-Login keeps the
signed-in user and the settings their toggles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from helpers import Account, Client, login
from jcicons.audit.models import AuditEvent
from jcicons.auth.models import User
from jcicons.clock import shop_today
from jcicons.customers.checks import CustomerData
from jcicons.customers.phones import normalise_mobile
from jcicons.customers.services import create_customer
from jcicons.extensions import db
from jcicons.inventory.models import Category, Product, SerialUnit
from jcicons.inventory.services import (
    ProductData,
    ReceivingLineData,
    create_category,
    create_product,
    receive_stock,
)
from jcicons.repairs.models import (
    DeviceType,
    RepairEvent,
    RepairStatus,
    RepairTicket,
    ServiceType,
)
from jcicons.repairs.services import (
    IntakeData,
    ServiceTypeData,
    create_service_type,
    create_ticket,
)
from jcicons.sales.models import Payment
from jcicons.settings.services import update_settings
from repairs.repair_helpers import cash, walk_to

PASSCODE = "7391-SECRET"
TOGGLE = "TECH_CAN_VIEW_DETAILS"
WHO = ("admin", "sales", "tech", "other_tech")


class _Finder(HTMLParser):
    """Collect the text inside the first element carrying a data-testid."""

    VOID = frozenset({"br", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self, testid: str) -> None:
        super().__init__()
        self.testid = testid
        self.depth = 0
        self.found = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        if self.depth:
            self.depth += 1
        elif not self.found and ("data-testid", self.testid) in attrs:
            self.found = True
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def text_of(page: str, testid: str) -> str:
    """Return the text inside the first element with a data-testid, tags removed."""
    finder = _Finder(testid)
    finder.feed(page)
    assert finder.found, f"no {testid} on the page"
    return " ".join(" ".join(finder.parts).split())


def listed(page: str) -> list[str]:
    """Return the ticket numbers of the list page's rows, top to bottom."""
    return re.findall(r'<tr data-ticket="([^"]+)"', page)


class Desk:
    """The shop behind the counter: who works there and what they have on hand."""

    def __init__(self, app: Flask, make_user: Callable[..., Account]) -> None:
        self.app = app
        # Users first: each is committed in its own transaction.
        self.accounts = {
            "admin": make_user("ADMIN", username="owner", full_name="Joy Owner"),
            "sales": make_user("SALES", username="counter", full_name="Carla Cruz"),
            "tech": make_user("TECH", username="rico", full_name="Rico Tech"),
            "other_tech": make_user("TECH", username="lea", full_name="Lea Tech"),
        }
        self.customers = 0

    def id_of(self, who: str) -> int:
        """Return the user id of one of the staff."""
        return self.accounts[who].id

    @contextmanager
    def session(self) -> Iterator[None]:
        """Run a step in an app context of its own and commit it."""
        with self.app.app_context():
            yield
            db.session.commit()

    def user(self, who: str) -> User:
        """Return a staff member (inside `session`)."""
        user = db.session.get(User, self.id_of(who))
        assert user is not None
        return user

    def sign_in(self, client: Client, who: str) -> Client:
        """Sign a client in as one of the staff through the real form."""
        account = self.accounts[who]
        response = login(client, account.username, account.password)
        assert response.status_code == 302, response.text
        return client

    def client(self, who: str) -> Client:
        """Return a new client signed in as one of the staff."""
        return self.sign_in(self.app.test_client(), who)  # type: ignore[arg-type]

    def toggle(self, on: bool) -> None:
        """Switch TECH_CAN_VIEW_DETAILS."""
        with self.session():
            update_settings({TOGGLE: on}, self.user("admin"))

    def settings(self, **values: Any) -> None:
        """Store shop settings."""
        with self.session():
            update_settings(values, self.user("admin"))

    # Records -----------------------------------------------------------------------

    def customer(
        self, name: str = "Maria Santos", mobile: str = "", **fields: Any
    ) -> int:
        """Create a customer with a mobile number; return its id."""
        self.customers += 1
        number = mobile or f"0917 555 {self.customers:04d}"
        with self.session():
            data = CustomerData(name=name, phones=[number], **fields)
            customer = create_customer(
                data, self.user("admin"), shared_ok={normalise_mobile(number)}
            )
            made = customer.id
        return made

    def service(
        self, name: str = "Screen replacement", price: int = 2_500_00, days: int = 90
    ) -> int:
        """Add a service to the catalogue; return its id."""
        with self.session():
            service = create_service_type(
                ServiceTypeData(name, price, days), self.user("admin")
            )
            made = service.id
        return made

    def part(
        self,
        name: str,
        price: int,
        on_hand: int = 0,
        cost: int = 0,
        serials: list[str] | None = None,
        **fields: Any,
    ) -> int:
        """Create a part with stock received today; return the product id."""
        with self.session():
            admin = self.user("admin")
            category = db.session.scalar(
                select(Category).where(Category.name == "Parts")
            ) or create_category("Parts", admin)
            product = create_product(
                ProductData(
                    name=name, category_id=category.id, price_centavos=price, **fields
                ),
                admin,
            )
            on_hand = len(serials) if serials else on_hand
            if on_hand:
                line = ReceivingLineData(product.id, on_hand, cost, serials or [])
                receive_stock("Supplier", "DR-1", shop_today(), [line], admin)
            made = product.id
        return made

    def ticket(
        self, by: str = "admin", status: RepairStatus | None = None, **fields: Any
    ) -> int:
        """Open a ticket (a laptop for a new customer unless told); return its id.

        With `status`, the ticket is walked there by ADMIN afterwards.
        """
        if "customer_id" not in fields:
            fields["customer_id"] = self.customer()
        fields.setdefault("device_type", DeviceType.LAPTOP)
        fields.setdefault("problem", "Does not boot past the logo.")
        with self.session():
            ticket = create_ticket(IntakeData(**fields), self.user(by))
            if status is not None:
                walk_to(ticket, status, self.user("admin"))
            made = ticket.id
        return made

    def full_ticket(self, status: RepairStatus | None = None, **fields: Any) -> int:
        """Open the TECH's ticket with everything on it: contact, passcode, money."""
        customer = self.customer(
            "Maria Santos", "0917 555 0142", email="maria.santos@example.com"
        )
        defaults: dict[str, Any] = {
            "customer_id": customer,
            "brand": "Acer",
            "model": "Aspire 5",
            "serial_number": "NXHF8SP00123",
            "passcode": PASSCODE,
            "diagnostic_fee_centavos": 300_00,
            "deposit": cash(500_00),
            "technician_id": self.id_of("tech"),
        }
        return self.ticket(status=status, **{**defaults, **fields})

    def run(
        self,
        step: Callable[..., Any],
        ticket_id: int,
        *args: Any,
        by: str = "admin",
        **kwargs: Any,
    ) -> int | None:
        """Call a repair service on a ticket as one of the staff and commit; return
        the id of what it made, if anything."""
        with self.session():
            ticket = db.session.get(RepairTicket, ticket_id)
            result = step(ticket, *args, self.user(by), **kwargs)
            db.session.flush()
            made = getattr(result, "id", None)
        return made

    # Looking back ------------------------------------------------------------------

    def look(self, ticket_id: int) -> dict[str, Any]:
        """Return the facts of a ticket as they stand in the database."""
        with self.app.app_context():
            ticket = db.session.get(RepairTicket, ticket_id)
            assert ticket is not None
            return {
                "number": ticket.number,
                "status": ticket.status,
                "technician_id": ticket.technician_id,
                "customer_id": ticket.customer_id,
                "diagnosis": ticket.diagnosis,
                "discount": ticket.discount_centavos,
                "discount_approved_by_id": ticket.discount_approved_by_id,
                "waived": ticket.waived_centavos,
                "estimate": ticket.estimate_decision,
                "passcode_encrypted": ticket.passcode_encrypted,
                "released_to": ticket.released_to_name,
                "released_on_credit": ticket.released_on_credit,
                "services": [
                    (s.name, s.price_centavos, s.removed_at is not None)
                    for s in ticket.services
                ],
                "parts": [
                    (p.description, p.quantity, p.removed_at is not None)
                    for p in ticket.parts
                ],
                "events": len(ticket.events),
                "notes": [e.note for e in ticket.events if e.kind == "NOTE"],
            }

    def ledger(self, ticket_id: int) -> list[tuple[int, str]]:
        """Return (amount, method) of a ticket's payment rows, oldest first."""
        with self.app.app_context():
            rows = db.session.execute(
                select(Payment.amount_centavos, Payment.method)
                .where(Payment.repair_ticket_id == ticket_id)
                .order_by(Payment.id)
            )
            return [(int(amount), str(method)) for amount, method in rows]

    def on_hand(self, product_id: int) -> int:
        """Return a product's stock on hand."""
        with self.app.app_context():
            product = db.session.get(Product, product_id)
            assert product is not None
            return product.on_hand

    def serial_status(self, serial: str) -> str:
        """Return the status of a serial unit."""
        with self.app.app_context():
            unit = db.session.scalar(
                select(SerialUnit).where(SerialUnit.serial == serial)
            )
            assert unit is not None
            return str(unit.status)

    def lines(self, ticket_id: int) -> tuple[list[int], list[int]]:
        """Return the ids of a ticket's labour lines and of its parts."""
        with self.app.app_context():
            ticket = db.session.get(RepairTicket, ticket_id)
            assert ticket is not None
            return [s.id for s in ticket.services], [p.id for p in ticket.parts]

    def catalogue(self) -> list[tuple[int, str, int, int, bool]]:
        """Return (id, name, price, warranty days, archived) of every service."""
        with self.app.app_context():
            rows = db.session.scalars(select(ServiceType).order_by(ServiceType.id))
            return [
                (s.id, s.name, s.default_price_centavos, s.warranty_days, s.is_archived)
                for s in rows
            ]

    def count(self, model: type, *where: Any) -> int:
        """Return how many rows of a table there are (that match `where`)."""
        with self.app.app_context():
            query = select(func.count()).select_from(model).where(*where)
            return int(db.session.scalar(query) or 0)

    def ticket_ids(self) -> list[int]:
        """Return every ticket's id, oldest first."""
        with self.app.app_context():
            query = select(RepairTicket.id).order_by(RepairTicket.id)
            return list(db.session.scalars(query))

    def events(self) -> int:
        """Return how many timeline entries there are, on all tickets."""
        return self.count(RepairEvent)

    def audits(self, action: str) -> int:
        """Return how many audit rows record an action."""
        return self.count(AuditEvent, AuditEvent.action == action)


def days_from_today(days: int) -> date:
    """Return the shop's date `days` after today (before it when negative)."""
    return shop_today() + timedelta(days=days)
