"""Reporting periods and their canonical text: 2026-W10, 2026-03, 2026-Q1, 2026-H1, 2026.

Weeks are ISO 8601 weeks (Monday to Sunday; week 1 holds the year's first Thursday),
so "2026-W01" starts on 29 December 2025 and its `year` is the ISO year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

MIN_YEAR = 2000
MAX_YEAR = 2100


class PeriodError(ValueError):
    """Text that is not a period (or a period that does not exist)."""


class PeriodType(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SIX_MONTHLY = "six_monthly"
    ANNUAL = "annual"


# ASCII digits only: `\d` would also accept e.g. Arabic-Indic digits.
_PATTERNS = (
    (PeriodType.WEEKLY, re.compile(r"([0-9]{4})-W([0-9]{2})")),
    (PeriodType.MONTHLY, re.compile(r"([0-9]{4})-([0-9]{2})")),
    (PeriodType.QUARTERLY, re.compile(r"([0-9]{4})-Q([0-9])")),
    (PeriodType.SIX_MONTHLY, re.compile(r"([0-9]{4})-H([0-9])")),
    (PeriodType.ANNUAL, re.compile(r"([0-9]{4})")),
)
# Months in one period, and periods in one year (weeks aside).
_MONTHS = {
    PeriodType.MONTHLY: 1,
    PeriodType.QUARTERLY: 3,
    PeriodType.SIX_MONTHLY: 6,
    PeriodType.ANNUAL: 12,
}


def iso_weeks_in(year: int) -> int:
    """52 or 53: 28 December always falls in the ISO year's last week."""
    return date(year, 12, 28).isocalendar().week


@dataclass(frozen=True)
class Period:
    """One reporting period. `index` is the week, month, quarter or half; 1 for a year."""

    type: PeriodType
    year: int
    index: int

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "type", PeriodType(self.type))  # accept "monthly" as well
        except ValueError:
            raise PeriodError(f"unknown period type {self.type!r}") from None
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(f"year {self.year} is outside {MIN_YEAR}..{MAX_YEAR}")
        weekly = self.type is PeriodType.WEEKLY
        count = iso_weeks_in(self.year) if weekly else 12 // _MONTHS[self.type]
        if not 1 <= self.index <= count:
            raise PeriodError(f"no {self.type.value} period {self.index} in {self.year} (1..{count})")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse the canonical form exactly: no spaces, upper-case W/Q/H, zero-padded week and month."""
        if not isinstance(text, str):
            raise PeriodError(f"not a period: {text!r}")
        for kind, pattern in _PATTERNS:
            match = pattern.fullmatch(text)
            if match is None:
                continue
            year = int(match[1])
            index = int(match[2]) if kind is not PeriodType.ANNUAL else 1
            try:
                return cls(kind, year, index)
            except PeriodError as exc:
                raise PeriodError(f"not a period: {text!r}: {exc}") from None
        raise PeriodError(f"not a period: {text!r} (expected 2026-W10, 2026-03, 2026-Q1, 2026-H1 or 2026)")

    def __str__(self) -> str:
        if self.type is PeriodType.WEEKLY:
            return f"{self.year}-W{self.index:02d}"
        if self.type is PeriodType.MONTHLY:
            return f"{self.year}-{self.index:02d}"
        if self.type is PeriodType.QUARTERLY:
            return f"{self.year}-Q{self.index}"
        if self.type is PeriodType.SIX_MONTHLY:
            return f"{self.year}-H{self.index}"
        return f"{self.year}"

    @property
    def first_day(self) -> date:
        if self.type is PeriodType.WEEKLY:
            return date.fromisocalendar(self.year, self.index, 1)
        return date(self.year, (self.index - 1) * _MONTHS[self.type] + 1, 1)

    @property
    def last_day(self) -> date:
        if self.type is PeriodType.WEEKLY:
            return self.first_day + timedelta(days=6)
        year, month = self.last_month
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return following - timedelta(days=1)

    @property
    def last_month(self) -> tuple[int, int]:
        """(year, month) of the period's last month; for a week, the month of its Sunday."""
        if self.type is PeriodType.WEEKLY:
            sunday = self.last_day
            return sunday.year, sunday.month
        return self.year, self.index * _MONTHS[self.type]


_MONTHS_IN = {
    PeriodType.MONTHLY: 1,
    PeriodType.QUARTERLY: 3,
    PeriodType.SIX_MONTHLY: 6,
    PeriodType.ANNUAL: 12,
}


def containing(period_type: PeriodType, day: date) -> Period:
    """The period of this type that holds this day."""
    if period_type is PeriodType.WEEKLY:
        iso = day.isocalendar()
        return Period(period_type, iso.year, iso.week)
    return Period(period_type, day.year, (day.month - 1) // _MONTHS_IN[period_type] + 1)


def previous(period: Period) -> Period:
    """The period before this one, of the same type."""
    return containing(period.type, period.first_day - timedelta(days=1))
