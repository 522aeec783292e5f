"""On time or late: a report's receipt against its form's cut-off.

The service applies it to the first revision of a report: a later correction does not change
whether the report was on time (docs/kpi-rules.md, "Completeness and timeliness").
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Form, Period, Workdays, form_deadline, is_on_time


def timeliness(
    received_at: datetime,
    form: Form,
    period: Period,
    tz: ZoneInfo,
    inclusive: bool = False,
    workdays: Workdays | None = None,
) -> tuple[datetime, bool]:
    """(the cut-off, received strictly before it). `received_at` must be timezone-aware; with
    `workdays`, a last day that is off moves to the next working day (bdhvs_shared calendar)."""
    cutoff = form_deadline(form, period, tz, inclusive, workdays)
    return cutoff, is_on_time(received_at, cutoff)
