"""A repair ticket's life planned in advance: intake, then dated steps.

Pure functions of a `random.Random`: the same seed plans the same tickets. A plan
follows the workflow's allowed transitions, so both builds can play it: the small
demo through the repair services (`repairs.RepairDesk`), the large one into rows
(`repair_bulk`). Steps at or after the cutoff (now) are left out, so the newest
tickets stop wherever the day finds them: received, diagnosing, waiting for the
customer's answer or for parts, in repair, ready for pickup.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from jcicons.clock import shop_zone
from jcicons.demo.common import local_moment
from jcicons.demo.repair_catalogue import (
    ACCESSORIES_LEFT,
    ACCESSORY_NOTES,
    APPROVAL_CALLS,
    COMEBACK_PROBLEMS,
    CONDITION_NOTES,
    CREDIT_REASONS,
    DECLINED_NOTES,
    DEVICE_MIX,
    DEVICES,
    FAULTS,
    ID_SHOWN,
    PASSCODES,
    PULLED_OUT_NOTES,
    READY_CALLS,
    RELATIVES,
    TECH_NOTES,
    UNCLAIMED_CALLS,
    WAIVER_REASONS,
    WARRANTY_DAYS,
    Device,
    Fault,
)
from jcicons.demo.serials import SerialMaker
from jcicons.repairs.models import CONDITION_CHECKS, Priority, RepairStatus

S = RepairStatus
VISITS_PER_DAY = (1, 4)
# A few days of the year the shop is shut.
CLOSED_ON = ((12, 25), (1, 1))


class Act(StrEnum):
    """What a step does; the counter does some, the technician the others."""

    ASSIGN = "assign"  # the technician takes the ticket (value: technician)
    REASSIGN = "reassign"  # ADMIN gives it to another technician (value)
    STATUS = "status"  # technician: value = new status, text = note
    DIAGNOSIS = "diagnosis"  # technician: text
    LABOUR = "labour"  # technician adds a service: value = its name
    PART = "part"  # technician uses a part from stock: value = kind of part
    TECH_NOTE = "tech_note"  # technician: text
    ESTIMATE = "estimate"  # counter records the answer: value APPROVED/DECLINED
    NOTE = "note"  # counter: text (calls to the customer)
    DISCOUNT = "discount"  # counter: amount in centavos
    WAIVE = "waive"  # ADMIN waives all charges: text = reason
    SETTLE = "settle"  # counter takes the balance (or refunds an overpayment)
    RELEASE = "release"  # counter: value = to whom, text = ID shown
    RELEASE_ON_CREDIT = "release_on_credit"  # ADMIN: value, text = reason
    COLLECT = "collect"  # counter collects what a credit release left owing
    COMEBACK = "comeback"  # the customer returns under warranty: text = problem


@dataclass(frozen=True)
class Step:
    """One dated thing done to a ticket; `value`, `text` and `amount` per `act`."""

    moment: datetime
    act: Act
    value: str = ""
    text: str = ""
    amount: int = 0


@dataclass
class TicketPlan:
    """Everything written at intake, and the steps that follow it."""

    moment: datetime
    device: Device
    fault: Fault
    problem: str
    serial: str = ""
    accessories: list[str] = field(default_factory=list)
    accessories_note: str = ""
    condition: dict[str, str] = field(default_factory=dict)
    condition_notes: str = ""
    passcode: str = ""
    asked: list[str] = field(default_factory=list)
    priority: str = Priority.NORMAL.value
    promised_date: date | None = None
    fee_centavos: int = 0
    deposit: tuple[str, int] | None = None  # (method, centavos)
    technician: int | None = None
    steps: list[Step] = field(default_factory=list)
    original: TicketPlan | None = None

    @property
    def warranty_days(self) -> int:
        """Return the longest warranty of the labour the plan adds."""
        names = [*self.asked, *self.fault.labour]
        return max((WARRANTY_DAYS[name] for name in names), default=0)


def plan_visits(
    rng: random.Random, start: date, end: date, per_day: tuple[int, int]
) -> list[datetime]:
    """Return the intake moments of every open day from `start` up to `end`."""
    moments = []
    day = start
    while day < end:
        if (day.month, day.day) not in CLOSED_ON:
            busy = (
                per_day if day.weekday() != 6 else (per_day[0], max(per_day[1] - 1, 0))
            )
            for _ in range(rng.randint(*busy)):
                moments.append(local_moment(day, rng.randrange(9 * 60, 18 * 60 + 30)))
        day += timedelta(days=1)
    return sorted(moments)


class Planner:
    """Plan tickets for one shop: its technicians, serials and cutoff."""

    def __init__(
        self,
        rng: random.Random,
        maker: SerialMaker,
        technicians: int,
        cutoff: datetime,
    ) -> None:
        self.rng = rng
        self.maker = maker
        self.technicians = technicians
        self.cutoff = cutoff
        kinds = [kind for kind, _ in DEVICE_MIX]
        self._kinds = kinds
        self._kind_weights = [weight for _, weight in DEVICE_MIX]
        self._faults = {
            kind: [f for f in FAULTS if kind in f.device_types] for kind in kinds
        }

    # Moments ---------------------------------------------------------------------

    def _later(self, moment: datetime, days: int, hours: float = 3.0) -> datetime:
        """Return a moment `days` shop days on (the same day: within some hours)."""
        if days <= 0:
            return moment + timedelta(minutes=self.rng.randint(10, int(hours * 60)))
        day = moment.astimezone(shop_zone()).date() + timedelta(days=days)
        if (day.month, day.day) in CLOSED_ON:
            day += timedelta(days=1)
        return local_moment(day, self.rng.randrange(9 * 60, 18 * 60 + 30))

    def _soon(self, moment: datetime) -> datetime:
        return moment + timedelta(minutes=self.rng.randint(2, 25))

    # Intake ----------------------------------------------------------------------

    def ticket(
        self, moment: datetime, customer_name: str, business: bool
    ) -> TicketPlan:
        """Plan a new ticket brought in at `moment`, and its life up to the cutoff."""
        rng = self.rng
        kind = rng.choices(self._kinds, self._kind_weights)[0]
        device = rng.choice(DEVICES[kind])
        faults = self._faults[kind]
        fault = rng.choices(faults, [f.weight for f in faults])[0]
        plan = TicketPlan(
            moment=moment,
            device=device,
            fault=fault,
            problem=rng.choice(fault.problems),
            serial=self.maker.serial(device.serial_spec())
            if device.serial_kind
            else "",
            asked=list(fault.asked),
        )
        self._describe(plan)
        self._money_and_dates(plan, business)
        if rng.random() < 0.55:
            plan.technician = rng.randrange(self.technicians)
        plan.steps = self._life(plan, customer_name, business)
        return plan

    def _describe(self, plan: TicketPlan) -> None:
        """Accessories, the condition checklist and a passcode, as staff write them."""
        rng = self.rng
        kind = plan.device.device_type
        plan.accessories = [
            name for name, share in ACCESSORIES_LEFT[kind] if rng.random() < share
        ]
        if rng.random() < 0.1:
            plan.accessories_note = rng.choice(ACCESSORY_NOTES)
        answers: dict[str, str] = {}
        for key, _ in CONDITION_CHECKS:
            if key == "keyboard_ok" and kind not in {"LAPTOP", "DESKTOP"}:
                continue
            if rng.random() < 0.85:
                unusual = rng.random() < 0.05
                # Two checks ask about a problem: "yes" is the unusual answer there.
                asks_about_damage = key in {"water_damage", "missing_screws"}
                answers[key] = "yes" if unusual == asks_about_damage else "no"
        answers.update(dict(plan.fault.condition))
        plan.condition = answers
        if rng.random() < 0.3:
            plan.condition_notes = rng.choice(CONDITION_NOTES)
        if kind in {"PHONE", "TABLET"} and rng.random() < 0.6:
            plan.passcode = rng.choice(PASSCODES)
        elif kind == "LAPTOP" and rng.random() < 0.35:
            plan.passcode = rng.choice(PASSCODES[:4])

    def _money_and_dates(self, plan: TicketPlan, business: bool) -> None:
        rng = self.rng
        kind = plan.device.device_type
        if plan.fault.estimate:
            plan.fee_centavos = 300_00 if kind in {"LAPTOP", "DESKTOP"} else 200_00
        plan.priority = rng.choices(
            [p.value for p in Priority],
            (8, 80, 8, 4) if not business else (4, 70, 18, 8),
        )[0]
        if rng.random() < 0.85:
            days = rng.randint(3, 7) if plan.fault.estimate else rng.randint(1, 3)
            day = plan.moment.astimezone(shop_zone()).date()
            plan.promised_date = day + timedelta(days=days)
        if plan.fault.estimate and rng.random() < 0.25:
            plan.deposit = (rng.choice(("CASH", "CASH", "GCASH")), 500_00)
        elif plan.asked and len(plan.asked) > 1 and rng.random() < 0.2:
            plan.deposit = ("CASH", 500_00)

    # The life of a ticket -----------------------------------------------------------

    def _life(self, plan: TicketPlan, customer_name: str, business: bool) -> list[Step]:
        rng = self.rng
        fault = plan.fault
        steps: list[Step] = []
        at = plan.moment
        technician = plan.technician
        if technician is None:
            at = self._later(at, 0, hours=4)
            technician = rng.randrange(self.technicians)
            steps.append(Step(at, Act.ASSIGN, str(technician)))
        if rng.random() < 0.03:
            at = self._later(at, rng.randint(1, 3))
            steps.append(
                Step(at, Act.STATUS, S.PULLED_OUT, rng.choice(PULLED_OUT_NOTES))
            )
            return self._cut(self._claim(steps, at, customer_name, business, True))

        # A busy week leaves some devices in the queue for days.
        queue = rng.randint(4, 8) if rng.random() < 0.08 else rng.choice((0, 1, 1, 2))
        at = self._later(at, queue)
        steps.append(Step(at, Act.STATUS, S.DIAGNOSING))
        if self.technicians > 1 and rng.random() < 0.05:
            others = [t for t in range(self.technicians) if t != technician]
            steps.append(Step(self._soon(at), Act.REASSIGN, str(rng.choice(others))))
        at = self._later(at, rng.choice((0, 0, 0, 1)))
        if rng.random() < fault.unrepairable:
            steps.append(Step(at, Act.DIAGNOSIS, text=fault.finding_if_not))
            steps.append(Step(self._soon(at), Act.STATUS, S.UNREPAIRABLE))
            if plan.fee_centavos and rng.random() < 0.2:
                reason = rng.choice(WAIVER_REASONS)
                steps.append(Step(self._soon(at), Act.WAIVE, text=reason))
            at = self._pickup(steps, at)
            return self._cut(self._claim(steps, at, customer_name, business))

        steps.append(Step(at, Act.DIAGNOSIS, text=fault.finding))
        for name in fault.labour:
            steps.append(Step(self._soon(at), Act.LABOUR, name))
        if fault.estimate:
            at = self._soon(at)
            steps.append(Step(at, Act.STATUS, S.WAITING_APPROVAL))
            at = self._answer(steps, at)
            if rng.random() < 0.12:
                note = rng.choice(DECLINED_NOTES)
                steps.append(Step(at, Act.ESTIMATE, "DECLINED", note))
                end = rng.choice((S.CANCELLED, S.CANCELLED, S.PULLED_OUT))
                steps.append(
                    Step(self._soon(at), Act.STATUS, end, "Estimate declined.")
                )
                at = self._pickup(steps, at)
                return self._cut(self._claim(steps, at, customer_name, business))
            steps.append(Step(at, Act.ESTIMATE, "APPROVED"))
        if fault.parts and rng.random() < 0.4:
            at = self._soon(at)
            ordered = "Part ordered from the supplier."
            steps.append(Step(at, Act.STATUS, S.WAITING_PARTS, ordered))
            if rng.random() < 0.2:
                late = "Supplier backorder; part expected in two to three weeks."
                at = self._later(at, rng.randint(2, 5))
                steps.append(Step(at, Act.TECH_NOTE, text=late))
                at = self._later(at, rng.randint(10, 25))
            else:
                at = self._later(at, rng.randint(2, 7))
        at = self._soon(at)
        steps.append(Step(at, Act.STATUS, S.IN_REPAIR))
        for kind in fault.parts:
            steps.append(Step(self._soon(at), Act.PART, kind))
        if rng.random() < 0.2:
            note = rng.choice(TECH_NOTES)
            steps.append(Step(self._soon(at), Act.TECH_NOTE, text=note))
        at = self._later(at, rng.choice((0, 0, 1, 1, 2, 3)))
        steps.append(Step(at, Act.STATUS, S.READY, "Repaired and tested."))
        steps.append(Step(self._soon(at), Act.NOTE, text=rng.choice(READY_CALLS)))
        at = self._pickup(steps, at)
        if rng.random() < 0.08:
            discount = rng.choice((100, 200, 300)) * 100
            steps.append(Step(at, Act.DISCOUNT, amount=discount))
        steps = self._claim(steps, at, customer_name, business)
        # Decided before the cut, so the plan draws the same numbers at any hour.
        released = steps[-1]
        days = plan.warranty_days
        if rng.random() < 0.05 and days > 2 and released.act == Act.RELEASE:
            back = self._later(released.moment, rng.randint(2, days - 1))
            steps.append(Step(back, Act.COMEBACK, text=rng.choice(COMEBACK_PROBLEMS)))
        return self._cut(steps)

    def _answer(self, steps: list[Step], asked: datetime) -> datetime:
        """Return when the customer answers the estimate; chase the slow ones."""
        rng = self.rng
        if rng.random() < 0.82:
            return self._later(asked, rng.choice((0, 0, 1, 1, 2, 3)))
        at = asked
        for _ in range(rng.randint(1, 3)):
            at = self._later(at, rng.randint(3, 7))
            steps.append(Step(at, Act.NOTE, text=rng.choice(APPROVAL_CALLS)))
        return self._later(at, rng.randint(1, 5))

    def _pickup(self, steps: list[Step], ready: datetime) -> datetime:
        """Return when the customer comes for the device: soon, late, or only
        after many calls (some never within the history: the unclaimed list)."""
        rng = self.rng
        wait = rng.choices(("soon", "late", "unclaimed"), (76, 14, 10))[0]
        if wait == "soon":
            return self._later(ready, rng.choice((0, 1, 1, 2, 3, 5, 7)))
        if wait == "late":
            return self._later(ready, rng.randint(8, 25))
        at = ready
        for _ in range(rng.randint(2, 5)):
            at = self._later(at, rng.randint(10, 20))
            steps.append(Step(at, Act.NOTE, text=rng.choice(UNCLAIMED_CALLS)))
        return self._later(at, rng.randint(5, 40))

    def _claim(
        self,
        steps: list[Step],
        at: datetime,
        customer_name: str,
        business: bool,
        soon: bool = False,
    ) -> list[Step]:
        """Add the settling and the release at `at` (a business may be released on
        credit and pay later)."""
        rng = self.rng
        who = customer_name
        if not soon and rng.random() < 0.15:
            who = (
                f"{rng.choice(('Ana', 'Mark', 'Joy', 'Rey'))} ({rng.choice(RELATIVES)})"
            )
        shown = rng.choices([i for i, _ in ID_SHOWN], [w for _, w in ID_SHOWN])[0]
        if business and not soon and rng.random() < 0.35:
            steps.append(
                Step(at, Act.RELEASE_ON_CREDIT, who, rng.choice(CREDIT_REASONS))
            )
            later = self._later(at, rng.randint(10, 40))
            steps.append(Step(later, Act.COLLECT, self._method(business)))
            return steps
        steps.append(Step(at, Act.SETTLE, self._method(business)))
        steps.append(Step(self._soon(at), Act.RELEASE, who, shown))
        return steps

    def _method(self, business: bool) -> str:
        methods = ("CASH", "GCASH", "MAYA", "CARD", "BANK_TRANSFER")
        weights = (50, 30, 6, 8, 6) if not business else (25, 20, 5, 10, 40)
        return self.rng.choices(methods, weights)[0]

    def _cut(self, steps: list[Step]) -> list[Step]:
        """Keep the steps before the cutoff (the rest has not happened yet), each
        at least a minute after the one before it."""
        kept: list[Step] = []
        for step in steps:
            if kept and step.moment <= kept[-1].moment:
                step = replace(step, moment=kept[-1].moment + timedelta(minutes=1))
            if step.moment >= self.cutoff:
                break
            kept.append(step)
        return kept

    # Comebacks -------------------------------------------------------------------

    def comeback(
        self, original: TicketPlan, moment: datetime, problem: str, customer_name: str
    ) -> TicketPlan:
        """Plan a warranty comeback: the same technician takes it (a comeback opens
        unassigned), redoes the work free of labour, and it goes back released."""
        rng = self.rng
        plan = TicketPlan(
            moment=moment,
            device=original.device,
            fault=original.fault,
            problem=problem,
            serial=original.serial,
            original=original,
        )
        technician = str(self._last_technician(original))
        at = self._later(moment, rng.choice((0, 1)))
        steps = [
            Step(self._soon(moment), Act.ASSIGN, technician),
            Step(at, Act.STATUS, S.DIAGNOSING),
            Step(
                self._soon(at),
                Act.DIAGNOSIS,
                text="Same fault as before; redone under warranty.",
            ),
        ]
        at = self._later(at, rng.choice((0, 1, 2)))
        steps.append(Step(at, Act.STATUS, S.IN_REPAIR))
        at = self._later(at, rng.choice((0, 1)))
        steps.append(Step(at, Act.STATUS, S.READY, "Fixed under warranty."))
        steps.append(Step(self._soon(at), Act.NOTE, text=rng.choice(READY_CALLS)))
        claimed = self._later(at, rng.choice((0, 1, 2)))
        steps.append(Step(claimed, Act.SETTLE, "CASH"))
        steps.append(
            Step(self._soon(claimed), Act.RELEASE, customer_name, "Claim stub")
        )
        plan.steps = self._cut(steps)
        return plan

    @staticmethod
    def _last_technician(plan: TicketPlan) -> int:
        technician = plan.technician or 0
        for step in plan.steps:
            if step.act in {Act.ASSIGN, Act.REASSIGN}:
                technician = int(step.value)
        return technician
