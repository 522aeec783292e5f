"""Reporting periods: 2026-W10, 2026-03, 2026-Q1, 2026-H1 and 2026, and nothing else."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from bdhvs_shared.catalogue import Period, PeriodError, PeriodType


@pytest.mark.parametrize(
    ("text", "kind", "year", "index", "first", "last", "last_month"),
    [
        ("2026-W10", PeriodType.WEEKLY, 2026, 10, date(2026, 3, 2), date(2026, 3, 8), (2026, 3)),
        ("2026-03", PeriodType.MONTHLY, 2026, 3, date(2026, 3, 1), date(2026, 3, 31), (2026, 3)),
        ("2026-Q1", PeriodType.QUARTERLY, 2026, 1, date(2026, 1, 1), date(2026, 3, 31), (2026, 3)),
        ("2026-Q4", PeriodType.QUARTERLY, 2026, 4, date(2026, 10, 1), date(2026, 12, 31), (2026, 12)),
        ("2026-H1", PeriodType.SIX_MONTHLY, 2026, 1, date(2026, 1, 1), date(2026, 6, 30), (2026, 6)),
        ("2026-H2", PeriodType.SIX_MONTHLY, 2026, 2, date(2026, 7, 1), date(2026, 12, 31), (2026, 12)),
        ("2026", PeriodType.ANNUAL, 2026, 1, date(2026, 1, 1), date(2026, 12, 31), (2026, 12)),
        ("2024-02", PeriodType.MONTHLY, 2024, 2, date(2024, 2, 1), date(2024, 2, 29), (2024, 2)),
        ("2026-12", PeriodType.MONTHLY, 2026, 12, date(2026, 12, 1), date(2026, 12, 31), (2026, 12)),
        # ISO weeks cross years and months: the week's Sunday decides its last month.
        ("2026-W01", PeriodType.WEEKLY, 2026, 1, date(2025, 12, 29), date(2026, 1, 4), (2026, 1)),
        ("2026-W05", PeriodType.WEEKLY, 2026, 5, date(2026, 1, 26), date(2026, 2, 1), (2026, 2)),
        ("2026-W53", PeriodType.WEEKLY, 2026, 53, date(2026, 12, 28), date(2027, 1, 3), (2027, 1)),
        ("2000-01", PeriodType.MONTHLY, 2000, 1, date(2000, 1, 1), date(2000, 1, 31), (2000, 1)),
        ("2100", PeriodType.ANNUAL, 2100, 1, date(2100, 1, 1), date(2100, 12, 31), (2100, 12)),
    ],
)
def test_periods_parse_round_trip_and_span(
    text: str,
    kind: PeriodType,
    year: int,
    index: int,
    first: date,
    last: date,
    last_month: tuple[int, int],
) -> None:
    period = Period.parse(text)
    assert period == Period(kind, year, index)
    assert str(period) == text and Period.parse(str(period)) == period
    assert (period.first_day, period.last_day, period.last_month) == (first, last, last_month)


def test_every_period_of_a_year_round_trips() -> None:
    texts = [f"2026-W{w:02d}" for w in range(1, 54)] + [f"2026-{m:02d}" for m in range(1, 13)]
    texts += [f"2026-Q{q}" for q in range(1, 5)] + ["2026-H1", "2026-H2", "2026"]
    for text in texts:
        assert str(Period.parse(text)) == text


def test_weeks_tile_the_year_without_gaps() -> None:
    weeks = [Period.parse(f"2026-W{w:02d}") for w in range(1, 54)]
    assert all((b.first_day - a.last_day).days == 1 for a, b in itertools.pairwise(weeks))


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",  # month 13
        "2026-00",
        "2026-3",  # not zero-padded
        "2026-003",
        "2026-Q0",
        "2026-Q5",
        "2026-H0",
        "2026-H3",
        "2026-W00",
        "2026-W54",
        "2025-W53",  # 2025 has 52 ISO weeks
        "2026-W1",
        "1999",  # years outside 2000..2100
        "1999-12",
        "2101",
        "2101-01",
        "0000",
        " 2026-03",  # surrounding junk
        "2026-03 ",
        "2026-03\n",
        "x2026-03",
        "2026-03-01",
        "2026/03",
        "03-2026",
        "2026-q1",  # lower case
        "2026-h1",
        "2026-w10",
        "2026-M03",
        "March 2026",
        "",
        "٢٠٢٦",  # Arabic-Indic digits are digits to Python, not to us
        "２０２６",  # full-width digits
    ],
)
def test_anything_else_is_not_a_period(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


@pytest.mark.parametrize("value", [None, 2026, b"2026-03", ["2026-03"]])
def test_non_text_is_not_a_period(value: Any) -> None:
    with pytest.raises(PeriodError):
        Period.parse(value)


def test_a_period_error_is_a_value_error_with_the_text() -> None:
    with pytest.raises(ValueError, match="2026-13"):
        Period.parse("2026-13")


@pytest.mark.parametrize(
    ("kind", "year", "index"),
    [
        (PeriodType.MONTHLY, 2026, 13),
        (PeriodType.QUARTERLY, 2026, 0),
        (PeriodType.ANNUAL, 2026, 2),
        (PeriodType.WEEKLY, 2025, 53),
        (PeriodType.MONTHLY, 1999, 1),
        ("fortnightly", 2026, 1),
    ],
)
def test_impossible_periods_cannot_be_built(kind: Any, year: int, index: int) -> None:
    with pytest.raises(PeriodError):
        Period(kind, year, index)


def test_a_period_type_given_as_text_is_accepted() -> None:
    period = Period("monthly", 2026, 3)  # type: ignore[arg-type]
    assert period.type is PeriodType.MONTHLY and period == Period.parse("2026-03")


def test_periods_are_values() -> None:
    assert Period.parse("2026-03") == Period.parse("2026-03")
    assert len({Period.parse("2026-03"), Period.parse("2026-03"), Period.parse("2026-Q1")}) == 2
