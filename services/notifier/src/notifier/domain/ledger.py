"""The deadline ledger's rules: what falls due for a (form, period, unit), and when (pure).

For each expected reporter of a commune form and period:

- reminders N days before the deadline (default 3 and 1), at the send hour local time; each
  expires when the next one (or the deadline) comes, so a notifier that was down skips a
  reminder whose moment has passed instead of sending it late;
- an overdue notice when the deadline has passed (the deadline's day at the send hour, never
  before the cut-off itself);
- an escalation to the commune chairman N days after the deadline (default 2).

Per form and period, one summary of the missing units goes to the department's operators at
the overdue moment. Overdue, escalation and summary never expire: they go out once, late or not.

Per monthly form and month, a consolidation reminder goes to the operators N days (default 2)
before the province consolidates (the 25th), listing the period's missing and late reports; it
expires at the consolidation day, when it would be no use.

Who hears about each kind is data: the routing rules (domain/routing.py), asked by notification kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Catalogue, Form, Period, PeriodType, as_of_date, form_deadline

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
    consolidation_day: int = 25  # the province consolidates the monthly reports on this day
    consolidation_days_before: int = 2  # the operators' reminder comes this many days before
    consolidation_hour: int = 8  # local hour of the operators' reminder

    def __post_init__(self) -> None:
        if any(d < 1 for d in self.reminder_days) or len(set(self.reminder_days)) != len(self.reminder_days):
            raise ValueError("reminder days must be distinct whole numbers ≥ 1")
        if self.escalation_days < 1 or not 0 <= self.send_hour <= 23 or self.catch_up_days < 0:
            raise ValueError("escalation days ≥ 1, send hour 0..23, catch-up days ≥ 0")
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


def _at_hour(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


def unit_items(
    form: Form, period: Period, unit_code: str, policy: LedgerPolicy, tz: ZoneInfo
) -> list[DueItem]:
    """The reminders, overdue notice and escalation of one unit for one form and period."""
    deadline = form_deadline(form, period, tz, policy.inclusive)
    cut_off_day = deadline.astimezone(tz).date()  # the cut-off is this day's 00:00
    reminders = sorted(
        (
            (days, _at_hour(cut_off_day - timedelta(days=days), policy.send_hour, tz))
            for days in policy.reminder_days
        ),
        key=lambda pair: pair[1],
    )
    overdue_at = max(deadline, _at_hour(cut_off_day, policy.send_hour, tz))
    ends = [at for _, at in reminders[1:]] + [deadline]
    items = [
        DueItem(form.code, str(period), unit_code, reminder_kind(days), at, deadline, min(end, deadline))
        for (days, at), end in zip(reminders, ends, strict=True)
        if at < deadline
    ]
    escalation_at = _at_hour(cut_off_day + timedelta(days=policy.escalation_days), policy.send_hour, tz)
    items.append(DueItem(form.code, str(period), unit_code, OVERDUE, overdue_at, deadline, None))
    items.append(DueItem(form.code, str(period), unit_code, ESCALATION, escalation_at, deadline, None))
    return items


def summary_item(
    form: Form, period: Period, province_code: str, policy: LedgerPolicy, tz: ZoneInfo
) -> DueItem:
    overdue = next(i for i in unit_items(form, period, province_code, policy, tz) if i.kind == OVERDUE)
    return DueItem(form.code, str(period), province_code, SUMMARY, overdue.due_at, overdue.deadline, None)


def consolidation_item(
    form: Form, month: date, province_code: str, policy: LedgerPolicy, tz: ZoneInfo
) -> DueItem | None:
    """The operators' reminder before the consolidation of `month` (its first day): about the form's
    latest period whose cut-off comes before the consolidation day; None if none does."""
    consolidation = _at_hour(month.replace(day=policy.consolidation_day), 0, tz)
    due_day = consolidation.date() - timedelta(days=policy.consolidation_days_before)
    due_at = _at_hour(due_day, policy.consolidation_hour, tz)
    current = period_containing(form.period_type, month)
    for period in (current, previous_period(current)):
        deadline = form_deadline(form, period, tz, policy.inclusive)
        if deadline <= consolidation:
            return DueItem(
                form.code, str(period), province_code, CONSOLIDATION, due_at, deadline, consolidation
            )
    return None


def period_containing(period_type: PeriodType, day: date) -> Period:
    if period_type is PeriodType.WEEKLY:
        iso = day.isocalendar()
        return Period(period_type, iso.year, iso.week)
    months = {
        PeriodType.MONTHLY: 1,
        PeriodType.QUARTERLY: 3,
        PeriodType.SIX_MONTHLY: 6,
        PeriodType.ANNUAL: 12,
    }
    return Period(period_type, day.year, (day.month - 1) // months[period_type] + 1)


def previous_period(period: Period) -> Period:
    return period_containing(period.type, period.first_day - timedelta(days=1))


def ledger_forms(catalogue: Catalogue, chosen: Iterable[str] = ()) -> list[Form]:
    """The commune forms the ledger follows: those named, or every form communes file."""
    names = list(chosen)
    unknown = [n for n in names if n not in catalogue.forms]
    if unknown:
        raise ValueError(f"unknown form(s) {unknown}")
    forms = [catalogue.forms[n] for n in names] if names else list(catalogue.forms.values())
    return [f for f in forms if f.reporter_kinds and not f.for_province and f.due_date is None]


def plan(catalogue: Catalogue, forms: Iterable[Form], now: datetime, policy: LedgerPolicy) -> list[DueItem]:
    """Every item of the current and previous period of each form, as due around `now`.

    Items already older than the catch-up window are left out: a ledger started for the first
    time does not chase last month's deadlines all at once.
    """
    tz = ZoneInfo(catalogue.timezone)
    today = now.astimezone(tz).date()
    oldest = now - timedelta(days=policy.catch_up_days)
    items: list[DueItem] = []
    for form in forms:
        current = period_containing(form.period_type, today)
        for period in (previous_period(current), current):
            reporters = catalogue.expected_reporters(form, on=as_of_date(period, form.as_of_day))
            for unit in reporters:
                items.extend(unit_items(form, period, unit.code, policy, tz))
            if reporters:
                items.append(summary_item(form, period, catalogue.province.code, policy, tz))
        if form.period_type is PeriodType.MONTHLY:
            for month in (previous_period(current).first_day, current.first_day):
                found = consolidation_item(form, month, catalogue.province.code, policy, tz)
                if found is not None:
                    items.append(found)
    return [i for i in items if i.due_at >= oldest]


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
