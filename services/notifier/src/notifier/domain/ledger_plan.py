"""The deadline ledger's plan: what falls due for a (form, period, unit), and when (pure).

For each expected reporter of a commune form and period:

- reminders N working days before the deadline (default 3 and 1: "1" is the morning of the last
  day, "3" two working days earlier), at the send hour local time; each expires when the next one
  (or the deadline) comes, so a notifier that was down skips a reminder whose moment has passed
  instead of sending it late. A reminder never comes before the period may be reported (its as-of
  day less REPORT_EARLY_DAYS, as intake reads it: a week's Sunday, the 14th of a month): it waits for
  the first send moment from then, and one that would wait until a later reminder's moment is
  that reminder (a weekly form due Monday gets its "1" reminder only, not a "3" on Thursday asking
  for a report intake would refuse until Sunday);
- an overdue notice when the deadline has passed (the first working day from the cut-off's day,
  at the send hour, never before the cut-off itself);
- an escalation to the commune chairman N working days after the overdue notice (default 2).

Days are counted on the catalogue's working-day calendar (`Catalogue.workdays`); the deadline itself
moves off a day off as intake and kpi move it (`LedgerPolicy.deadline_working_day`). Only periods
whose deadline comes after the go-live moment are chased: a new system does not chase what was due
before it existed.

Per form and period, one summary of the missing units goes to the department's operators at
the overdue moment. Overdue, escalation and summary never expire: they go out once, late or not.

Per monthly form and month, a consolidation reminder goes to the operators N working days (default
2) before the province consolidates (the 25th, or the next working day when it is off), listing
the period's missing and late reports; it expires at the consolidation day, when it would be no use.

Who hears about each kind is data: the routing rules (domain/routing.py), asked by notification kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import (
    Catalogue,
    Form,
    Period,
    PeriodType,
    Workdays,
    as_of_date,
    consolidation_date,
    form_due,
    reportable_from,
)
from bdhvs_shared.catalogue.periods import containing as period_containing
from bdhvs_shared.catalogue.periods import previous as previous_period
from notifier.domain.ledger import (
    CONSOLIDATION,
    ESCALATION,
    OVERDUE,
    SUMMARY,
    DueItem,
    LedgerPolicy,
    reminder_kind,
)


def _at_hour(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


def unit_items(
    form: Form, period: Period, unit_code: str, policy: LedgerPolicy, tz: ZoneInfo, workdays: Workdays
) -> list[DueItem]:
    """The reminders, overdue notice and escalation of one unit for one form and period."""
    due = form_due(form, period, tz, policy.inclusive, workdays if policy.deadline_working_day else None)
    deadline, last_working = due.cut_off, workdays.previous_working_day(due.last_day)
    reminders = _reminders(form, period, policy, tz, workdays, last_working)
    overdue_day = workdays.next_working_day(deadline.astimezone(tz).date())
    overdue_at = max(deadline, _at_hour(overdue_day, policy.send_hour, tz))
    ends = [at for _, at in reminders[1:]] + [deadline]
    items = [
        DueItem(form.code, str(period), unit_code, reminder_kind(days), at, deadline, min(end, deadline))
        for (days, at), end in zip(reminders, ends, strict=True)
        if at < deadline
    ]
    escalation_day = workdays.shift(overdue_day, policy.escalation_days)
    escalation_at = _at_hour(escalation_day, policy.send_hour, tz)
    items.append(DueItem(form.code, str(period), unit_code, OVERDUE, overdue_at, deadline, None))
    items.append(DueItem(form.code, str(period), unit_code, ESCALATION, escalation_at, deadline, None))
    return items


def _reminders(
    form: Form, period: Period, policy: LedgerPolicy, tz: ZoneInfo, workdays: Workdays, last_working: date
) -> list[tuple[int, datetime]]:
    """(days, moment) of each reminder, in time order: none before the period may be reported; of two
    that land on one moment, the one nearer the deadline (its text counts the days left anyway)."""
    opens = reportable_from(as_of_date(period, form.as_of_day), policy.early_days)
    first = _at_hour(workdays.next_working_day(opens), policy.send_hour, tz)
    at_moment: dict[datetime, int] = {}
    for days in sorted(policy.reminder_days, reverse=True):
        at = _at_hour(workdays.shift(last_working, -(days - 1)), policy.send_hour, tz)
        at_moment[max(at, first)] = days
    return sorted(((days, at) for at, days in at_moment.items()), key=lambda pair: pair[1])


def summary_item(
    form: Form, period: Period, province_code: str, policy: LedgerPolicy, tz: ZoneInfo, workdays: Workdays
) -> DueItem:
    overdue = next(
        i for i in unit_items(form, period, province_code, policy, tz, workdays) if i.kind == OVERDUE
    )
    return DueItem(form.code, str(period), province_code, SUMMARY, overdue.due_at, overdue.deadline, None)


def consolidation_item(
    form: Form, month: date, province_code: str, policy: LedgerPolicy, tz: ZoneInfo, workdays: Workdays
) -> DueItem | None:
    """The operators' reminder before the consolidation of `month` (its first day; the consolidation
    day moves to the next working day when it is off): about the form's latest period whose cut-off
    comes before the consolidation day; None if none does."""
    day = consolidation_date(month.year, month.month, policy.consolidation_day, workdays)
    consolidation = _at_hour(day, 0, tz)
    due_day = workdays.shift(day, -policy.consolidation_days_before)
    due_at = _at_hour(due_day, policy.consolidation_hour, tz)
    current = period_containing(form.period_type, month)
    moves = workdays if policy.deadline_working_day else None
    for period in (current, previous_period(current)):
        deadline = form_due(form, period, tz, policy.inclusive, moves).cut_off
        if deadline <= consolidation:
            return DueItem(
                form.code, str(period), province_code, CONSOLIDATION, due_at, deadline, consolidation
            )
    return None


def plan_periods(forms: Iterable[Form], today: date) -> frozenset[tuple[str, Period]]:
    """The (form, period) pairs `plan` covers on `today`: each form's previous and current period.

    Between two days with the same pairs (and the same catalogue, forms and go-live) the later day's
    plan is a subset of the earlier one's (only the catch-up window drops old items), so a ledger that
    planned them needs no new plan until a period begins.
    """
    return frozenset((form.code, period) for form in forms for period in covered_periods(form, today))


def covered_periods(form: Form, today: date) -> tuple[Period, Period]:
    """(previous, current): the periods of `form` that `plan` covers on `today`."""
    current = period_containing(form.period_type, today)
    return previous_period(current), current


def plan(
    catalogue: Catalogue,
    forms: Iterable[Form],
    now: datetime,
    policy: LedgerPolicy,
    go_live: datetime | None = None,
) -> list[DueItem]:
    """Every item of the current and previous period of each form, as due around `now`.

    Items already older than the catch-up window are left out: a ledger started for the first
    time does not chase last month's deadlines all at once. With `go_live`, so is every item of a
    period whose deadline is not after it: nobody could have reported before the system existed.
    """
    tz, workdays = ZoneInfo(catalogue.timezone), catalogue.workdays
    today = now.astimezone(tz).date()
    items: list[DueItem] = []
    for form in forms:
        previous, current = covered_periods(form, today)
        for period in (previous, current):
            reporters = catalogue.expected_reporters(form, on=as_of_date(period, form.as_of_day))
            for unit in reporters:
                items.extend(unit_items(form, period, unit.code, policy, tz, workdays))
            if reporters:
                items.append(summary_item(form, period, catalogue.province.code, policy, tz, workdays))
        if form.period_type is PeriodType.MONTHLY:
            for month in (previous.first_day, current.first_day):
                found = consolidation_item(form, month, catalogue.province.code, policy, tz, workdays)
                if found is not None:
                    items.append(found)
    oldest = now - timedelta(days=policy.catch_up_days)
    return [i for i in items if i.due_at >= oldest and (go_live is None or i.deadline > go_live)]
