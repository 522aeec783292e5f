"""A year's reporting calendar as the system computes it (pure): each form's periods with the
figures' as-of day, the deadline and why the working-day rule moved it, and the year's days off.

The rules are the shared ones (`bdhvs_shared.catalogue.calendar`, `Catalogue.workdays`): intake, kpi
and the notifier use the same, so this listing is what each of them does. Intake serves it because
it owns the catalogue (it publishes every version).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Catalogue, Due, Form, Period, PeriodType, Workdays, as_of_date, form_due

PERIODS_A_YEAR = {
    PeriodType.MONTHLY: 12,
    PeriodType.QUARTERLY: 4,
    PeriodType.SIX_MONTHLY: 2,
    PeriodType.ANNUAL: 1,
}


@dataclass(frozen=True)
class PeriodDue:
    period: str
    as_of: date
    due: Due


@dataclass(frozen=True)
class YearCalendar:
    year: int
    forms: list[tuple[Form, list[PeriodDue]]]
    days_off: list[tuple[date, str]]  # every day off of the year but plain weekends
    working_days: list[tuple[date, str]]  # compensatory working days the catalogue lists


def periods_of(form: Form, year: int) -> list[Period]:
    """The form's periods of `year`: every ISO week, month, quarter…; a one-off form, its listed ones."""
    if form.period_type is PeriodType.WEEKLY:
        every = [
            Period(form.period_type, year, w) for w in range(1, date(year, 12, 28).isocalendar().week + 1)
        ]
    else:
        every = [Period(form.period_type, year, i) for i in range(1, PERIODS_A_YEAR[form.period_type] + 1)]
    return [p for p in every if not form.periods or str(p) in form.periods]


def year_calendar(
    catalogue: Catalogue, year: int, tz: ZoneInfo, inclusive: bool = False, moves: bool = True
) -> YearCalendar:
    workdays = catalogue.workdays
    forms = [
        (
            form,
            [
                PeriodDue(
                    str(p),
                    as_of_date(p, form.as_of_day),
                    form_due(form, p, tz, inclusive, workdays if moves else None),
                )
                for p in periods_of(form, year)
            ],
        )
        for form in catalogue.forms.values()
    ]
    return YearCalendar(year, forms, _days_off(workdays, year), _working(catalogue, year))


def _days_off(workdays: Workdays, year: int) -> list[tuple[date, str]]:
    day, out = date(year, 1, 1), []
    while day.year == year:
        reason = workdays.day_off_reason(day)
        if reason is not None and reason not in ("Thứ bảy", "Chủ nhật"):
            out.append((day, reason))
        day += timedelta(days=1)
    return out


def _working(catalogue: Catalogue, year: int) -> list[tuple[date, str]]:
    return sorted((d, why) for d, why in catalogue.calendar.working_days.items() if d.year == year)
