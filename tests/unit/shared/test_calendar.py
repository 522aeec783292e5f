"""The reporting calendar: figures as of the 14th, due before the 20th, 00:00 Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bdhvs_shared.catalogue import Period, as_of_date, deadline, is_on_time

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("text", "as_of"),
    [
        ("2026-03", date(2026, 3, 14)),
        ("2026-Q1", date(2026, 3, 14)),
        ("2026-Q2", date(2026, 6, 14)),
        ("2026-H1", date(2026, 6, 14)),
        ("2026-H2", date(2026, 12, 14)),
        ("2026", date(2026, 12, 14)),
        ("2026-W10", date(2026, 3, 8)),  # weekly: the week's Sunday
        ("2026-W53", date(2027, 1, 3)),
    ],
)
def test_figures_are_as_of_the_14th_of_the_last_month(text: str, as_of: date) -> None:
    assert as_of_date(Period.parse(text), 14) == as_of


def test_the_as_of_day_is_a_setting() -> None:
    assert as_of_date(Period.parse("2026-02"), 28) == date(2026, 2, 28)
    assert as_of_date(Period.parse("2026-02"), 1) == date(2026, 2, 1)


def test_a_monthly_report_is_due_before_the_20th_at_midnight_in_vietnam() -> None:
    cutoff = deadline(Period.parse("2026-03"), 20, TZ)
    assert cutoff == datetime(2026, 3, 20, 0, 0, tzinfo=TZ)
    assert cutoff.isoformat() == "2026-03-20T00:00:00+07:00"
    assert cutoff == datetime(2026, 3, 19, 17, 0, tzinfo=UTC)


def test_on_time_is_strictly_before_the_cut_off() -> None:
    cutoff = deadline(Period.parse("2026-03"), 20, TZ)
    assert is_on_time(datetime(2026, 3, 19, 23, 59, 59, tzinfo=TZ), cutoff)
    assert is_on_time(datetime(2026, 3, 19, 23, 59, 59, 999999, tzinfo=TZ), cutoff)
    assert not is_on_time(datetime(2026, 3, 20, 0, 0, tzinfo=TZ), cutoff)
    assert not is_on_time(datetime(2026, 3, 25, 9, 0, tzinfo=TZ), cutoff)
    assert is_on_time(datetime(2026, 3, 1, 8, 0, tzinfo=TZ), cutoff)


def test_utc_timestamps_just_before_and_after() -> None:
    cutoff = deadline(Period.parse("2026-03"), 20, TZ)
    assert is_on_time(datetime(2026, 3, 19, 16, 59, 59, tzinfo=UTC), cutoff)  # 23:59:59 in Hà Nội
    assert not is_on_time(datetime(2026, 3, 19, 17, 0, 0, tzinfo=UTC), cutoff)  # 00:00 on the 20th
    assert is_on_time(datetime.fromisoformat("2026-03-19T12:00:00Z"), cutoff)  # 19:00 in Hà Nội
    other_zone = datetime(2026, 3, 20, 1, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 23:00 on the 19th in VN
    assert is_on_time(other_zone, cutoff)


def test_by_the_20th_is_a_setting() -> None:
    cutoff = deadline(Period.parse("2026-03"), 20, TZ, inclusive=True)
    assert cutoff == datetime(2026, 3, 21, 0, 0, tzinfo=TZ)
    assert is_on_time(datetime(2026, 3, 20, 23, 59, 59, tzinfo=TZ), cutoff)
    assert not is_on_time(datetime(2026, 3, 21, 0, 0, tzinfo=TZ), cutoff)
    assert is_on_time(datetime(2026, 3, 20, 16, 59, 59, tzinfo=UTC), cutoff)
    assert not is_on_time(datetime(2026, 3, 20, 17, 0, tzinfo=UTC), cutoff)


@pytest.mark.parametrize(
    ("text", "strict", "inclusive"),
    [
        ("2026-Q1", datetime(2026, 3, 20, tzinfo=TZ), datetime(2026, 3, 21, tzinfo=TZ)),
        ("2026-Q2", datetime(2026, 6, 20, tzinfo=TZ), datetime(2026, 6, 21, tzinfo=TZ)),
        ("2026-H1", datetime(2026, 6, 20, tzinfo=TZ), datetime(2026, 6, 21, tzinfo=TZ)),
        ("2026", datetime(2026, 12, 20, tzinfo=TZ), datetime(2026, 12, 21, tzinfo=TZ)),
        ("2026-12", datetime(2026, 12, 20, tzinfo=TZ), datetime(2026, 12, 21, tzinfo=TZ)),
        # Weekly: before the Monday after the week (inclusive: before Tuesday); due_day is ignored.
        ("2026-W10", datetime(2026, 3, 9, tzinfo=TZ), datetime(2026, 3, 10, tzinfo=TZ)),
        ("2026-W53", datetime(2027, 1, 4, tzinfo=TZ), datetime(2027, 1, 5, tzinfo=TZ)),
    ],
)
def test_cut_offs_of_other_periods(text: str, strict: datetime, inclusive: datetime) -> None:
    period = Period.parse(text)
    assert deadline(period, 20, TZ) == strict
    assert deadline(period, 20, TZ, inclusive=True) == inclusive


def test_the_deadline_is_aware_and_in_the_given_zone() -> None:
    cutoff = deadline(Period.parse("2026-03"), 20, TZ)
    assert cutoff.tzinfo is TZ and cutoff.utcoffset() == timedelta(hours=7)
    assert deadline(Period.parse("2026-03"), 20, ZoneInfo("UTC")) == datetime(2026, 3, 20, tzinfo=UTC)


@pytest.mark.parametrize("day", [0, 29, 31, -1])
def test_days_that_are_not_in_every_month_are_refused(day: int) -> None:
    with pytest.raises(ValueError):
        deadline(Period.parse("2026-02"), day, TZ)
    with pytest.raises(ValueError):
        as_of_date(Period.parse("2026-02"), day)


def test_naive_datetimes_are_refused() -> None:
    cutoff = deadline(Period.parse("2026-03"), 20, TZ)
    with pytest.raises(ValueError, match="aware"):
        is_on_time(datetime(2026, 3, 19, 12, 0), cutoff)
