"""The deadline ledger's vocabulary (pure): its kinds and the notification each becomes, the policy
(reminder days, escalation, send hour, consolidation day), the forms it follows, and what is decided
when an item falls due (a stale reminder is skipped; the consolidation reminder's lists).

What falls due and when: domain/ledger_plan.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bdhvs_shared.catalogue import Catalogue, Form

OVERDUE = "overdue"
ESCALATION = "escalation"
SUMMARY = "summary"
CONSOLIDATION = "consolidation"
REMINDER_PREFIX = "reminder_"

# The kind of notification each ledger kind becomes (notifications.kind, the templates' names).
NOTIFICATION_KINDS = {
    OVERDUE: "deadline_overdue",
    ESCALATION: "deadline_escalation",
    SUMMARY: "deadline_summary",
    CONSOLIDATION: "operator_consolidation_reminder",
}


def reminder_kind(days: int) -> str:
    return f"{REMINDER_PREFIX}{days}d"


def is_reminder(kind: str) -> bool:
    return kind.startswith(REMINDER_PREFIX)


def notification_kind(kind: str) -> str:
    return "deadline_reminder" if is_reminder(kind) else NOTIFICATION_KINDS[kind]


@dataclass(frozen=True)
class LedgerPolicy:
    reminder_days: tuple[int, ...] = (3, 1)
    escalation_days: int = 2
    send_hour: int = 8  # local hour at which reminders, notices and escalations go out
    catch_up_days: int = 7  # items older than this when first planned are not created
    inclusive: bool = False  # "by the 20th" rather than "before the 20th" (as intake reads it)
    consolidation_day: int = 24  # CONSOLIDATION_DAY: the province consolidates the monthly reports
    consolidation_days_before: int = 2  # the operators' reminder comes this many days before
    consolidation_hour: int = 8  # local hour of the operators' reminder
    deadline_working_day: bool = True  # DEADLINE_WORKING_DAY: a last day that is off moves on (as intake)
    early_days: int = 0  # REPORT_EARLY_DAYS: a period may be reported this many days before its as-of day

    def __post_init__(self) -> None:
        if any(d < 1 for d in self.reminder_days) or len(set(self.reminder_days)) != len(self.reminder_days):
            raise ValueError("reminder days must be distinct whole numbers ≥ 1")
        if (
            self.escalation_days < 1
            or not 0 <= self.send_hour <= 23
            or min(self.catch_up_days, self.early_days) < 0
        ):
            raise ValueError("escalation days ≥ 1, send hour 0..23, catch-up and early days ≥ 0")
        if not (
            1 <= self.consolidation_day <= 28
            and 0 <= self.consolidation_days_before < self.consolidation_day
            and 0 <= self.consolidation_hour <= 23
        ):
            raise ValueError("consolidation day 1..28, days before it 0..day-1, hour 0..23")


@dataclass(frozen=True)
class DueItem:
    form: str
    period: str
    unit_code: str
    kind: str
    due_at: datetime
    deadline: datetime
    expires_at: datetime | None  # reminders only: past this moment it is skipped, not sent


def ledger_forms(catalogue: Catalogue, chosen: Iterable[str] = ()) -> list[Form]:
    """The commune forms the ledger follows: those named, or every form communes file."""
    names = list(chosen)
    unknown = [n for n in names if n not in catalogue.forms]
    if unknown:
        raise ValueError(f"unknown form(s) {unknown}")
    forms = [catalogue.forms[n] for n in names] if names else list(catalogue.forms.values())
    return [f for f in forms if f.reporter_kinds and not f.for_province and f.due_date is None]


def missing_and_late(
    expected: Sequence[str], arrived: Mapping[str, bool]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The consolidation reminder's lists: expected units with no report, and those whose report
    came late (`arrived`: unit → on time), in the expected order."""
    missing = tuple(c for c in expected if c not in arrived)
    late = tuple(c for c in expected if arrived.get(c) is False)
    return missing, late


@dataclass(frozen=True)
class Decision:
    send: bool
    note: str | None = None


def decide(kind: str, expires_at: datetime | None, now: datetime) -> Decision:
    """A due item goes out, unless it is a reminder whose moment has passed (collapsed)."""
    if expires_at is not None and now >= expires_at:
        return Decision(False, "stale: a later reminder or the deadline has come")
    return Decision(True)
