"""Quiet hours for SMS: the next moment a text may go out, around midnight (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from notifier.domain.quiet_hours import QuietHours, next_allowed

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NIGHT = QuietHours(time(21), time(7))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        (at(10, 20, 59), at(10, 20, 59)),  # just before
        (at(10, 21), at(11, 7)),  # the first quiet minute
        (at(10, 23, 59), at(11, 7)),
        (at(11, 0), at(11, 7)),  # midnight: the same night's end
        (at(11, 0, 1), at(11, 7)),
        (at(11, 6, 59), at(11, 7)),
        (at(11, 7), at(11, 7)),  # the end itself is allowed
        (at(11, 12), at(11, 12)),
        (datetime(2026, 3, 31, 22, tzinfo=TZ), datetime(2026, 4, 1, 7, tzinfo=TZ)),  # month end
        (datetime(2026, 12, 31, 23, 30, tzinfo=TZ), datetime(2027, 1, 1, 7, tzinfo=TZ)),  # year end
    ],
)
def test_a_window_across_midnight(when: datetime, allowed: datetime) -> None:
    assert next_allowed(when, NIGHT) == allowed


def test_the_answer_keeps_the_callers_zone_and_reads_local_time() -> None:
    # 15:30 UTC is 22:30 in Hà Nội: quiet until 07:00 local, i.e. 00:00 UTC.
    result = next_allowed(datetime(2026, 3, 10, 15, 30, tzinfo=UTC), NIGHT)
    assert result == datetime(2026, 3, 11, 0, 0, tzinfo=UTC) and result.tzinfo is UTC


def test_a_window_inside_one_day_and_no_window() -> None:
    lunch = QuietHours(time(12), time(13, 30))
    assert next_allowed(at(10, 11, 59), lunch) == at(10, 11, 59)
    assert next_allowed(at(10, 12, 15), lunch) == at(10, 13, 30)
    assert next_allowed(at(10, 23), lunch) == at(10, 23)
    assert next_allowed(at(10, 23), None) == at(10, 23)


def test_parse_the_setting() -> None:
    assert QuietHours.parse("21:00-07:00") == NIGHT
    assert QuietHours.parse(" 9:30 - 10:00 ") == QuietHours(time(9, 30), time(10))
    assert QuietHours.parse("") is None
    for bad in ("21-07", "25:00-07:00", "07:00-07:00", "nope"):
        with pytest.raises(ValueError):
            QuietHours.parse(bad)
    with pytest.raises(ZoneInfoNotFoundError):
        QuietHours.parse("21:00-07:00", "Mars/Olympus")
