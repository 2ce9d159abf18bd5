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
    add_service_line,
    chosen_services,
    create_service_type,
    set_service_type_archived,
    update_service_type,
)
from jcicons.repairs.services.intake import (
    IntakeData,
    create_ticket,
    find_ticket_by_key,
    intake_customer,
    open_tickets_with_serial,
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
    warranty_end,
)
from jcicons.repairs.services.rules import (
    NEEDS_APPROVAL,
    RELEASABLE,
    TICKET_PREFIX,
    TRANSITIONS,
    DuplicateSerial,
    InvalidTransition,
    chosen_technician,
    hold_open_ticket,
    hold_ticket,
    may_work,
    record_event,
    require_collect,
    require_open,
    require_work,
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
    "add_service_line",
    "assign_technician",
    "change_status",
    "chosen_services",
    "chosen_technician",
    "create_service_type",
    "create_ticket",
    "find_payment_by_key",
    "find_ticket_by_key",
    "hold_open_ticket",
    "hold_ticket",
    "intake_customer",
    "may_work",
    "open_comeback",
    "open_tickets_with_serial",
    "record_estimate_decision",
    "record_event",
    "refund_overpayment",
    "release_ticket",
    "remove_part",
    "remove_service",
    "reopen_ticket",
    "require_collect",
    "require_open",
    "require_work",
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
    "warranty_end",
]
