"""When the monthly consolidated report falls due (pure)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bdhvs_shared.catalogue import Workdays, consolidation_date


def due_month(local_now: datetime, day: int, hour: int, workdays: Workdays | None = None) -> str | None:
    """The month (YYYY-MM) whose report is due at `local_now`, or None before its day and hour.

    The report goes to the provincial chairman before the 25th: it is made from the `day`th at
    `hour` (local time) of the month it covers — the next working day at that hour when the `day`th
    is off — and any time later that month if the service was down then. A month whose day has
    passed without a report is not made afterwards by the tick (the on-demand route still serves it).
    A day moved past the month's end (Tết) makes the previous month's report early in this one.
    """
    today = local_now.date()
    previous = today.replace(day=1) - timedelta(days=1)
    for year, month in ((today.year, today.month), (previous.year, previous.month)):
        due = datetime.combine(consolidation_date(year, month, day, workdays), time(hour))
        if (due.year, due.month) == (today.year, today.month) and local_now.replace(tzinfo=None) >= due:
            return f"{year:04d}-{month:02d}"
    return None
