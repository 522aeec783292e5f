"""The deadline ledger's plan: what falls due for a (form, period, unit), and when (pure).

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

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Catalogue, Form, Period, PeriodType, as_of_date, form_deadline
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
