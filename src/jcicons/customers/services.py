"""Customer use cases: create, edit, quick-create, notes, departments and merging.

Every change writes an audit row in the same transaction. Services flush but never
commit. Contact details never go to the log, only to the audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from jcicons.audit.services import record_audit
from jcicons.clock import utcnow
from jcicons.customers.checks import (
    MAX_NOTE,
    CustomerData,
    CustomerInvalid,
    check_customer_data,
    one_line,
)
from jcicons.customers.models import (
    Customer,
    CustomerDepartment,
    CustomerNote,
    CustomerPhone,
)
from jcicons.customers.phones import InvalidMobile, normalise_mobile
from jcicons.customers.queries import (
    customers_with_numbers,
    visible_customers,
    visible_ids,
)
from jcicons.exceptions import DomainError, NotFound, PermissionDenied
from jcicons.extensions import db
from jcicons.money import format_pesos
from jcicons.numbering import next_number
from jcicons.security.capabilities import role_can

if TYPE_CHECKING:
    from jcicons.auth.models import User

logger = logging.getLogger(__name__)


# Shared mobile numbers -------------------------------------------------------------


@dataclass
class PhoneOwner:
    """A number typed for one customer that another already has.

    `customer` is None when the user may not see who that is.
    """

    number: str
    customer: Customer | None


class PhoneInUse(DomainError):
    """Numbers that belong to other customers and were not confirmed as shared."""

    status_code = 409

    def __init__(self, owners: list[PhoneOwner]) -> None:
        super().__init__(
            "This mobile number already belongs to another customer."
            if len({owner.number for owner in owners}) == 1
            else "These mobile numbers already belong to other customers."
        )
        self.owners = owners

    @property
    def numbers(self) -> list[str]:
        """Return the shared numbers, each once, in the order found."""
        return list(dict.fromkeys(owner.number for owner in self.owners))


def phone_owners(
    numbers: Collection[str], viewer: User, exclude_id: int | None = None
) -> list[PhoneOwner]:
    """Return who else holds these numbers, hiding customers `viewer` may not see."""
    found = customers_with_numbers(numbers, exclude_id)
    allowed = visible_ids(viewer, {customer.id for _, customer in found})
    return [
        PhoneOwner(number, customer if customer.id in allowed else None)
        for number, customer in found
    ]


def _refuse_unconfirmed_sharing(
    numbers: list[str],
    actor: User,
    shared_ok: Collection[str],
    exclude_id: int | None = None,
) -> None:
    unconfirmed = [number for number in numbers if number not in shared_ok]
    owners = phone_owners(unconfirmed, actor, exclude_id)
    if owners:
        raise PhoneInUse(owners)


# Create and edit -------------------------------------------------------------------


def customer_snapshot(customer: Customer) -> dict[str, Any]:
    """Return the audited fields of a customer."""
    return {
        "code": customer.code,
        "kind": customer.kind,
        "name": customer.name,
        "business_name": customer.business_name,
        "phones": [phone.number for phone in customer.phones],
        "email": customer.email,
        "address": customer.address,
        "tin": customer.tin,
        "credit_limit_centavos": customer.credit_limit_centavos,
        "has_contact_consent": customer.has_contact_consent,
    }


def may_set_credit_limit(actor: User) -> bool:
    """Return True when the actor may set credit limits (ADMIN only)."""
    return role_can(actor.role, "customers.credit_limit", {})


def _credit_limit_for(actor: User, asked: int, current: int) -> int:
    """Return the credit limit to store: what was asked, from an ADMIN.

    Anyone else keeps the current limit (none for a new customer); their asking
    for another is refused without stopping the rest of the change, and the
    refusal is written to the audit trail.
    """
    return current if _limit_refused(actor, asked, current) else asked


def _limit_refused(actor: User, asked: int, current: int) -> bool:
    """Return True when someone other than an ADMIN asks for another limit."""
    return asked != current and not may_set_credit_limit(actor)


def _audit_refused_limit(
    actor: User, customer: Customer, asked: int, current: int
) -> None:
    if not _limit_refused(actor, asked, current):
        return
    record_audit(
        actor,
        "customer.credit_limit_refused",
        "customer",
        customer.id,
        {"credit_limit_centavos": current},
        {"credit_limit_centavos": current, "asked_centavos": asked},
    )
    logger.warning(
        "credit limit of %s not changed: %s may not set limits",
        customer.code,
        actor.username,
    )


def _new_code() -> str:
    return f"C-{next_number('customer'):06d}"


def _add_note(customer: Customer, body: str, actor: User | None) -> CustomerNote:
    note = CustomerNote(
        customer_id=customer.id,
        body=body,
        author_id=actor.id if actor is not None else None,
    )
    db.session.add(note)
    return note


def create_customer(
    data: CustomerData, actor: User, shared_ok: Collection[str] = ()
) -> Customer:
    """Create a customer numbered C-000001, C-000002, ... with a first note.

    Only an ADMIN gives a credit limit: anyone else's customer starts with none,
    and the refused limit is audited. Raises CustomerInvalid for bad input, and
    PhoneInUse when a number already belongs to someone else and is not listed in
    `shared_ok` (confirmed as shared).
    """
    clean = check_customer_data(data)
    _refuse_unconfirmed_sharing(clean.numbers, actor, shared_ok)
    limit = _credit_limit_for(actor, clean.credit_limit_centavos, 0)
    customer = Customer(
        code=_new_code(),
        kind=clean.kind,
        name=clean.name,
        business_name=clean.business_name,
        email=clean.email,
        address=clean.address,
        tin=clean.tin,
        credit_limit_centavos=limit,
        has_contact_consent=clean.has_contact_consent,
        contact_consent_at=utcnow() if clean.has_contact_consent else None,
        created_by_id=actor.id,
    )
    customer.phones = [CustomerPhone(number=number) for number in clean.numbers]
    db.session.add(customer)
    db.session.flush()
    if clean.note:
        _add_note(customer, clean.note, actor)
    record_audit(
        actor,
        "customer.create",
        "customer",
        customer.id,
        None,
        customer_snapshot(customer),
    )
    _audit_refused_limit(actor, customer, clean.credit_limit_centavos, 0)
    logger.info("customer %s created by %s", customer.code, actor.username)
    return customer


def update_customer(
    customer: Customer,
    data: CustomerData,
    actor: User,
    shared_ok: Collection[str] = (),
) -> bool:
    """Change a customer's details; return False when nothing changed.

    Consent keeps the time it was last given or withdrawn. Only an ADMIN changes
    the credit limit: anyone else's asking for another is left out of the change
    and audited as refused. Raises CustomerInvalid and PhoneInUse as
    `create_customer` does; a merged customer cannot change.
    """
    if customer.is_merged:
        raise DomainError("This customer was merged into another and cannot change.")
    clean = check_customer_data(data)
    _refuse_unconfirmed_sharing(clean.numbers, actor, shared_ok, customer.id)
    before = customer_snapshot(customer)
    current_limit = customer.credit_limit_centavos
    for name in ("kind", "name", "business_name", "email", "address", "tin"):
        setattr(customer, name, getattr(clean, name))
    customer.credit_limit_centavos = _credit_limit_for(
        actor, clean.credit_limit_centavos, current_limit
    )
    if clean.has_contact_consent != customer.has_contact_consent:
        customer.has_contact_consent = clean.has_contact_consent
        customer.contact_consent_at = utcnow()
    # Numbers no longer listed are deleted (orphans); the others keep their rows.
    kept = [phone for phone in customer.phones if phone.number in clean.numbers]
    have = {phone.number for phone in kept}
    customer.phones = kept + [
        CustomerPhone(number=number) for number in clean.numbers if number not in have
    ]
    after = customer_snapshot(customer)
    _audit_refused_limit(actor, customer, clean.credit_limit_centavos, current_limit)
    if after == before:
        return False
    db.session.flush()
    record_audit(actor, "customer.update", "customer", customer.id, before, after)
    logger.info("customer %s changed by %s", customer.code, actor.username)
    return True


@dataclass
class QuickResult:
    """The customer a quick-create gives back, and whether they existed already."""

    customer: Customer
    existing: bool


def quick_create_customer(name: str, mobile: str, actor: User) -> QuickResult:
    """Create a customer from a name and mobile number at the counter or intake.

    When the number already belongs to a customer the actor may see, return that
    customer instead (the oldest, if several share it). Raises CustomerInvalid
    for bad input, and PhoneInUse when the number belongs only to customers the
    actor may not see.
    """
    try:
        number = normalise_mobile(mobile)
    except InvalidMobile as exc:
        raise CustomerInvalid({"mobile": exc.message}) from exc
    owners = phone_owners([number], actor)
    for owner in owners:
        if owner.customer is not None:
            return QuickResult(owner.customer, existing=True)
    if owners:
        raise PhoneInUse(owners)
    try:
        customer = create_customer(CustomerData(name=name, phones=[number]), actor)
    except CustomerInvalid as exc:
        errors = {
            "mobile" if key.startswith("phones-") else key: message
            for key, message in exc.errors.items()
        }
        raise CustomerInvalid(errors) from exc
    return QuickResult(customer, existing=False)


# Notes and departments -------------------------------------------------------------


def add_customer_note(customer: Customer, body: str, actor: User) -> CustomerNote:
    """Add a dated note by the actor. Raises DomainError for an empty or long one."""
    body = body.strip()
    if not body:
        raise DomainError("Write the note first.", field="body")
    if len(body) > MAX_NOTE:
        raise DomainError(f"A note has at most {MAX_NOTE:,} characters.", field="body")
    if customer.is_merged:
        raise DomainError("This customer was merged into another.")
    note = _add_note(customer, body, actor)
    db.session.flush()
    record_audit(
        actor, "customer.note", "customer", customer.id, None, {"note_id": note.id}
    )
    return note


def add_department(
    customer: Customer, name: str, contact_name: str, actor: User
) -> CustomerDepartment:
    """Add a department or branch to a business or government customer.

    Raises DomainError for an individual, a blank name or a name already in use.
    """
    name, contact_name = one_line(name), one_line(contact_name)
    if not customer.has_departments or customer.is_merged:
        raise DomainError("Only businesses and government offices have departments.")
    if not name:
        raise DomainError("Enter the department or branch name.", field="name")
    if len(name) > 120 or len(contact_name) > 120:
        raise DomainError("Names have at most 120 characters.", field="name")
    taken = {d.name.lower() for d in customer.departments if not d.is_archived}
    if name.lower() in taken:
        raise DomainError(f"{customer.display_name} already has {name}.", field="name")
    department = CustomerDepartment(name=name, contact_name=contact_name)
    customer.departments.append(department)
    db.session.flush()
    record_audit(
        actor,
        "customer.department_add",
        "customer",
        customer.id,
        None,
        {"department_id": department.id, "name": name, "contact_name": contact_name},
    )
    return department


def remove_department(department: CustomerDepartment, actor: User) -> None:
    """Hide a department from the customer page; the row stays for old documents."""
    if department.is_archived:
        return
    department.is_archived = True
    record_audit(
        actor,
        "customer.department_remove",
        "customer",
        department.customer_id,
        {"department_id": department.id, "name": department.name},
        None,
    )


# Merging ---------------------------------------------------------------------------

FILLED_ON_MERGE = ("business_name", "email", "address", "tin")


@dataclass
class MergeSummary:
    """What moved from the merged customer to the kept one."""

    numbers: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    notes: int = 0
    filled: list[str] = field(default_factory=list)


def merge_customers(kept: Customer, merged: Customer, actor: User) -> MergeSummary:
    """Merge a duplicate into the customer that stays (ADMIN only).

    The kept customer takes the duplicate's mobile numbers, departments and notes,
    and any of its business name, e-mail, address and TIN that the kept one lacks.
    The duplicate is never deleted: it is marked merged into the kept customer and
    hidden. Raises PermissionDenied for anyone but an ADMIN, and DomainError when
    the two are the same or either is already merged.
    """
    if not role_can(actor.role, "customers.merge", {}):
        raise PermissionDenied("Only an ADMIN may merge customers.")
    if kept.id == merged.id:
        raise DomainError("Choose a different customer to merge.")
    if kept.is_merged or merged.is_merged:
        raise DomainError("One of these customers has already been merged.")
    summary = MergeSummary()
    have = {phone.number for phone in kept.phones}
    for phone in list(merged.phones):
        if phone.number not in have:
            phone.customer = kept
            summary.numbers.append(phone.number)
    names = {d.name.lower() for d in kept.departments if not d.is_archived}
    for department in list(merged.departments):
        if department.is_archived or department.name.lower() in names:
            continue
        department.customer = kept
        summary.departments.append(department.name)
    for note in db.session.scalars(
        select(CustomerNote).where(CustomerNote.customer_id == merged.id)
    ):
        note.customer_id = kept.id
        summary.notes += 1
    for name in FILLED_ON_MERGE:
        if not getattr(kept, name) and getattr(merged, name):
            setattr(kept, name, getattr(merged, name))
            summary.filled.append(name)
    merged.merged_into_id = kept.id
    merged.merged_at = utcnow()
    _add_note(
        kept,
        f"{merged.code} ({merged.display_name}) was merged into this customer.",
        actor,
    )
    db.session.flush()
    moved = {
        "merged": merged.code,
        "numbers": summary.numbers,
        "departments": summary.departments,
        "notes": summary.notes,
        "filled": summary.filled,
    }
    record_audit(actor, "customer.merge", "customer", kept.id, None, moved)
    record_audit(
        actor,
        "customer.merged_into",
        "customer",
        merged.id,
        {"merged_into": None},
        {"merged_into": kept.code},
    )
    logger.info(
        "customer %s merged into %s by %s", merged.code, kept.code, actor.username
    )
    return summary


# For the sales and repairs modules ---------------------------------------------------


def live_customer(customer_id: int) -> Customer | None:
    """Return the customer an id stands for now, following merges (None if none).

    A merge loop, which merging refuses to make, stops at the first customer met
    twice, still merged.
    """
    customer = db.session.get(Customer, customer_id)
    seen: set[int] = set()
    while customer is not None and customer.is_merged and customer.id not in seen:
        seen.add(customer.id)
        customer = customer.merged_into
    return customer


def resolve_customer(customer_id: int, viewer: User) -> Customer:
    """Return the live customer for an id, following merges, if `viewer` may see it.

    A sale or repair that names a merged customer lands on the one it was merged
    into. Raises NotFound otherwise.
    """
    customer = live_customer(customer_id)
    if customer is None or customer.is_merged:
        raise NotFound("No such customer.")
    if (
        db.session.scalar(visible_customers(viewer).where(Customer.id == customer.id))
        is None
    ):
        raise NotFound("No such customer.")
    return customer


class CreditLimitExceeded(DomainError):
    """A charge on account would take the customer past their credit limit."""


def check_credit(
    customer: Customer, open_balance_centavos: int, charge_centavos: int
) -> None:
    """Allow a charge on account only within the customer's credit limit.

    The sales module knows the open balance; this rule knows the limit. Raises
    CreditLimitExceeded when balance plus charge would pass the limit.
    """
    if open_balance_centavos + charge_centavos <= customer.credit_limit_centavos:
        return
    available = max(customer.credit_limit_centavos - open_balance_centavos, 0)
    raise CreditLimitExceeded(
        f"{customer.display_name} may owe at most "
        f"{format_pesos(customer.credit_limit_centavos)}: "
        f"{format_pesos(available)} of credit is left."
    )
