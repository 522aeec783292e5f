"""Working hours: when a notification may go out at all (pure).

Reminders, overdue notices, escalations, summaries — and below-target alerts unless
ALERTS_OUTSIDE_WORKING_HOURS — go out on working days (the catalogue's calendar: no weekend, no
public holiday, no day off the province lists) within the working hours, 07:30–17:00 local by
default (WORKING_HOURS). One that falls due outside waits for the next working moment; it is
never dropped. SMS quiet hours (quiet_hours.py) apply on top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Workdays

_WINDOW = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(7, 30)  # first minute of the working day
    end: time = time(17, 0)  # first minute after it
    zone: str = "Asia/Ho_Chi_Minh"

    @classmethod
    def parse(cls, window: str, zone: str = "Asia/Ho_Chi_Minh") -> WorkingHours | None:
        """ "07:30-17:00" → the hours; "" → None (any hour of a working day). Raises ValueError."""
        if not window.strip():
            return None
        match = _WINDOW.match(window)
        if match is None:
            raise ValueError(f"working hours as HH:MM-HH:MM, e.g. 07:30-17:00, not {window!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if (h1, m1) >= (h2, m2):
            raise ValueError("working hours: the start must come before the end, within one day")
        ZoneInfo(zone)  # an unknown zone fails here, at start
        return cls(time(h1, m1), time(h2, m2), zone)


def next_working_moment(when: datetime, workdays: Workdays, hours: WorkingHours | None) -> datetime:
    """`when` itself on a working day within the hours; else the next working day's start."""
    zone = ZoneInfo(hours.zone if hours else "Asia/Ho_Chi_Minh")
    local = when.astimezone(zone)
    start, end = (hours.start, hours.end) if hours else (time(0), None)
    if workdays.is_working_day(local.date()):
        if local.time() < start:
            return datetime.combine(local.date(), start, tzinfo=zone).astimezone(when.tzinfo)
        if end is None or local.time() < end:
            return when
    day = workdays.next_working_day(local.date() + timedelta(days=1))
    return datetime.combine(day, start, tzinfo=zone).astimezone(when.tzinfo)
