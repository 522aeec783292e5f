"""On time or late: decided by the first revision against the form's cut-off."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Form, Period, deadline, is_on_time


def timeliness(
    received_at: datetime, form: Form, period: Period, tz: ZoneInfo, inclusive: bool = False
) -> tuple[datetime, bool]:
    cutoff = deadline(period, form.due_day, tz, inclusive)
    return cutoff, is_on_time(received_at, cutoff)
