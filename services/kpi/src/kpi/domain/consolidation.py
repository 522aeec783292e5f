"""When the monthly consolidated report falls due (pure)."""

from __future__ import annotations

from datetime import datetime


def due_month(local_now: datetime, day: int, hour: int) -> str | None:
    """The month (YYYY-MM) whose report is due at `local_now`, or None before its day and hour.

    The report goes to the provincial chairman before the 25th: it is made from the `day`th at
    `hour` (local time) of the month it covers, and any time later that month if the service was
    down then. A month whose day has passed without a report is not made afterwards by the tick
    (the on-demand route still serves it).
    """
    if (local_now.day, local_now.hour) < (day, hour):
        return None
    return f"{local_now.year:04d}-{local_now.month:02d}"
