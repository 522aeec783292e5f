"""The consolidated report's day follows the working-day calendar (domain/consolidation.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import CalendarOverrides, Workdays, load_catalogue
from bdhvs_shared.catalogue import consolidation_date as consolidation_day
from kpi.domain.consolidation import due_month

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAYS = load_catalogue().workdays


def at(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ)


def test_the_24th_on_a_public_holiday_moves_the_report_to_the_next_working_day() -> None:
    # 24 November 2026 is Vietnam Culture Day (Ngày Văn hóa Việt Nam), a public holiday from 2026.
    assert DAYS.day_off_reason(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert consolidation_day(2026, 11, 24, DAYS) == date(2026, 11, 25)
    assert due_month(at(2026, 11, 24, 9), 24, 8, DAYS) is None
    assert due_month(at(2026, 11, 25, 7), 24, 8, DAYS) is None
    assert due_month(at(2026, 11, 25, 8), 24, 8, DAYS) == "2026-11"
    assert due_month(at(2026, 11, 24, 9), 24, 8) == "2026-11"  # without a calendar: the 24th itself


def test_a_24th_on_a_sunday_moves_to_monday_and_a_working_24th_stays() -> None:
    assert consolidation_day(2026, 5, 24, DAYS) == date(2026, 5, 25)  # Sunday
    assert consolidation_day(2026, 12, 24, DAYS) == date(2026, 12, 24)  # Thursday
    assert due_month(at(2026, 12, 24, 8), 24, 8, DAYS) == "2026-12"


def test_a_day_moved_past_the_month_end_makes_the_previous_months_report_then() -> None:
    off = {date(2026, 1, 24) + timedelta(days=n): "Tết" for n in range(10)}  # 24/1 … 2/2
    days = Workdays(CalendarOverrides(days_off=off))
    assert consolidation_day(2026, 1, 24, days) == date(2026, 2, 3)
    assert due_month(at(2026, 1, 31, 9), 24, 8, days) is None
    assert due_month(at(2026, 2, 3, 8), 24, 8, days) == "2026-01"
    assert due_month(at(2026, 2, 24, 8), 24, 8, days) == "2026-02"
