"""Reporting periods: 2026-W10, 2026-03, 2026-Q1, 2026-H1, 2026."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodError(ValueError):
    """Text that is not a period."""


class PeriodType(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SIX_MONTHLY = "six_monthly"
    ANNUAL = "annual"


_PATTERNS = (
    (PeriodType.WEEKLY, re.compile(r"(\d{4})-W(\d{2})")),
    (PeriodType.MONTHLY, re.compile(r"(\d{4})-(\d{2})")),
    (PeriodType.QUARTERLY, re.compile(r"(\d{4})-Q(\d)")),
    (PeriodType.SIX_MONTHLY, re.compile(r"(\d{4})-H(\d)")),
    (PeriodType.ANNUAL, re.compile(r"(\d{4})()")),
)
_COUNT = {
    PeriodType.MONTHLY: 12,
    PeriodType.QUARTERLY: 4,
    PeriodType.SIX_MONTHLY: 2,
    PeriodType.ANNUAL: 1,
}
_MONTHS = {
    PeriodType.MONTHLY: 1,
    PeriodType.QUARTERLY: 3,
    PeriodType.SIX_MONTHLY: 6,
    PeriodType.ANNUAL: 12,
}


@dataclass(frozen=True)
class Period:
    type: PeriodType
    year: int
    index: int  # week, month, quarter or half; 1 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        for kind, pattern in _PATTERNS:
            match = pattern.fullmatch(text)
            if match is None:
                continue
            year, index = int(match[1]), int(match[2] or 1)
            if not 2000 <= year <= 2100:
                raise PeriodError(f"year out of range: {text!r}")
            if kind is PeriodType.WEEKLY:
                weeks = date(year, 12, 28).isocalendar().week  # 28 December is always in the last ISO week
                if not 1 <= index <= weeks:
                    raise PeriodError(f"no such ISO week: {text!r}")
            elif not 1 <= index <= _COUNT[kind]:
                raise PeriodError(f"no such {kind.value} period: {text!r}")
            return cls(kind, year, index)
        raise PeriodError(f"not a period: {text!r}")

    def __str__(self) -> str:
        return {
            PeriodType.WEEKLY: f"{self.year}-W{self.index:02d}",
            PeriodType.MONTHLY: f"{self.year}-{self.index:02d}",
            PeriodType.QUARTERLY: f"{self.year}-Q{self.index}",
            PeriodType.SIX_MONTHLY: f"{self.year}-H{self.index}",
            PeriodType.ANNUAL: f"{self.year}",
        }[self.type]

    @property
    def first_day(self) -> date:
        if self.type is PeriodType.WEEKLY:
            return date.fromisocalendar(self.year, self.index, 1)
        months = _MONTHS[self.type]
        return date(self.year, (self.index - 1) * months + 1, 1)

    @property
    def last_day(self) -> date:
        if self.type is PeriodType.WEEKLY:
            return self.first_day + timedelta(days=6)
        year, month = self.last_month
        return date(year, month, calendar.monthrange(year, month)[1])

    @property
    def last_month(self) -> tuple[int, int]:
        if self.type is PeriodType.WEEKLY:
            last = self.first_day + timedelta(days=6)
            return last.year, last.month
        return self.year, self.index * _MONTHS[self.type]
