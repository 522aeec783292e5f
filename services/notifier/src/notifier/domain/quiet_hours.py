"""Quiet hours for SMS: when a text may go out (pure).

An SMS that falls due in the quiet window is delayed to its end, never dropped. The window is
local time in the province's zone and may cross midnight (21:00–07:00, the default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_WINDOW = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


@dataclass(frozen=True)
class QuietHours:
    start: time  # first quiet minute
    end: time  # first allowed minute again
    zone: str = "Asia/Ho_Chi_Minh"

    @classmethod
    def parse(cls, window: str, zone: str = "Asia/Ho_Chi_Minh") -> QuietHours | None:
        """ "21:00-07:00" → a window; "" → None (no quiet hours). Raises ValueError otherwise."""
        if not window.strip():
            return None
        match = _WINDOW.match(window)
        if match is None:
            raise ValueError(f"quiet hours as HH:MM-HH:MM, e.g. 21:00-07:00, not {window!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if (h1, m1) == (h2, m2):
            raise ValueError("quiet hours: the start and the end must differ")
        ZoneInfo(zone)  # an unknown zone fails here, at start
        return cls(time(h1, m1), time(h2, m2), zone)

    def is_quiet(self, when: datetime) -> bool:
        local = when.astimezone(ZoneInfo(self.zone)).time()
        if self.start < self.end:  # e.g. 12:00–13:30, inside one day
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # crosses midnight


def next_allowed(when: datetime, quiet: QuietHours | None) -> datetime:
    """`when` itself if a text may go out then, otherwise the end of that quiet window."""
    if quiet is None or not quiet.is_quiet(when):
        return when
    zone = ZoneInfo(quiet.zone)
    local = when.astimezone(zone)
    end = datetime.combine(local.date(), quiet.end, tzinfo=zone)
    if end <= local:  # the window started this evening: it ends tomorrow
        end = datetime.combine(local.date() + timedelta(days=1), quiet.end, tzinfo=zone)
    return end.astimezone(when.tzinfo)
