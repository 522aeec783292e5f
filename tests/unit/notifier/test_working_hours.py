"""Nothing goes out on a day off or outside working hours (domain/working_hours.py, DeliveryPolicy)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bdhvs_shared.catalogue import load_catalogue
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.quiet_hours import QuietHours
from notifier.domain.working_hours import WorkingHours, next_working_moment

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAYS = load_catalogue().workdays
HOURS = WorkingHours()
POLICY = DeliveryPolicy(("email", "sms"), working_days_only=True, working_hours=HOURS)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def test_within_working_hours_of_a_working_day_it_goes_at_once() -> None:
    assert next_working_moment(at(3, 18, 9), DAYS, HOURS) == at(3, 18, 9)
    assert next_working_moment(at(3, 18, 7), DAYS, HOURS) == at(3, 18, 7, 30)  # before 07:30
    assert next_working_moment(at(3, 20, 17), DAYS, HOURS) == at(3, 23, 7, 30)  # Friday 17:00 → Monday


def test_tet_and_sundays_wait_for_the_next_working_morning() -> None:
    assert next_working_moment(at(2, 17, 10), DAYS, HOURS) == at(2, 23, 7, 30)  # Tết 2026
    assert next_working_moment(at(4, 19, 10), DAYS, HOURS) == at(4, 20, 7, 30)  # Sunday
    assert next_working_moment(at(8, 22, 10), DAYS, HOURS) == at(8, 22, 10)  # compensatory Saturday
    assert next_working_moment(at(8, 29, 10), DAYS, None) == at(9, 3, 0)  # no hours: the day's start


def test_alerts_may_go_out_any_time_when_configured_and_sms_still_keeps_quiet_hours() -> None:
    sunday = at(4, 19, 10)
    assert POLICY.earliest(sunday, "email", DAYS) == at(4, 20, 7, 30)
    assert POLICY.earliest(sunday, "email", DAYS, alert=True) == at(4, 20, 7, 30)
    any_time = DeliveryPolicy(
        ("email", "sms"),
        quiet_hours=QuietHours.parse("21:00-07:00"),
        working_days_only=True,
        working_hours=HOURS,
        alerts_any_time=True,
    )
    assert any_time.earliest(sunday, "email", DAYS, alert=True) == sunday
    assert any_time.earliest(at(4, 19, 22), "sms", DAYS, alert=True) == at(4, 20, 7)
    assert any_time.earliest(sunday, "email", DAYS) == at(4, 20, 7, 30)  # deadline mail still waits
    assert DeliveryPolicy().earliest(sunday, "email", DAYS) == sunday  # the gate is off by default


@pytest.mark.parametrize("window", ["17:00-07:30", "7:30", "07:30-07:30"])
def test_working_hours_must_be_a_window_within_one_day(window: str) -> None:
    with pytest.raises(ValueError, match="working hours"):
        WorkingHours.parse(window)
    assert WorkingHours.parse("") is None
