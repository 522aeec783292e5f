"""The year's reporting calendar (intake/domain/year_calendar.py) for 2026, as the rules compute it."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import load_catalogue
from intake.domain.year_calendar import year_calendar

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CATALOGUE = load_catalogue()


def test_2026_monthly_deadlines_move_off_weekends_and_tet() -> None:
    found = year_calendar(CATALOGUE, 2026, TZ)
    periods = next(periods for form, periods in found.forms if form.code == "monthly")
    moved = {p.period: p.due.last_day for p in periods if p.due.moved_from is not None}
    # The 19th is a Saturday or Sunday in April, July, September and December 2026; Tết in February.
    assert moved == {
        "2026-02": date(2026, 2, 23),
        "2026-04": date(2026, 4, 20),
        "2026-07": date(2026, 7, 20),
        "2026-09": date(2026, 9, 21),
        "2026-12": date(2026, 12, 21),
    }
    unmoved = year_calendar(CATALOGUE, 2026, TZ, moves=False)
    assert all(p.due.moved_from is None for _, ps in unmoved.forms for p in ps)


def test_the_days_off_of_2026_leave_out_plain_weekends_and_the_one_off_form_lists_its_period() -> None:
    found = year_calendar(CATALOGUE, 2026, TZ)
    assert (date(2026, 11, 24), "Ngày Văn hóa Việt Nam") in found.days_off
    assert all(reason not in ("Thứ bảy", "Chủ nhật") for _, reason in found.days_off)
    assert found.working_days == [
        (date(2026, 8, 22), "Làm bù cho ngày nghỉ 31/08/2026 (nghỉ Quốc khánh 2026)")
    ]
    baseline = next(
        periods
        for form, periods in year_calendar(CATALOGUE, 2025, TZ).forms
        if form.code == "police_baseline_2025"
    )
    assert [p.period for p in baseline] == ["2025"]
