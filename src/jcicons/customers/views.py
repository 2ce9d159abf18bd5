"""Customer pages under /customers: the list, the customer page, create and edit,
notes, departments, merging, and the JSON search and quick-create other screens use.

Every customer is loaded through `queries.visible_customers`, so a user who may
not see a customer gets a 404 wherever they ask for it.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from jcicons.customers.checks import CustomerInvalid, check_customer_data
from jcicons.customers.forms import (
    CustomerForm,
    DepartmentForm,
    MergeForm,
    NoteForm,
    customer_form_data,
)
from jcicons.customers.models import KIND_LABELS, Customer, CustomerDepartment
from jcicons.customers.phones import format_mobile
from jcicons.customers.queries import (
    customer_list_query,
    find_visible_by_code,
    get_visible_customer,
    list_notes,
    possible_duplicates,
    search_customers,
)
from jcicons.customers.services import (
    PhoneInUse,
    add_customer_note,
    add_department,
    create_customer,
    merge_customers,
    quick_create_customer,
    remove_department,
    resolve_customer,
    update_customer,
)
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.forms import query_int, strip_single_line
from jcicons.repairs.history import customer_devices, customer_repairs
from jcicons.repairs.views import shows_details
from jcicons.sales.queries import CustomerMoney, customer_money
from jcicons.security.capabilities import can, requires, signed_in_user

bp = Blueprint("customers", __name__, url_prefix="/customers")
bp.add_app_template_filter(format_mobile, "mobile")

PER_PAGE = 50
MONEY_PER_PAGE = 20


def _customer_or_404(customer_id: int) -> Customer:
    customer = get_visible_customer(signed_in_user(), customer_id)
    if customer is None:
        abort(404)
    return customer


def _status() -> int:
    return 422 if request.method == "POST" else 200


# The list ----------------------------------------------------------------------------


@bp.get("/")
@requires("customers.view")
def index() -> ResponseReturnValue:
    """List customers by name with one search box and paging."""
    search = " ".join(request.args.get("q", "").split())[:100]
    page = db.paginate(
        customer_list_query(signed_in_user(), search),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "customers/index.html", page=page, search=search, kind_labels=KIND_LABELS
    )


# Create and edit ---------------------------------------------------------------------


def _check_all_fields(form: CustomerForm) -> None:
    """After the form refused the input, add the services' messages too, so the
    user sees every problem at once."""
    try:
        check_customer_data(form.to_data())
    except CustomerInvalid as exc:
        fresh = {
            key: message
            for key, message in exc.errors.items()
            if not getattr(getattr(form, key, None), "errors", None)
        }
        form.show_errors(fresh)


def _refused(form: CustomerForm, exc: CustomerInvalid | PhoneInUse) -> None:
    """Show why nothing was saved: field errors, or numbers to confirm as shared."""
    db.session.rollback()
    if isinstance(exc, PhoneInUse):
        form.confirm_sharing(exc.numbers)
        form.shared = exc
    else:
        form.show_errors(exc.errors)


def _render_form(form: CustomerForm, customer: Customer | None) -> Any:
    form.offer_empty_phone()
    status = 409 if form.shared is not None else _status()
    return render_template(
        "customers/form.html", form=form, customer=customer, shared=form.shared
    ), status


@bp.route("/new", methods=["GET", "POST"])
@requires("customers.view")
def create() -> ResponseReturnValue:
    """Create a customer; a mobile number someone else has needs a second 'Save'."""
    form = CustomerForm()
    if form.validate_on_submit():
        try:
            customer = create_customer(
                form.to_data(), signed_in_user(), form.confirmed_numbers()
            )
        except (CustomerInvalid, PhoneInUse) as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(f"{customer.display_name} is saved as {customer.code}.", "success")
            if get_visible_customer(signed_in_user(), customer.id) is None:
                return redirect(url_for("customers.index"))
            return redirect(url_for("customers.detail", customer_id=customer.id))
    elif form.is_submitted():
        _check_all_fields(form)
    return _render_form(form, None)


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
@requires("customers.view")
def edit(customer_id: int) -> ResponseReturnValue:
    """Change a customer's details, numbers, credit limit and consent."""
    customer = _customer_or_404(customer_id)
    form = CustomerForm(data=customer_form_data(customer))
    del form.note
    if form.validate_on_submit():
        try:
            changed = update_customer(
                customer, form.to_data(), signed_in_user(), form.confirmed_numbers()
            )
        except (CustomerInvalid, PhoneInUse) as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            message = f"{customer.code} is saved." if changed else "Nothing changed."
            flash(message, "success")
            return redirect(url_for("customers.detail", customer_id=customer.id))
    elif form.is_submitted():
        _check_all_fields(form)
    return _render_form(form, customer)


# The customer page, notes and departments --------------------------------------------


def _money_of(customer: Customer, pages: dict[str, int]) -> CustomerMoney | None:
    """Return the purchases, payments and totals, only for holders of sales.view.

    The customer page is the edge where customers meet sales and repairs: those
    modules own the selects, so customers' models and services never import them.
    """
    if not can("sales.view"):
        return None
    return customer_money(
        customer.id,
        sales_page=pages["sales_page"],
        payments_page=pages["payments_page"],
        per_page=MONEY_PER_PAGE,
    )


PAGE_PARAMS = ("sales_page", "payments_page", "repairs_page", "devices_page")


def _page_args() -> dict[str, int]:
    """Return the page each section of the customer page is on (1 when unset)."""
    return {
        name: max(request.args.get(name, 1, type=query_int) or 1, 1)
        for name in PAGE_PARAMS
    }


def _history_of(customer: Customer, pages: dict[str, int]) -> dict[str, Any]:
    """Return the repairs and devices sections, as far as the viewer may see them."""
    if not can("repairs.view"):
        return {"repairs": None, "repair_rows": [], "devices": None}
    viewer = signed_in_user()
    repairs, rows = customer_repairs(
        viewer,
        customer.id,
        pages["repairs_page"],
        MONEY_PER_PAGE,
        with_money=shows_details,
    )
    devices = customer_devices(
        viewer,
        customer.id,
        pages["devices_page"],
        MONEY_PER_PAGE,
        with_purchases=can("sales.view"),
    )
    return {"repairs": repairs, "repair_rows": rows, "devices": devices}


def _render_detail(
    customer: Customer,
    note_form: NoteForm | None = None,
    department_form: DepartmentForm | None = None,
) -> Any:
    pages = _page_args()
    return render_template(
        "customers/detail.html",
        customer=customer,
        departments=[d for d in customer.departments if not d.is_archived],
        notes=list_notes(customer.id),
        note_form=note_form or NoteForm(formdata=None),
        department_form=department_form or DepartmentForm(formdata=None),
        kind_labels=KIND_LABELS,
        money=_money_of(customer, pages),
        pages=pages,
        **_history_of(customer, pages),
    ), _status()


def _flash_refusal(customer: Customer, exc: DomainError) -> ResponseReturnValue:
    """Flash a refusal that concerns no field and go back to the customer page."""
    flash(exc.message, "danger")
    return redirect(url_for("customers.detail", customer_id=customer.id))


@bp.get("/<int:customer_id>")
@requires("customers.view")
def detail(customer_id: int) -> ResponseReturnValue:
    """Show a customer: details, money, departments and notes. A merged one leads on."""
    customer = get_visible_customer(signed_in_user(), customer_id, include_merged=True)
    if customer is None:
        abort(404)
    if customer.is_merged:
        try:
            live = resolve_customer(customer.id, signed_in_user())
        except DomainError:
            abort(404)
        flash(f"{customer.code} was merged into {live.code}.", "info")
        return redirect(url_for("customers.detail", customer_id=live.id))
    return _render_detail(customer)


@bp.post("/<int:customer_id>/notes")
@requires("customers.view")
def note_add(customer_id: int) -> ResponseReturnValue:
    """Add a dated note to a customer."""
    customer = _customer_or_404(customer_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            add_customer_note(customer, form.body.data or "", signed_in_user())
        except DomainError as exc:
            db.session.rollback()
            if exc.field is None:
                return _flash_refusal(customer, exc)
            form.body.errors = [*form.body.errors, exc.message]
        else:
            db.session.commit()
            flash("The note is added.", "success")
            return redirect(url_for("customers.detail", customer_id=customer.id))
    return _render_detail(customer, note_form=form)


@bp.post("/<int:customer_id>/departments")
@requires("customers.view")
def department_add(customer_id: int) -> ResponseReturnValue:
    """Add a department or branch to a business or government customer."""
    customer = _customer_or_404(customer_id)
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            department = add_department(
                customer,
                form.name.data or "",
                form.contact_name.data or "",
                signed_in_user(),
            )
        except DomainError as exc:
            db.session.rollback()
            if exc.field is None:
                return _flash_refusal(customer, exc)
            form.name.errors = [*form.name.errors, exc.message]
        else:
            db.session.commit()
            flash(f"{department.name} is added.", "success")
            return redirect(url_for("customers.detail", customer_id=customer.id))
    return _render_detail(customer, department_form=form)


@bp.post("/<int:customer_id>/departments/<int:department_id>/remove")
@requires("customers.view")
def department_remove(customer_id: int, department_id: int) -> ResponseReturnValue:
    """Take a department off the customer page (kept for old documents)."""
    customer = _customer_or_404(customer_id)
    department = db.session.get(CustomerDepartment, department_id)
    if department is None or department.customer_id != customer.id:
        abort(404)
    remove_department(department, signed_in_user())
    db.session.commit()
    flash(f"{department.name} is removed.", "success")
    return redirect(url_for("customers.detail", customer_id=customer.id))


# Merging -----------------------------------------------------------------------------


def _merge_page(customer: Customer, form: MergeForm | None = None) -> Any:
    actor = signed_in_user()
    code = request.args.get("duplicate", "").strip()[:16]
    duplicate, problem = None, None
    if form is not None:
        duplicate = get_visible_customer(actor, form.duplicate_id.data or 0)
        if duplicate is None:
            problem = "Choose the duplicate to merge."
    elif code:
        duplicate = find_visible_by_code(actor, code)
        if duplicate is None:
            problem = f"No customer has the code {code}."
        elif duplicate.id == customer.id:
            duplicate, problem = None, "That is this customer: choose the duplicate."
    if duplicate is not None and form is None:
        form = MergeForm(formdata=None, data={"duplicate_id": duplicate.id})
    return render_template(
        "customers/merge.html",
        customer=customer,
        duplicate=duplicate,
        problem=problem,
        code=code,
        form=form,
        suggestions=possible_duplicates(actor, customer),
        kind_labels=KIND_LABELS,
    ), _status()


@bp.route("/<int:customer_id>/merge", methods=["GET", "POST"])
@requires("customers.merge")
def merge(customer_id: int) -> ResponseReturnValue:
    """Merge a duplicate into this customer, after a confirmation (ADMIN only)."""
    customer = _customer_or_404(customer_id)
    if request.method == "GET":
        return _merge_page(customer)
    form = MergeForm()
    if form.validate_on_submit():
        duplicate = get_visible_customer(signed_in_user(), form.duplicate_id.data or 0)
        if duplicate is None:
            abort(404)
        try:
            summary = merge_customers(customer, duplicate, signed_in_user())
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                f"{duplicate.code} is merged into {customer.code}: "
                f"{len(summary.numbers)} number(s), {len(summary.departments)} "
                f"department(s) and {summary.notes} note(s) moved.",
                "success",
            )
            return redirect(url_for("customers.detail", customer_id=customer.id))
    return _merge_page(customer, form)


# JSON for the point of sale and repair intake ---------------------------------------


def customer_json(customer: Customer) -> dict[str, Any]:
    """Return what a picker needs to show and choose a customer."""
    return {
        "id": customer.id,
        "code": customer.code,
        "kind": customer.kind,
        "name": customer.name,
        "business_name": customer.business_name,
        "display_name": customer.display_name,
        "mobile": customer.primary_phone.display if customer.primary_phone else "",
        "mobiles": [phone.display for phone in customer.phones],
        "email": customer.email or "",
        "url": url_for("customers.detail", customer_id=customer.id),
    }


@bp.get("/search")
@requires("customers.view")
def search() -> ResponseReturnValue:
    """Return up to 10 customers matching ?q= by name, business, phone, e-mail, code."""
    found = search_customers(signed_in_user(), request.args.get("q", ""))
    return jsonify({"customers": [customer_json(c) for c in found]})


@bp.post("/quick")
@requires("customers.view")
def quick_create() -> ResponseReturnValue:
    """Create a customer from {"name", "mobile"}, or return who already has the
    number ("existing": true)."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify({"error": 'Send JSON: {"name": ..., "mobile": ...}.'}), 400
    name = strip_single_line(str(payload.get("name") or ""))[:200]
    mobile = strip_single_line(str(payload.get("mobile") or ""))[:64]
    try:
        result = quick_create_customer(name, mobile, signed_in_user())
    except CustomerInvalid as exc:
        db.session.rollback()
        return jsonify({"error": exc.message, "errors": exc.errors}), 422
    except PhoneInUse as exc:
        db.session.rollback()
        message = f"{exc.message} Ask the counter to find them for you."
        return jsonify({"error": message}), 409
    db.session.commit()
    body = {"customer": customer_json(result.customer), "existing": result.existing}
    return jsonify(body), 200 if result.existing else 201
