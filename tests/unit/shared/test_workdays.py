"""The working-day calendar and the Civil Code's end of a period (art. 148(5)) on deadlines."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import holidays
import pytest

from bdhvs_shared.catalogue import (
    CalendarOverrides,
    CatalogueError,
    Period,
    Workdays,
    catalogue_from_files,
    form_deadline,
    form_due,
    load_catalogue,
    read_files,
)
from bdhvs_shared.catalogue.loader import default_directory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CATALOGUE = load_catalogue()
WORKDAYS = CATALOGUE.workdays
MONTHLY = CATALOGUE.forms["monthly"]


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=TZ)


def test_tet_2026_moves_the_february_deadline_to_the_end_of_monday_23rd() -> None:
    # 14–22 February 2026 has no working day: Tết is 16–20, with the weekends either side.
    assert [WORKDAYS.is_working_day(date(2026, 2, d)) for d in range(14, 24)] == [False] * 9 + [True]
    due = form_due(MONTHLY, Period.parse("2026-02"), TZ, workdays=WORKDAYS)
    assert due.moved_from == date(2026, 2, 19) and due.last_day == date(2026, 2, 23)
    assert due.cut_off == at(2026, 2, 24)
    assert due.reason is not None and "Tết Nguyên Đán" in due.reason and "Điều 148 khoản 5" in due.reason


def test_a_sunday_last_day_moves_to_monday() -> None:
    # April 2026: "before the 20th" makes Sunday the 19th the last day.
    due = form_due(MONTHLY, Period.parse("2026-04"), TZ, workdays=WORKDAYS)
    assert (due.moved_from, due.last_day, due.cut_off) == (
        date(2026, 4, 19),
        date(2026, 4, 20),
        at(2026, 4, 21),
    )
    assert due.days_off == ((date(2026, 4, 19), "Chủ nhật"),)


def test_a_working_last_day_does_not_move_and_the_setting_turns_the_rule_off() -> None:
    assert form_due(MONTHLY, Period.parse("2026-03"), TZ, workdays=WORKDAYS).moved_from is None  # Thursday
    assert form_deadline(MONTHLY, Period.parse("2026-04"), TZ) == at(2026, 4, 20)  # no calendar: 20th 00:00
    assert form_deadline(MONTHLY, Period.parse("2026-04"), TZ, inclusive=True, workdays=WORKDAYS) == at(
        2026, 4, 21
    )  # "by the 20th": Monday is a working day


def test_a_compensatory_saturday_is_a_working_day_and_a_deadline_on_it_stays() -> None:
    # 2026: 31 August is off in exchange for Saturday 22 August (listed in calendar.yaml).
    assert WORKDAYS.is_working_day(date(2026, 8, 22))
    assert not WORKDAYS.is_working_day(date(2026, 8, 31))
    assert WORKDAYS.next_working_day(date(2026, 8, 29)) == date(2026, 9, 3)  # Sat, Sun, 31/8, 1/9, 2/9
    form = CATALOGUE.forms["monthly"].__class__(**{**MONTHLY.__dict__, "due_day": 23})
    due = form_due(form, Period.parse("2026-08"), TZ, workdays=WORKDAYS)
    assert due.moved_from is None and due.cut_off == at(2026, 8, 23)
    assert not Workdays().is_working_day(date(2026, 8, 22))  # without the catalogue, a plain Saturday


def test_every_swapped_day_off_of_the_package_has_its_working_saturday_in_the_catalogue() -> None:
    """holidays.VN gives a swapped day off but not the Saturday worked for it: calendar.yaml must."""
    for year in (2025, 2026, 2027):
        for day, name in holidays.VN(years=year, language="vi").items():
            if name.startswith("Ngày nghỉ (thay cho ngày "):
                worked = datetime.strptime(name.removeprefix("Ngày nghỉ (thay cho ngày ")[:10], "%d/%m/%Y")
                assert WORKDAYS.is_working_day(worked.date()), (day, name)


def test_weekly_reports_are_due_by_the_end_of_monday() -> None:
    week = CATALOGUE.forms["youth_weekly"]
    assert form_deadline(week, Period.parse("2026-W48"), TZ, workdays=WORKDAYS) == at(2026, 12, 1)
    assert form_deadline(week, Period.parse("2026-W48"), TZ) == at(2026, 11, 30)


def test_province_overrides_add_days_off() -> None:
    extra = Workdays(CalendarOverrides(days_off={date(2026, 3, 19): "Nghỉ theo quyết định của tỉnh"}))
    due = form_due(MONTHLY, Period.parse("2026-03"), TZ, workdays=extra)
    assert due.last_day == date(2026, 3, 20) and "quyết định của tỉnh" in (due.reason or "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("days_off: [{date: 2026-13-01, reason: x}]", "must be a date"),
        ("working_days: [{date: 2026-08-22}]", "reason"),
        ("days_off: [{date: 2026-08-22, reason: a}]\nworking_days: [{date: 2026-08-22, reason: b}]", "both"),
        ("holidays: []", "unknown key"),
    ],
)
def test_a_bad_calendar_file_is_refused_with_what_is_wrong(text: str, message: str) -> None:
    files = read_files(default_directory()) | {"calendar.yaml": text.encode()}
    with pytest.raises(CatalogueError, match=message):
        catalogue_from_files(files)


def test_the_calendar_file_is_optional() -> None:
    files = {k: v for k, v in read_files(default_directory()).items() if k != "calendar.yaml"}
    assert catalogue_from_files(files).calendar == CalendarOverrides()
