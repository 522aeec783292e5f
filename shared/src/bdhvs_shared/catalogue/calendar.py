"""The reporting calendar: the figures' as-of day and a period's cut-off.

Rules (docs/kpi-rules.md, "Observations" and "Completeness and timeliness"):

- Figures are as of `as_of_day` (the 14th) of the period's last month: monthly 2026-03 → 2026-03-14,
  quarterly 2026-Q1 → 2026-03-14, six-monthly 2026-H1 → 2026-06-14, annual 2026 → 2026-12-14.
  Weekly figures are as of the week's last day (Sunday).
- "Before the 20th" is strict: the cut-off is `due_day` 00:00 local time of the period's last month,
  and a report is on time when received strictly before it. With `inclusive=True` ("by the 20th")
  the cut-off moves to the next day, 00:00.
- Weekly reports (the Youth Union's weekly report) have no day of the month: they are due before the
  Monday after the week, 00:00 local (inclusive: before Tuesday 00:00); `due_day` is ignored.
- A period may be reported from its as-of day (`reportable_from`; a setting may open it a few days
  earlier): figures dated in the future are refused.
- A one-off report (a form with a `due_date`, e.g. the police's 2025 baseline "before 31/03/2026") is
  due before that day, 00:00 local (inclusive: the next day), whatever the period.
- Working days (Bộ luật Dân sự 2015, Điều 148 khoản 5): when the last day to submit (the day before
  the cut-off) is a weekend day or a public holiday, the period ends at the end of the next working
  day, so the cut-off moves to the day after it, 00:00. Given a `Workdays` (the catalogue's
  `workdays`), `form_due` and `form_deadline` apply it; without one (setting DEADLINE_WORKING_DAY
  false) the cut-off stays where the form puts it. Weekly forms' last day is a Sunday: they are due
  by the end of Monday (or the next working day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue.model import Form
from bdhvs_shared.catalogue.periods import Period, PeriodType

if TYPE_CHECKING:
    from bdhvs_shared.catalogue.workdays import Workdays

# Days that exist in every month: a form's due and as-of days are limited to these.
MAX_DAY_OF_MONTH = 28


def _check_day(name: str, day: int) -> None:
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= MAX_DAY_OF_MONTH:
        raise ValueError(f"{name} must be a whole number 1..{MAX_DAY_OF_MONTH}, not {day!r}")


def as_of_date(period: Period, as_of_day: int) -> date:
    """The day the figures are as of: `as_of_day` of the last month; weekly: the week's Sunday."""
    if period.type is PeriodType.WEEKLY:
        return period.last_day
    _check_day("as_of_day", as_of_day)
    year, month = period.last_month
    return date(year, month, as_of_day)


def reportable_from(as_of: date, early_days: int = 0) -> date:
    """The first local day a period with figures as of `as_of` may be reported: its as-of day, or
    `early_days` before it (REPORT_EARLY_DAYS). Intake refuses a report before it; kpi, as defence in
    depth, dead-letters one it receives more than a day before it (a day of slack for clocks)."""
    return as_of - timedelta(days=early_days)


def deadline(period: Period, due_day: int, tz: ZoneInfo, inclusive: bool = False) -> datetime:
    """The cut-off, an aware datetime in `tz`: receipt must be strictly before it.

    Not weekly: `due_day` 00:00 of the period's last month ("before the 20th"); inclusive: the next
    day 00:00 ("by the 20th"). Weekly: the Monday after the week, 00:00 (inclusive: Tuesday 00:00).
    """
    if period.type is PeriodType.WEEKLY:
        day = period.last_day + timedelta(days=1)
    else:
        _check_day("due_day", due_day)
        year, month = period.last_month
        day = date(year, month, due_day)
    if inclusive:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=tz)


@dataclass(frozen=True)
class Due:
    """A form's deadline for one period, and why the calendar moved it."""

    cut_off: datetime  # receipt must be strictly before it
    last_day: date  # the last day to submit (the day before the cut-off)
    moved_from: date | None = None  # the last day the form gives, when it was not a working day
    days_off: tuple[tuple[date, str], ...] = ()  # the days off skipped, each with why

    @property
    def reason(self) -> str | None:
        """Why it moved, in Vietnamese (None when it did not)."""
        if self.moved_from is None:
            return None
        skipped = "; ".join(f"{d:%d/%m/%Y}: {why}" for d, why in self.days_off)
        return (
            f"Ngày cuối {self.moved_from:%d/%m/%Y} là ngày nghỉ ({skipped}); hạn chuyển sang hết ngày làm "
            f"việc tiếp theo {self.last_day:%d/%m/%Y} (Bộ luật Dân sự 2015, Điều 148 khoản 5)."
        )


def form_due(
    form: Form, period: Period, tz: ZoneInfo, inclusive: bool = False, workdays: Workdays | None = None
) -> Due:
    """The deadline of `form` for `period` (its fixed `due_date` when it has one, else `deadline`),
    moved to the end of the next working day when its last day is off and `workdays` is given."""
    if form.due_date is None:
        cut_off = deadline(period, form.due_day, tz, inclusive)
    else:
        day = form.due_date + timedelta(days=1) if inclusive else form.due_date
        cut_off = datetime(day.year, day.month, day.day, tzinfo=tz)
    last_day = cut_off.date() - timedelta(days=1)
    if workdays is None or workdays.is_working_day(last_day):
        return Due(cut_off, last_day)
    moved = workdays.next_working_day(last_day)
    skipped = [last_day + timedelta(days=n) for n in range((moved - last_day).days)]
    end = moved + timedelta(days=1)
    return Due(
        cut_off=datetime(end.year, end.month, end.day, tzinfo=tz),
        last_day=moved,
        moved_from=last_day,
        days_off=tuple((d, workdays.day_off_reason(d) or "") for d in skipped),
    )


def form_deadline(
    form: Form, period: Period, tz: ZoneInfo, inclusive: bool = False, workdays: Workdays | None = None
) -> datetime:
    """The cut-off of `form` for `period` (`form_due`'s)."""
    return form_due(form, period, tz, inclusive, workdays).cut_off


def consolidation_date(year: int, month: int, day: int, workdays: Workdays | None = None) -> date:
    """The monthly consolidation's day (CONSOLIDATION_DAY, the 24th) of `month`, or, when it is off, the
    next working day (as a deadline moves: Civil Code 2015, art. 148(5)). kpi makes the report on it;
    the notifier reminds the operators before it."""
    nominal = date(year, month, day)
    return nominal if workdays is None else workdays.next_working_day(nominal)


def is_on_time(received_at: datetime, deadline: datetime) -> bool:
    """Received strictly before the deadline. Both must be timezone-aware (any zone)."""
    if received_at.utcoffset() is None or deadline.utcoffset() is None:
        raise ValueError("received_at and deadline must be timezone-aware datetimes")
    return received_at < deadline
