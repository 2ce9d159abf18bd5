"""Repair screens: the ticket list, intake, the ticket page and its actions, the
unclaimed list and the service catalogue.

Each action is a POST of its own that calls one service, commits once and goes back
to the ticket page; a refused action renders the ticket page again with the message
beside the form that caused it, and nothing is saved.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from jcicons.audit.services import record_audit
from jcicons.auth.models import User
from jcicons.clock import utcnow
from jcicons.customers.models import Customer, CustomerDepartment
from jcicons.customers.queries import get_visible_customer
from jcicons.customers.services import CustomerInvalid
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.forms import ConfirmForm, new_form_key, query_int, show_domain_error
from jcicons.inventory.models import Product
from jcicons.inventory.queries import find_by_code
from jcicons.keyed import commit_once
from jcicons.mail.models import EmailStatus
from jcicons.money import PESO_SIGN, format_pesos, format_plain
from jcicons.repairs import services
from jcicons.repairs.forms import (
    AssignForm,
    ComebackForm,
    DiagnosisForm,
    DiscountForm,
    EstimateForm,
    IntakeForm,
    NoteForm,
    PartForm,
    PaymentForm,
    ReasonForm,
    RefundForm,
    ReleaseForm,
    ServiceLineForm,
    ServiceTypeForm,
    StatusForm,
    TicketFilterForm,
    WaiveForm,
)
from jcicons.repairs.models import (
    DEVICE_LABELS,
    PRIORITY_LABELS,
    STATUS_LABELS,
    DeviceType,
    EstimateDecision,
    Priority,
    RepairEvent,
    RepairPart,
    RepairService,
    RepairStatus,
    RepairTicket,
    ServiceType,
)
from jcicons.repairs.notices import notify_ready
from jcicons.repairs.printing import status_url
from jcicons.repairs.queries import (
    TicketFilter,
    get_visible_ticket,
    tickets_query,
    unclaimed_query,
    visible_tickets,
)
from jcicons.sales.approval import approve_on_the_spot
from jcicons.sales.models import METHOD_LABELS
from jcicons.sales.services import DiscountNeedsApproval
from jcicons.security.capabilities import can, requires, signed_in_user
from jcicons.security.crypto import DecryptionError
from jcicons.settings.services import current_settings

bp = Blueprint("repairs", __name__, url_prefix="/repairs")

PER_PAGE = 50
# An amount as format_pesos writes it, in a timeline note: -₱1,234.50.
PESO_AMOUNT = re.compile(rf"-?{PESO_SIGN}[\d,]+\.\d{{2}}")


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    # The label tables as they are: their StrEnum keys match the plain strings
    # the templates look up, so nothing is rebuilt on every render.
    return {
        "repair_status_labels": STATUS_LABELS,
        "device_labels": DEVICE_LABELS,
        "priority_labels": PRIORITY_LABELS,
    }


def ticket_or_404(ticket_id: int) -> RepairTicket:
    """Return the ticket the signed-in user may see, or answer 404."""
    ticket = get_visible_ticket(signed_in_user(), ticket_id)
    if ticket is None:
        abort(404)
    return ticket


LineT = TypeVar("LineT", RepairService, RepairPart)


def _line_or_404(model: type[LineT], line_id: int, ticket: RepairTicket) -> LineT:
    """Return a labour or part line of this ticket; 404 for any other."""
    line = db.session.get(model, line_id)
    if line is None or line.ticket_id != ticket.id:
        abort(404)
    return line


def shows_details(ticket: RepairTicket) -> bool:
    """Return True when the viewer may see the ticket's customer contact and money.

    Those who see every ticket see them on all; a TECH with TECH_CAN_VIEW_DETAILS
    on sees them on the tickets assigned to them, not on the unassigned queue.
    """
    if not can("repairs.view_details"):
        return False
    return can("repairs.view_all") or ticket.technician_id == signed_in_user().id


def _technicians() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.is_active.is_(True), User.role.in_(["TECH", "ADMIN"]))
            .order_by(User.full_name, User.username)
        )
    )


def _technician_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [
        (str(user.id), user.full_name or user.username) for user in _technicians()
    ]


def _int_or_none(value: Any) -> int | None:
    try:
        return query_int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# The list ----------------------------------------------------------------------------


@bp.get("/")
@requires("repairs.view")
def index() -> ResponseReturnValue:
    """List tickets: open ones by default; one search box reaches released ones too."""
    form = TicketFilterForm(request.args)
    form.technician.choices = [
        ("", "Anyone"),
        ("none", "Unassigned"),
        *_technician_choices("")[1:],
    ]
    valid = form.validate()
    technician = form.technician.data or ""
    criteria = TicketFilter(
        q=(form.q.data or "").strip()[:100] if valid else "",
        status=form.status.data or "",
        technician_id=_int_or_none(technician),
        unassigned=technician == "none",
        device_type=form.device_type.data or "",
        date_from=form.date_from.data if valid else None,
        date_to=form.date_to.data if valid else None,
        overdue=bool(form.overdue.data),
    )
    page = db.paginate(
        tickets_query(signed_in_user(), criteria, can("repairs.view_details")),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    show_money = can("repairs.view_details")
    balances = services.ticket_balances([t for t in page.items if shows_details(t)])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "repairs/index.html",
        form=form,
        page=page,
        balances=balances,
        args=args,
        show_money=show_money,
    )


@bp.get("/unclaimed")
@requires("repairs.view")
def unclaimed() -> ResponseReturnValue:
    """Devices ready for pickup longer than the setting says, to call customers."""
    days = int(current_settings().get("REPAIR_UNCLAIMED_DAYS", 30))
    page = db.paginate(
        unclaimed_query(signed_in_user(), days),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "repairs/unclaimed.html",
        page=page,
        days=days,
        now_utc=utcnow(),
        show_contact=can("repairs.view_details"),
        contact_of={t.id for t in page.items if shows_details(t)},
    )


# Intake ------------------------------------------------------------------------------


def _intake_form(customer: Customer | None) -> IntakeForm:
    form = IntakeForm()
    form.services.choices = [
        (int(value), label)
        for value, label in _service_choices(can("repairs.view_details"))
    ]
    if can("repairs.assign"):
        form.technician_id.choices = _technician_choices("Unassigned")
    else:
        me = signed_in_user()
        form.technician_id.choices = [
            ("", "Unassigned"),
            (str(me.id), me.full_name or me.username),
        ]
    departments: list[tuple[str, str]] = [("", "No department")]
    if customer is not None:
        departments += [
            (str(d.id), d.name)
            for d in db.session.scalars(
                select(CustomerDepartment)
                .where(CustomerDepartment.customer_id == customer.id)
                .order_by(CustomerDepartment.name)
            )
        ]
    form.department_id.choices = departments
    return form


def _intake_data(form: IntakeForm, customer: Customer) -> services.IntakeData:
    condition = {
        key: request.form.get(name, "") for key, _, name in form.condition_fields
    }
    return services.IntakeData(
        customer_id=customer.id,
        department_id=_int_or_none(form.department_id.data),
        device_type=DeviceType(form.device_type.data),
        device_name=form.device_name.data or "",
        brand=form.brand.data or "",
        model=form.model.data or "",
        serial_number=form.serial_number.data or "",
        accessories=list(form.accessories.data or []),
        accessories_note=form.accessories_note.data or "",
        condition=condition,
        condition_notes=form.condition_notes.data or "",
        passcode=form.passcode.data or "",
        problem=form.problem.data or "",
        service_type_ids=[int(i) for i in form.services.data or []],
        priority=Priority(form.priority.data or Priority.NORMAL),
        promised_date=form.promised_date.data,
        diagnostic_fee_centavos=form.diagnostic_fee.centavos or 0,
        # Only those who take repair money may record a deposit.
        deposit=form.deposit_input() if can("repairs.collect") else None,
        technician_id=_intake_technician(form),
        allow_duplicate_serial=bool(form.confirm_duplicate.data),
        idempotency_key=form.key(),
    )


def _intake_technician(form: IntakeForm) -> int | None:
    """Return the technician chosen at intake: anyone, for those who assign
    technicians; a TECH may only take the new ticket themselves."""
    chosen = _int_or_none(form.technician_id.data)
    if (
        chosen is not None
        and not can("repairs.assign")
        and chosen != signed_in_user().id
    ):
        raise DomainError(
            "Take the ticket yourself or leave it unassigned.", field="technician_id"
        )
    return chosen


def _chosen_customer(form: IntakeForm) -> Customer | None:
    """The customer picked beforehand (visible to the actor), or from the mobile."""
    picked = _int_or_none(form.customer_id.data)
    if picked is not None:
        customer = get_visible_customer(signed_in_user(), picked)
        if customer is not None:
            return customer
    if not (form.mobile.data or "").strip():
        form.mobile.errors = [
            *list(form.mobile.errors),
            "Enter the customer's mobile number.",
        ]
        return None
    try:
        customer, _ = services.intake_customer(
            form.name.data or "", form.mobile.data or "", signed_in_user()
        )
    except CustomerInvalid as exc:
        for key, message in exc.errors.items():
            target = form.name if key == "name" else form.mobile
            target.errors = [*list(target.errors), message]
        return None
    return customer


@bp.route("/new", methods=["GET", "POST"])
@requires("repairs.create")
def create() -> ResponseReturnValue:
    """Write a ticket for a device coming in; then print its intake form."""
    preset = _int_or_none(request.values.get("customer_id"))
    customer = get_visible_customer(signed_in_user(), preset) if preset else None
    form = _intake_form(customer)
    if customer is not None and not form.customer_id.data:
        form.customer_id.data = str(customer.id)
    if request.method == "GET":
        form.idempotency_key.data = new_form_key()
    duplicates: list[RepairTicket] = []
    hidden_duplicates = 0
    valid = form.validate_on_submit()
    form.renew_key_if_bad()
    earlier = services.find_ticket_by_key(form.key()) if valid else None
    if earlier is not None:  # the same form again: its ticket is open already
        flash(f"Ticket {earlier.number} is open already.", "info")
        return _opened(earlier)
    if valid:
        chosen = _chosen_customer(form)
        if chosen is not None:
            try:
                ticket = commit_once(
                    lambda: services.create_ticket(
                        _intake_data(form, chosen), signed_in_user()
                    ),
                    services.find_ticket_by_key,
                    form.key(),
                )
            except services.DuplicateSerial as exc:
                db.session.rollback()
                # A TECH is told of other technicians' tickets, not shown them.
                duplicates = _visible(exc.tickets)
                hidden_duplicates = len(exc.tickets) - len(duplicates)
                form.serial_number.errors = [
                    exc.message if not hidden_duplicates else DUPLICATE_ELSEWHERE
                ]
            except DomainError as exc:
                db.session.rollback()
                show_domain_error(form, exc)
            else:
                flash(
                    f"Ticket {ticket.number} is open. Print the intake form.", "success"
                )
                return _opened(ticket)
        else:
            db.session.rollback()
    status = 422 if request.method == "POST" else 200
    return render_template(
        "repairs/new.html",
        form=form,
        customer=customer,
        duplicates=duplicates,
        hidden_duplicates=hidden_duplicates,
        condition_values=request.form if request.method == "POST" else {},
    ), status


def _opened(ticket: RepairTicket) -> ResponseReturnValue:
    """Go to a ticket just opened or changed, or to the list when the viewer may
    not open it (any more)."""
    if get_visible_ticket(signed_in_user(), ticket.id) is None:
        return redirect(url_for("repairs.index"))
    return redirect(url_for("repairs.detail", ticket_id=ticket.id))


DUPLICATE_ELSEWHERE = (
    "This serial number is on an open ticket already. Check it is not the same "
    "device, then confirm to open another ticket."
)


def _visible(tickets: list[RepairTicket]) -> list[RepairTicket]:
    """Return those of the tickets the signed-in user may open."""
    ids = [ticket.id for ticket in tickets]
    shown = set(
        db.session.scalars(
            visible_tickets(signed_in_user())
            .where(RepairTicket.id.in_(ids))
            .with_only_columns(RepairTicket.id)
        )
    )
    return [ticket for ticket in tickets if ticket.id in shown]


# The ticket page -------------------------------------------------------------------


def _status_choices(ticket: RepairTicket) -> list[tuple[str, str]]:
    """Return the statuses the workflow lets the ticket go to next."""
    allowed = services.TRANSITIONS[RepairStatus(ticket.status)]
    return [(s.value, STATUS_LABELS[s]) for s in RepairStatus if s in allowed]


def _service_choices(with_prices: bool) -> list[tuple[str, str]]:
    """Return the catalogue as choices, with prices for those who may see money."""
    return [
        (
            str(s.id),
            f"{s.name} ({format_pesos(s.default_price_centavos)})"
            if with_prices
            else s.name,
        )
        for s in services.active_service_types()
    ]


def _forms(ticket: RepairTicket, show_money: bool) -> dict[str, Any]:
    """Return every action form of the ticket page, empty."""
    actor = signed_in_user()
    status = StatusForm(formdata=None, prefix="status")
    status.status.choices = _status_choices(ticket)
    # The technicians and the catalogue are read only for a page that shows
    # their forms (as the template decides).
    assign = AssignForm(formdata=None, prefix="assign")
    if can("repairs.assign"):
        assign.technician_id.choices = _technician_choices("Unassigned")
    assign.technician_id.data = str(ticket.technician_id or "")
    service = ServiceLineForm(formdata=None, prefix="service")
    if ticket.is_open and services.may_work(ticket, actor):
        service.service_type_id.choices = _service_choices(show_money)
    release = ReleaseForm(formdata=None, prefix="release")
    if not release.released_to_name.data and actor is not None:
        release.released_to_name.data = ticket.customer.name
    return {
        "status_form": status,
        "note_form": NoteForm(formdata=None, prefix="note"),
        "diagnosis_form": DiagnosisForm(
            formdata=None, prefix="diag", data={"diagnosis": ticket.diagnosis}
        ),
        "assign_form": assign,
        "service_form": service,
        "part_form": PartForm(formdata=None, prefix="part"),
        "estimate_form": EstimateForm(formdata=None, prefix="estimate"),
        "payment_form": PaymentForm(
            formdata=None, prefix="pay", idempotency_key=new_form_key()
        ),
        "discount_form": DiscountForm(formdata=None, prefix="discount"),
        "waive_form": WaiveForm(formdata=None, prefix="waive"),
        "refund_form": RefundForm(formdata=None, prefix="refund"),
        "release_form": release,
        "reopen_form": ReasonForm(formdata=None, prefix="reopen"),
        "comeback_form": ComebackForm(formdata=None, prefix="comeback"),
    }


def _render_ticket(
    ticket: RepairTicket,
    status_code: int = 200,
    passcode: str | None = None,
    refusal: list[str] | None = None,
    **replaced: Any,
) -> ResponseReturnValue:
    show_money = shows_details(ticket)
    forms = _forms(ticket, show_money)
    forms.update(replaced)
    actor = signed_in_user()
    figures, payments = services.ticket_money(ticket) if show_money else (None, [])
    return render_template(
        "repairs/detail.html",
        ticket=ticket,
        figures=figures,
        payments=payments,
        show_money=show_money,
        may_work=services.may_work(ticket, actor),
        passcode=passcode,
        refusal=refusal or [],
        event_note=_event_note if show_money else _event_note_without_money,
        method_labels=METHOD_LABELS,
        releasable=RepairStatus(ticket.status) in services.RELEASABLE,
        **forms,
    ), status_code


def _event_note(event: RepairEvent) -> str:
    return event.note


def _event_note_without_money(event: RepairEvent) -> str:
    """A timeline note with its peso amounts hidden, for those who may not see money."""
    return PESO_AMOUNT.sub("(amount hidden)", event.note)


def _refuse(
    ticket: RepairTicket, form_name: str | None, form: Any
) -> ResponseReturnValue:
    """Show the ticket again after a refused action: why at the top of the page
    (the form may be one this viewer is not shown), and beside the form's fields."""
    messages = [message for errors in form.errors.values() for message in errors]
    replaced = {form_name: form} if form_name else {}
    return _render_ticket(ticket, 422, refusal=messages, **replaced)


@bp.get("/<int:ticket_id>")
@requires("repairs.view")
def detail(ticket_id: int) -> ResponseReturnValue:
    """Show a ticket: device, customer, work, money and the timeline."""
    return _render_ticket(ticket_or_404(ticket_id))


@bp.post("/<int:ticket_id>/passcode")
@requires("repairs.work")
def passcode(ticket_id: int) -> ResponseReturnValue:
    """Show the device passcode to whoever works the ticket; each look is audited."""
    ticket = ticket_or_404(ticket_id)
    try:
        secret = services.reveal_passcode(ticket, signed_in_user())
    except DecryptionError:
        flash(
            "The passcode was stored under an encryption key this server no longer "
            "has: ask the customer for it again.",
            "danger",
        )
        return redirect(url_for("repairs.detail", ticket_id=ticket.id))
    if secret is None:
        flash("There is no passcode you may see on this ticket.", "warning")
        return redirect(url_for("repairs.detail", ticket_id=ticket.id))
    record_audit(signed_in_user(), "repair.passcode_view", "repair_ticket", ticket.id)
    db.session.commit()
    return _render_ticket(ticket, passcode=secret)


def _act(
    ticket: RepairTicket,
    form: Any,
    form_name: str | None,
    action: Any,
    success: str,
    after_commit: Any = None,
    then: str | None = None,
) -> ResponseReturnValue:
    """Run one action from the ticket page: validate, call, commit, go back.

    A refused action shows the ticket again with the message, and the form as sent
    in place of the page's `form_name` (None: a button without a form of its own).
    `after_commit` runs once the action is committed (and commits its own work);
    `then` is where to go next instead of the ticket page.
    """
    if not form.validate_on_submit():
        db.session.rollback()
        return _refuse(ticket, form_name, form)
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        ticket = ticket_or_404(ticket.id)
        show_domain_error(form, exc)
        return _refuse(ticket, form_name, form)
    db.session.commit()
    flash(success, "success")
    if after_commit is not None:
        after_commit()
    if then is not None:
        return redirect(then)
    return _opened(ticket)


@bp.post("/<int:ticket_id>/status")
@requires("repairs.work")
def change_status(ticket_id: int) -> ResponseReturnValue:
    """Move the ticket along the workflow."""
    ticket = ticket_or_404(ticket_id)
    form = StatusForm(prefix="status")
    form.status.choices = _status_choices(ticket)
    target = form.status.data or ""
    if target not in {s.value for s in RepairStatus}:
        form.status.errors = ["Choose the new status."]
        return _refuse(ticket, "status_form", form)
    return _act(
        ticket,
        form,
        "status_form",
        lambda: services.change_status(
            ticket, RepairStatus(target), signed_in_user(), form.note.data or ""
        ),
        f"{ticket.number} is now {STATUS_LABELS[RepairStatus(target)]}.",
        after_commit=lambda: _tell_customer_ready(ticket.id),
    )


def _tell_customer_ready(ticket_id: int) -> None:
    """E-mail the customer of a ticket that just became ready, and say how it went.

    The status change is committed first, so a slow or failing mail server never
    holds it up or undoes it.
    """
    ticket = db.session.get(RepairTicket, ticket_id)
    if ticket is None or ticket.status != RepairStatus.READY:
        return
    entry = notify_ready(ticket, status_url(ticket), signed_in_user())
    db.session.commit()
    if entry is None:
        return
    if entry.status == EmailStatus.SENT:
        flash(f"The customer was e-mailed at {entry.recipient}.", "info")
    elif entry.status == EmailStatus.SKIPPED:
        flash("E-mail is not set up, so the customer was not told by e-mail.", "info")
    else:
        flash(
            "The ready-for-pickup e-mail could not be sent: see the e-mail log.",
            "warning",
        )


@bp.post("/<int:ticket_id>/notes")
@requires("repairs.work")
def add_note(ticket_id: int) -> ResponseReturnValue:
    """Add a note to the timeline (work on the ticket: ADMIN or its own TECH)."""
    ticket = ticket_or_404(ticket_id)
    if not services.may_work(ticket, signed_in_user()):
        abort(403)
    form = NoteForm(prefix="note")
    return _act(
        ticket,
        form,
        "note_form",
        lambda: services.add_note(ticket, form.note.data or "", signed_in_user()),
        "Note added.",
    )


@bp.post("/<int:ticket_id>/diagnosis")
@requires("repairs.work")
def diagnosis(ticket_id: int) -> ResponseReturnValue:
    """Record the diagnosis."""
    ticket = ticket_or_404(ticket_id)
    form = DiagnosisForm(prefix="diag")
    return _act(
        ticket,
        form,
        "diagnosis_form",
        lambda: services.set_diagnosis(
            ticket, form.diagnosis.data or "", signed_in_user()
        ),
        "Diagnosis saved.",
    )


@bp.post("/<int:ticket_id>/assign")
@requires("repairs.assign")
def assign(ticket_id: int) -> ResponseReturnValue:
    """Assign or reassign the technician."""
    ticket = ticket_or_404(ticket_id)
    form = AssignForm(prefix="assign")
    form.technician_id.choices = _technician_choices("Unassigned")
    chosen = form.technician_id.data or ""
    technician_id = _int_or_none(chosen)

    def run() -> None:
        if chosen and technician_id is None:
            raise DomainError("Choose an active technician.", field="technician_id")
        services.assign_technician(ticket, technician_id, signed_in_user())

    return _act(ticket, form, "assign_form", run, "Technician updated.")


@bp.post("/<int:ticket_id>/take")
@requires("repairs.take")
def take(ticket_id: int) -> ResponseReturnValue:
    """A TECH takes an unassigned ticket."""
    ticket = ticket_or_404(ticket_id)
    form = ConfirmForm(prefix="take")
    return _act(
        ticket,
        form,
        None,
        lambda: services.take_ticket(ticket, signed_in_user()),
        f"{ticket.number} is yours.",
    )


@bp.post("/<int:ticket_id>/services")
@requires("repairs.work")
def add_service(ticket_id: int) -> ResponseReturnValue:
    """Add a labour line from the catalogue."""
    ticket = ticket_or_404(ticket_id)
    form = ServiceLineForm(prefix="service")
    form.service_type_id.choices = _service_choices(shows_details(ticket))
    service_id = _int_or_none(form.service_type_id.data)
    if service_id is None:
        form.service_type_id.errors = ["Choose a service."]
        return _refuse(ticket, "service_form", form)
    return _act(
        ticket,
        form,
        "service_form",
        lambda: services.add_service(
            ticket, service_id, signed_in_user(), form.price.centavos
        ),
        "Labour added.",
    )


@bp.post("/<int:ticket_id>/services/<int:line_id>/remove")
@requires("repairs.work")
def remove_service(ticket_id: int, line_id: int) -> ResponseReturnValue:
    """Take a labour line off."""
    ticket = ticket_or_404(ticket_id)
    line = _line_or_404(RepairService, line_id, ticket)
    form = ConfirmForm(prefix="rm")
    return _act(
        ticket,
        form,
        None,
        lambda: services.remove_service(line, signed_in_user()),
        f"{line.name} removed.",
    )


@bp.post("/<int:ticket_id>/parts")
@requires("repairs.work")
def add_part(ticket_id: int) -> ResponseReturnValue:
    """Use a part from stock (by SKU or barcode)."""
    ticket = ticket_or_404(ticket_id)
    form = PartForm(prefix="part")
    product = find_by_code(form.product_code.data or "")
    if product is None and form.product_id.data:
        product = db.session.get(Product, _int_or_none(form.product_id.data) or 0)
    if product is None or product.is_archived:
        form.validate()
        form.product_code.errors = [
            *list(form.product_code.errors),
            "No active product has that SKU or barcode.",
        ]
        return _refuse(ticket, "part_form", form)
    return _act(
        ticket,
        form,
        "part_form",
        lambda: services.add_part(
            ticket,
            product.id,
            form.quantity.data or 0,
            signed_in_user(),
            form.serial.data or "",
        ),
        f"{product.name} added from stock.",
    )


@bp.post("/<int:ticket_id>/parts/<int:part_id>/remove")
@requires("repairs.work")
def remove_part(ticket_id: int, part_id: int) -> ResponseReturnValue:
    """Put a part back in stock."""
    ticket = ticket_or_404(ticket_id)
    part = _line_or_404(RepairPart, part_id, ticket)
    form = ConfirmForm(prefix="rm")
    return _act(
        ticket,
        form,
        None,
        lambda: services.remove_part(part, signed_in_user()),
        f"{part.description} is back in stock.",
    )


@bp.post("/<int:ticket_id>/estimate")
@requires("repairs.view")
def estimate(ticket_id: int) -> ResponseReturnValue:
    """Record the customer's approval or decline of the estimate."""
    ticket = ticket_or_404(ticket_id)
    if not (services.may_work(ticket, signed_in_user()) or can("repairs.collect")):
        abort(403)
    form = EstimateForm(prefix="estimate")
    return _act(
        ticket,
        form,
        "estimate_form",
        lambda: services.record_estimate_decision(
            ticket,
            EstimateDecision(form.decision.data),
            signed_in_user(),
            form.note.data or "",
        ),
        "The customer's answer is recorded.",
    )


@bp.post("/<int:ticket_id>/payments")
@requires("repairs.collect")
def take_payment(ticket_id: int) -> ResponseReturnValue:
    """Take a payment or deposit."""
    ticket = ticket_or_404(ticket_id)
    form = PaymentForm(prefix="pay")
    if not form.validate_on_submit():
        form.renew_key_if_bad()
        return _refuse(ticket, "payment_form", form)
    key = form.key()
    earlier = services.find_payment_by_key(key)
    if earlier is not None and earlier.repair_ticket_id == ticket.id:
        amount = format_pesos(earlier.amount_centavos)
        flash(f"That payment of {amount} was recorded already.", "info")
        return redirect(url_for("repairs.detail", ticket_id=ticket.id))
    try:
        row = commit_once(
            lambda: services.take_payment(
                ticket, form.payment_input(), signed_in_user(), idempotency_key=key
            ),
            services.find_payment_by_key,
            key,
        )
    except DomainError as exc:
        db.session.rollback()
        show_domain_error(form, exc)
        form.idempotency_key.data = new_form_key()  # a refusal recorded nothing
        return _refuse(ticket_or_404(ticket_id), "payment_form", form)
    if row.repair_ticket_id != ticket.id:  # the same form raced onto two tickets
        flash("This form is out of date: open the ticket again.", "danger")
    else:
        flash(f"Payment of {format_pesos(row.amount_centavos)} recorded.", "success")
    return redirect(url_for("repairs.detail", ticket_id=ticket.id))


@bp.post("/<int:ticket_id>/discount")
@requires("repairs.collect")
def discount(ticket_id: int) -> ResponseReturnValue:
    """Set the ticket's discount; above the SALES cap an ADMIN approves on the spot."""
    ticket = ticket_or_404(ticket_id)
    form = DiscountForm(prefix="discount")
    if not form.validate_on_submit():
        return _refuse(ticket, "discount_form", form)
    approver = approve_on_the_spot(form)
    if form.approver_username.errors:
        db.session.commit()  # the security events of a wrong password stay
        return _refuse(ticket, "discount_form", form)
    try:
        services.set_discount(
            ticket,
            form.discount.centavos or 0,
            signed_in_user(),
            current_settings(),
            approver,
        )
    except DiscountNeedsApproval as exc:
        db.session.rollback()
        form.approver_username.errors = [exc.message]
        return _refuse(ticket_or_404(ticket_id), "discount_form", form)
    except DomainError as exc:
        db.session.rollback()
        form.discount.errors = [exc.message]
        return _refuse(ticket_or_404(ticket_id), "discount_form", form)
    db.session.commit()
    flash("Discount saved.", "success")
    return redirect(url_for("repairs.detail", ticket_id=ticket.id))


@bp.post("/<int:ticket_id>/waive")
@requires("repairs.manage")
def waive(ticket_id: int) -> ResponseReturnValue:
    """ADMIN waives charges; an overpayment goes back as a refund row."""
    ticket = ticket_or_404(ticket_id)
    form = WaiveForm(prefix="waive")

    def run() -> None:
        services.waive_charges(
            ticket,
            form.amount.centavos or 0,
            form.reason.data or "",
            signed_in_user(),
            form.refund_input(),
        )

    return _act(ticket, form, "waive_form", run, "Charges waived.")


@bp.post("/<int:ticket_id>/refund")
@requires("repairs.collect")
def refund(ticket_id: int) -> ResponseReturnValue:
    """Give back an overpayment."""
    ticket = ticket_or_404(ticket_id)
    form = RefundForm(prefix="refund")

    def run() -> None:
        services.refund_overpayment(ticket, form.refund_input(), signed_in_user())

    return _act(ticket, form, "refund_form", run, "Refund recorded.")


@bp.post("/<int:ticket_id>/release")
@requires("repairs.collect")
def release(ticket_id: int) -> ResponseReturnValue:
    """Hand the device back to the customer."""
    ticket = ticket_or_404(ticket_id)
    form = ReleaseForm(prefix="release")
    return _act(
        ticket,
        form,
        "release_form",
        lambda: services.release_ticket(
            ticket,
            form.released_to_name.data or "",
            form.id_shown.data or "",
            signed_in_user(),
            on_credit=bool(form.on_credit.data),
            credit_reason=form.credit_reason.data or "",
        ),
        f"{ticket.number} is released: print the receipt for the customer.",
        then=url_for("repairs.release_receipt", ticket_id=ticket.id),
    )


@bp.post("/<int:ticket_id>/reopen")
@requires("repairs.manage")
def reopen(ticket_id: int) -> ResponseReturnValue:
    """ADMIN reopens a cancelled, unrepairable or pulled-out ticket."""
    ticket = ticket_or_404(ticket_id)
    form = ReasonForm(prefix="reopen")
    return _act(
        ticket,
        form,
        "reopen_form",
        lambda: services.reopen_ticket(
            ticket, signed_in_user(), form.reason.data or ""
        ),
        f"{ticket.number} is reopened.",
    )


@bp.post("/<int:ticket_id>/comeback")
@requires("repairs.create")
def comeback(ticket_id: int) -> ResponseReturnValue:
    """Open a warranty comeback linked to this ticket."""
    ticket = ticket_or_404(ticket_id)
    form = ComebackForm(prefix="comeback")
    if not form.validate_on_submit():
        return _refuse(ticket, "comeback_form", form)
    try:
        new = services.open_comeback(ticket, form.problem.data or "", signed_in_user())
    except DomainError as exc:
        db.session.rollback()
        form.problem.errors = [exc.message]
        return _refuse(ticket_or_404(ticket_id), "comeback_form", form)
    db.session.commit()
    flash(f"Comeback ticket {new.number} is open under warranty.", "success")
    return _opened(new)


# The service catalogue ---------------------------------------------------------------


@bp.route("/services", methods=["GET", "POST"])
@requires("repairs.manage")
def service_types() -> ResponseReturnValue:
    """The services the shop offers: add one, see them all."""
    form = ServiceTypeForm()
    if form.validate_on_submit():
        try:
            created = services.create_service_type(
                form.service_type_data(), signed_in_user()
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"{created.name} is in the catalogue.", "success")
            return redirect(url_for("repairs.service_types"))
    catalogue = list(
        db.session.scalars(
            select(ServiceType).order_by(ServiceType.is_archived, ServiceType.name)
        )
    )
    status = 422 if request.method == "POST" else 200
    return render_template(
        "repairs/service_types.html", form=form, catalogue=catalogue
    ), status


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@requires("repairs.manage")
def service_type_edit(service_id: int) -> ResponseReturnValue:
    """Change a service's name, price or warranty; archive or restore it."""
    service = db.session.get(ServiceType, service_id)
    if service is None:
        abort(404)
    form = ServiceTypeForm(
        data={
            "name": service.name,
            "default_price": format_plain(service.default_price_centavos),
            "warranty_days": service.warranty_days,
        }
    )
    if request.form.get("archive") in {"archive", "restore"}:
        services.set_service_type_archived(
            service, request.form["archive"] == "archive", signed_in_user()
        )
        db.session.commit()
        flash(
            f"{service.name} is "
            f"{'archived' if service.is_archived else 'offered again'}.",
            "success",
        )
        return redirect(url_for("repairs.service_types"))
    if form.validate_on_submit():
        try:
            services.update_service_type(
                service, form.service_type_data(), signed_in_user()
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"{service.name} is saved.", "success")
            return redirect(url_for("repairs.service_types"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "repairs/service_type_edit.html", form=form, service=service
    ), status
