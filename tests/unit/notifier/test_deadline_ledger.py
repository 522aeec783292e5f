"""The deadline ledger's pure rules: when each item falls due, what expires, who hears about it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bdhvs_shared.catalogue import Period, PeriodType, load_catalogue
from notifier.adapters.messages import Messages
from notifier.domain.intents import DeadlineFacts
from notifier.domain.ledger import LedgerPolicy, decide, ledger_forms
from notifier.domain.ledger_plan import period_containing, plan, previous_period, unit_items

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CATALOGUE = load_catalogue()
DAYS = CATALOGUE.workdays


def at(day: int, hour: int = 8, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


def test_a_monthly_report_is_reminded_3_and_1_days_before_then_overdue_then_escalated() -> None:
    items = unit_items(CATALOGUE.forms["monthly"], Period.parse("2026-03"), "09313", LedgerPolicy(), TZ, DAYS)
    assert [(i.kind, i.due_at, i.expires_at) for i in items] == [
        ("reminder_3d", at(17), at(19)),
        ("reminder_1d", at(19), at(20, 0)),
        ("overdue", at(20), None),
        ("escalation", at(24), None),  # 2 working days after Friday 20th: Tuesday (not Sunday 22nd)
    ]
    assert {i.deadline for i in items} == {at(20, 0)}


def test_inclusive_deadlines_and_other_settings_move_every_item() -> None:
    policy = LedgerPolicy(reminder_days=(5,), escalation_days=3, send_hour=0, inclusive=True)
    items = unit_items(CATALOGUE.forms["quarterly"], Period.parse("2026-Q1"), "09313", policy, TZ, DAYS)
    assert [(i.kind, i.due_at) for i in items] == [
        ("reminder_5d", at(16, 0)),
        ("overdue", at(23, 0)),  # the cut-off is Saturday 21st 00:00: the notice waits for Monday
        ("escalation", at(26, 0)),
    ]


def test_weekly_periods_are_iso_weeks_due_the_monday_after() -> None:
    assert period_containing(PeriodType.WEEKLY, date(2026, 3, 11)) == Period.parse("2026-W11")
    assert previous_period(Period.parse("2026-W01")) == Period.parse("2025-W52")
    assert previous_period(Period.parse("2026-01")) == Period.parse("2025-12")
    assert period_containing(PeriodType.SIX_MONTHLY, date(2026, 7, 1)) == Period.parse("2026-H2")
    items = unit_items(
        CATALOGUE.forms["youth_weekly"], Period.parse("2026-W11"), "09313", LedgerPolicy(), TZ, DAYS
    )
    # The week's last day is Sunday 15th: the report is due by the end of Monday 16th (art. 148(5)).
    assert items[-2].kind == "overdue" and items[-2].due_at == at(17)


def test_plan_covers_the_current_and_previous_period_within_the_catch_up_window() -> None:
    forms = ledger_forms(CATALOGUE, ["monthly"])
    items = plan(CATALOGUE, forms, at(10, 9), LedgerPolicy())
    periods = {i.period for i in items}
    assert periods == {"2026-03"}  # February's items are all older than 7 days
    units = {i.unit_code for i in items if i.kind == "overdue"}
    assert units == {u.code for u in CATALOGUE.expected_reporters(forms[0], on=date(2026, 3, 14))}
    assert [i.unit_code for i in items if i.kind == "summary"] == ["24"]
    # On 25 February 09:00 the window starts 18 February 09:00: the 17th's reminder is left out.
    late_feb = plan(CATALOGUE, forms, at(25, 9, month=2), LedgerPolicy())
    assert {(i.period, i.kind) for i in late_feb if i.unit_code == "09313"} == {
        ("2026-02", "reminder_1d"),
        ("2026-02", "overdue"),
        ("2026-02", "escalation"),
    }


def test_agency_and_one_off_forms_are_not_chased_and_unknown_forms_are_refused() -> None:
    codes = {f.code for f in ledger_forms(CATALOGUE)}
    assert "monthly" in codes and "youth_weekly" in codes
    assert not codes & {"police_monthly", "police_baseline_2025"}
    with pytest.raises(ValueError, match="nope"):
        ledger_forms(CATALOGUE, ["nope"])


def test_a_reminder_past_its_moment_is_collapsed_but_an_overdue_notice_never_is() -> None:
    assert decide("reminder_3d", at(19), at(18)).send
    assert not decide("reminder_3d", at(19), at(19)).send
    assert decide("overdue", None, at(28)).send


def test_the_operators_are_reminded_two_working_days_before_the_24th_about_that_months_reports() -> None:
    forms = ledger_forms(CATALOGUE, ["monthly", "quarterly"])
    items = [i for i in plan(CATALOGUE, forms, at(21, 9), LedgerPolicy()) if i.kind == "consolidation"]
    # Tuesday 24/3 (CONSOLIDATION_DAY, as kpi makes the report): Friday 20/3 is 2 working days before.
    assert [(i.form, i.period, i.unit_code, i.due_at, i.expires_at) for i in items] == [
        ("monthly", "2026-03", "24", at(20), at(24, 0))  # February's is older than the catch-up window
    ]
    policy = LedgerPolicy(consolidation_day=5, consolidation_days_before=1, consolidation_hour=14)
    early = [i for i in plan(CATALOGUE, forms, at(1, 9), policy) if i.kind == "consolidation"]
    # On 5 March the latest monthly period already due is February's (due 20 March for March).
    assert [(i.period, i.due_at) for i in early] == [("2026-02", at(4, 14))]
    with pytest.raises(ValueError):
        LedgerPolicy(consolidation_day=25, consolidation_days_before=25)


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        LedgerPolicy(reminder_days=(0,))
    with pytest.raises(ValueError):
        LedgerPolicy(send_hour=24)
    with pytest.raises(ValueError):
        LedgerPolicy(early_days=-1)


def test_a_reminder_counts_working_days_to_the_last_day_the_calendar_moved() -> None:
    """February 2026's report is due before the 20th; Tết (16-20/2) and the weekend move its last
    day to Monday 23/2. On Thursday 12/2 that is 3 working days (12, 13, 23), not 12 calendar days."""
    tz = ZoneInfo(CATALOGUE.timezone)
    now, cut_off = datetime(2026, 2, 12, 9, tzinfo=tz), datetime(2026, 2, 24, tzinfo=tz)
    facts = DeadlineFacts("deadline_reminder", "monthly", "2026-02", "09313", cut_off, now)
    reminder = Messages(CATALOGUE).deadline(facts, "Văn phòng xã")
    assert "còn 3 ngày làm việc" in reminder.subject
    assert "hết ngày 23/02/2026" in reminder.text and "còn 3 ngày làm việc" in reminder.sms
    late = DeadlineFacts("deadline_escalation", "monthly", "2026-02", "09313", cut_off, now.replace(day=27))
    assert "quá hạn 4 ngày làm việc" in Messages(CATALOGUE).deadline(late, "x").subject  # 24-27/2


def test_messages_are_vietnamese_and_the_summary_lists_the_missing_units() -> None:
    messages = Messages(CATALOGUE)
    facts = DeadlineFacts("deadline_reminder", "monthly", "2026-03", "09313", at(20, 0), at(17))
    reminder = messages.deadline(facts, "Văn phòng xã")
    assert "còn 3 ngày làm việc" in reminder.subject and "tháng 03/2026" in reminder.subject
    assert "Chi Lăng" in reminder.text and "hết ngày 19/03/2026" in reminder.text
    summary_facts = DeadlineFacts(
        "deadline_summary", "monthly", "2026-03", "24", at(20, 0), at(20), ("09292", "09313"), 99
    )
    summary = messages.deadline(summary_facts, "Sở")
    assert "2/99 đơn vị chưa nộp" in summary.subject
    assert "- Xã Phù Lãng (mã 09292)" in summary.text or "Phù Lãng (mã 09292)" in summary.text
    assert summary.html.count("<li>") == 2
    late = messages.deadline(
        DeadlineFacts("deadline_escalation", "monthly", "2026-03", "09313", at(20, 0), at(22)), "x"
    )
    assert "quá hạn 1 ngày làm việc" in late.subject  # the 19th was the last day; 21-22 are a weekend
    consolidation = messages.deadline(
        DeadlineFacts(
            "operator_consolidation_reminder",
            "monthly",
            "2026-03",
            "24",
            at(20, 0),
            at(23),
            ("09313",),
            99,
            ("09292",),
            at(25, 0),
        ),
        "Sở",
    )
    assert "ngày 25/03/2026" in consolidation.subject and "1/99 đơn vị chưa nộp" in consolidation.subject
    text = consolidation.text
    assert text.index("Chi Lăng (mã 09313)") < text.index("nộp nhưng muộn hạn") < text.index("(mã 09292)")
    assert consolidation.html.count('<li class="late">') == 1


def test_tet_2026_february_items_follow_the_moved_deadline_and_skip_the_holidays() -> None:
    items = unit_items(CATALOGUE.forms["monthly"], Period.parse("2026-02"), "09313", LedgerPolicy(), TZ, DAYS)
    # The "3" reminder would be Thursday 12th, two working days before Monday 23rd; but February is
    # reported from Saturday 14th (its as-of day), in Tết: it waits for the 23rd, the "1" reminder's
    # moment, and is that reminder.
    assert [(i.kind, i.due_at) for i in items] == [
        ("reminder_1d", at(23, month=2)),  # the last day, after Tết
        ("overdue", at(24, month=2)),
        ("escalation", at(26, month=2)),
    ]
    assert {i.deadline for i in items} == {at(24, 0, month=2)}
    assert all(DAYS.is_working_day(i.due_at.date()) for i in items)
    # A province that opens the period two days early (REPORT_EARLY_DAYS=2: intake takes it from the
    # 12th) has its "3" reminder before Tết again.
    early = unit_items(
        CATALOGUE.forms["monthly"], Period.parse("2026-02"), "09313", LedgerPolicy(early_days=2), TZ, DAYS
    )
    assert [(i.kind, i.due_at) for i in early][:2] == [
        ("reminder_3d", at(12, month=2)),
        ("reminder_1d", at(23, month=2)),
    ]


def test_no_reminder_comes_before_the_period_may_be_reported() -> None:
    """A week is reported from its Sunday (intake refuses it before): its "3" reminder (Thursday 12th)
    waits for the first working moment from then, Monday 16th 08:00, which is the "1" reminder's."""
    weekly, week = CATALOGUE.forms["youth_weekly"], Period.parse("2026-W11")
    items = unit_items(weekly, week, "09313", LedgerPolicy(), TZ, DAYS)
    assert [(i.kind, i.due_at, i.expires_at) for i in items[:1]] == [("reminder_1d", at(16), at(17, 0))]
    assert [i.kind for i in items] == ["reminder_1d", "overdue", "escalation"]
    # Opened four days early (REPORT_EARLY_DAYS=4: from Wednesday 11th), both reminders go out.
    early = unit_items(weekly, week, "09313", LedgerPolicy(early_days=4), TZ, DAYS)
    assert [(i.kind, i.due_at, i.expires_at) for i in early[:2]] == [
        ("reminder_3d", at(12), at(16)),
        ("reminder_1d", at(16), at(17, 0)),
    ]
    # Opened on Friday 13th, the "3" reminder goes out then (the texts count the days left).
    friday = unit_items(weekly, week, "09313", LedgerPolicy(early_days=2), TZ, DAYS)
    assert [(i.kind, i.due_at) for i in friday[:2]] == [("reminder_3d", at(13)), ("reminder_1d", at(16))]


def test_every_2025_to_2027_item_falls_on_a_working_day() -> None:
    forms = ledger_forms(CATALOGUE)
    for year in (2025, 2026, 2027):
        for month in range(1, 13):
            for item in plan(CATALOGUE, forms, datetime(year, month, 15, 9, tzinfo=TZ), LedgerPolicy()):
                assert DAYS.is_working_day(item.due_at.date()), item


def test_without_the_working_day_rule_the_deadline_stays_but_messages_still_wait_for_a_working_day() -> None:
    policy = LedgerPolicy(deadline_working_day=False)
    items = unit_items(CATALOGUE.forms["monthly"], Period.parse("2026-04"), "09313", policy, TZ, DAYS)
    assert {i.deadline for i in items} == {at(20, 0, month=4)}  # Sunday 19th stays the last day
    assert [(i.kind, i.due_at) for i in items] == [
        ("reminder_3d", at(15, month=4)),
        ("reminder_1d", at(17, month=4)),  # Friday: the last working day before Sunday 19th
        ("overdue", at(20, month=4)),
        ("escalation", at(22, month=4)),
    ]


def test_a_consolidation_day_on_a_holiday_moves_to_the_next_working_day() -> None:
    # With CONSOLIDATION_DAY 25: 25 April 2026 is a Saturday, so the province consolidates on Tuesday
    # 28th (27th is the Hùng Kings' day).
    forms = ledger_forms(CATALOGUE, ["monthly"])
    policy = LedgerPolicy(consolidation_day=25)
    items = [i for i in plan(CATALOGUE, forms, at(22, 9, month=4), policy) if i.kind == "consolidation"]
    assert [(i.period, i.due_at, i.expires_at) for i in items] == [
        ("2026-04", at(23, month=4), at(28, 0, month=4))
    ]


def test_go_live_leaves_out_every_period_due_before_it() -> None:
    forms = ledger_forms(CATALOGUE)
    now = datetime(2026, 12, 3, 9, tzinfo=TZ)  # Thursday: week 48 was due by the end of Monday 30/11
    without = plan(CATALOGUE, forms, now, LedgerPolicy())
    assert any(i.period == "2026-W48" and i.kind == "overdue" for i in without)
    items = plan(CATALOGUE, forms, now, LedgerPolicy(), go_live=now)
    assert items and all(i.deadline > now for i in items)
    assert not [i for i in items if i.kind in {"overdue", "escalation", "summary"} and i.due_at <= now]
