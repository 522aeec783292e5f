"""The reporting calendar: the data's as-of day and the deadline of a period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue.periods import Period, PeriodType


def as_of_date(period: Period, as_of_day: int) -> date:
    """Figures as of `as_of_day` of the period's last month (the 14th); weekly: the week's Sunday."""
    if period.type is PeriodType.WEEKLY:
        return period.last_day
    year, month = period.last_month
    return date(year, month, as_of_day)


def deadline(period: Period, due_day: int, tz: ZoneInfo, inclusive: bool = False) -> datetime:
    """'Before the 20th': the 20th of the last month, 00:00 local. inclusive: 'by the 20th' (21st 00:00).

    Weekly reports are due before the Monday after the week (00:00 local): the
    Youth Union's weekly report follows the week it covers.
    """
    if period.type is PeriodType.WEEKLY:
        day = period.last_day + timedelta(days=1)
    else:
        year, month = period.last_month
        day = date(year, month, due_day)
    if inclusive:
        day += timedelta(days=1)
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def is_on_time(received_at: datetime, cutoff: datetime) -> bool:
    """Received strictly before the cut-off."""
    return received_at < cutoff
