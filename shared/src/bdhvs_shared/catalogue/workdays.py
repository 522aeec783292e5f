"""The working-day calendar: which days are off, and why (pure).

A day is off when it is a Saturday or a Sunday, a public holiday of Vietnam (the `holidays`
package's `holidays.VN`: Tết, Hùng Kings, 30/4, 1/5, 2/9, the days the government swaps with a
Saturday…), or an extra day off the province lists in the catalogue's `calendar.yaml`. A day the
catalogue lists as a working day (a compensatory working Saturday, "làm bù") is a working day
whatever else is true of it: the catalogue has the last word, so an operator corrects the calendar
with a new catalogue version, without a release.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import holidays

from bdhvs_shared.catalogue.fields import calendar_date, mapping, nfc, string, yaml_data
from bdhvs_shared.catalogue.model import CalendarOverrides, CatalogueError

SATURDAY, SUNDAY = 5, 6
WEEKEND = {SATURDAY: "Thứ bảy", SUNDAY: "Chủ nhật"}
# Longer than any run of days off (Tết with its weekends is 9 days): a guard against a catalogue
# that lists every day off, never a limit a real calendar reaches.
MAX_DAYS_OFF_IN_A_ROW = 60


class Workdays:
    """Working days of one province: the national holidays corrected by the catalogue."""

    def __init__(self, overrides: CalendarOverrides | None = None) -> None:
        self.overrides = overrides or CalendarOverrides()
        self._years: dict[int, Mapping[date, str]] = {}

    def _holidays(self, year: int) -> Mapping[date, str]:
        if year not in self._years:
            self._years[year] = dict(holidays.VN(years=year, language="vi").items())
        return self._years[year]

    def day_off_reason(self, day: date) -> str | None:
        """Why `day` is off (in Vietnamese), or None for a working day."""
        if day in self.overrides.working_days:
            return None
        reason = self.overrides.days_off.get(day) or self._holidays(day.year).get(day)
        return reason or WEEKEND.get(day.weekday())

    def is_working_day(self, day: date) -> bool:
        return self.day_off_reason(day) is None

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        for offset in range(MAX_DAYS_OFF_IN_A_ROW + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_DAYS_OFF_IN_A_ROW} days of {day}")

    def previous_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the last working day before it."""
        for offset in range(MAX_DAYS_OFF_IN_A_ROW + 1):
            candidate = day - timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_DAYS_OFF_IN_A_ROW} days before {day}")

    def count(self, first: date, last: date) -> int:
        """How many working days from `first` to `last`, both included (0 when `last` is before)."""
        span = (last - first).days + 1
        return sum(self.is_working_day(first + timedelta(days=n)) for n in range(max(span, 0)))

    def shift(self, day: date, working_days: int) -> date:
        """The working day `working_days` working days after (> 0) or before (< 0) `day`'s working
        day (`day` itself or, off, the next working day for a move forward, the previous one back)."""
        step = 1 if working_days >= 0 else -1
        current = self.next_working_day(day) if step > 0 else self.previous_working_day(day)
        for _ in range(abs(working_days)):
            current = current + timedelta(days=step)
            current = self.next_working_day(current) if step > 0 else self.previous_working_day(current)
        return current


def parse_calendar(content: bytes) -> CalendarOverrides:
    """calendar.yaml: `days_off` and `working_days`, each a list of {date, reason}."""
    name = "calendar.yaml"
    data = yaml_data(name, content)
    data = {} if data is None else mapping(name, data)
    unknown = sorted(set(data) - {"days_off", "working_days"})
    if unknown:
        raise CatalogueError(f"{name}: unknown key {unknown[0]!r} (days_off, working_days)")
    days_off = _days(name, "days_off", data.get("days_off"))
    working = _days(name, "working_days", data.get("working_days"))
    both = sorted(set(days_off) & set(working))
    if both:
        raise CatalogueError(f"{name}: {both[0]} is listed both as a day off and as a working day")
    return CalendarOverrides(days_off, working)


def _days(name: str, key: str, value: Any) -> dict[date, str]:
    if value is None:
        return {}
    if not isinstance(value, list):
        raise CatalogueError(f"{name}: '{key}' must be a list of {{date, reason}}")
    days: dict[date, str] = {}
    for i, item in enumerate(value):
        where = f"{name}: {key}[{i}]"
        entry = mapping(where, item)
        day = calendar_date(where, "date", entry.get("date"))
        if day in days:
            raise CatalogueError(f"{where}: {day} appears twice")
        days[day] = nfc(string(where, "reason", entry.get("reason")))
    return days
