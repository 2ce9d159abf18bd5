"""Repair rules: intake, statuses, technicians, estimate, parts, money, release.

Every function works in the caller's transaction, flushes but never commits, and
takes the acting user. Who may call what is checked by the views against the
capability table and repeated here for money and release (`require_collect`); the
ownership rule (a TECH works only the tickets assigned to them) lives here, because
it depends on the ticket, not on the role. The package's modules follow a ticket's
life; callers use this package's names (`from jcicons.repairs import services`).
"""

from __future__ import annotations

from jcicons.repairs.services.catalogue import (
    ServiceTypeData,
    active_service_types,
    create_service_type,
    set_service_type_archived,
    update_service_type,
)
from jcicons.repairs.services.intake import (
    IntakeData,
    create_ticket,
    find_ticket_by_key,
    intake_customer,
    reveal_passcode,
)
from jcicons.repairs.services.lines import (
    add_part,
    add_service,
    record_estimate_decision,
    remove_part,
    remove_service,
)
from jcicons.repairs.services.money import (
    TicketFigures,
    find_payment_by_key,
    refund_overpayment,
    set_discount,
    take_payment,
    ticket_balances,
    ticket_figures,
    ticket_money,
    ticket_paid,
    waive_charges,
)
from jcicons.repairs.services.release import (
    open_comeback,
    release_ticket,
)
from jcicons.repairs.services.rules import (
    NEEDS_APPROVAL,
    RELEASABLE,
    TICKET_PREFIX,
    TRANSITIONS,
    DuplicateSerial,
    InvalidTransition,
    may_work,
)
from jcicons.repairs.services.workflow import (
    add_note,
    assign_technician,
    change_status,
    reopen_ticket,
    set_diagnosis,
    take_ticket,
)

__all__ = [
    "NEEDS_APPROVAL",
    "RELEASABLE",
    "TICKET_PREFIX",
    "TRANSITIONS",
    "DuplicateSerial",
    "IntakeData",
    "InvalidTransition",
    "ServiceTypeData",
    "TicketFigures",
    "active_service_types",
    "add_note",
    "add_part",
    "add_service",
    "assign_technician",
    "change_status",
    "create_service_type",
    "create_ticket",
    "find_payment_by_key",
    "find_ticket_by_key",
    "intake_customer",
    "may_work",
    "open_comeback",
    "record_estimate_decision",
    "refund_overpayment",
    "release_ticket",
    "remove_part",
    "remove_service",
    "reopen_ticket",
    "reveal_passcode",
    "set_diagnosis",
    "set_discount",
    "set_service_type_archived",
    "take_payment",
    "take_ticket",
    "ticket_balances",
    "ticket_figures",
    "ticket_money",
    "ticket_paid",
    "update_service_type",
    "waive_charges",
]
