"""`make demo`'s timeline: the clock stops at 08:00 and 16:00 every day so the notifier can catch up, and
the reports of a day between two stops go in one batch at the first one's time."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bdhvs_local.demo.plan import Report, make_plan
from bdhvs_local.demo.timeline import Batch, Stop, periods_on, timeline
from bdhvs_shared.catalogue import PeriodType, load_catalogue

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNTIL = datetime(2026, 12, 3, 9, tzinfo=TZ)
PLAN = make_plan(load_catalogue(), UNTIL, months=3, units=10)


def test_the_clock_stops_at_eight_and_four_every_day_until_the_plans_end() -> None:
    stops = [i.when for i in timeline(PLAN, TZ) if isinstance(i, Stop)]
    first = PLAN.steps[0].when.astimezone(TZ).date()
    days = (UNTIL.date() - first).days
    assert len(stops) == 2 * days + 1  # the last day's 16:00 is after `until`
    assert {s.astimezone(TZ).time() for s in stops} == {time(8), time(16)}
    assert all(b - a in (timedelta(hours=8), timedelta(hours=16)) for a, b in itertools.pairwise(stops))
    assert stops[-1] <= UNTIL


def test_every_step_is_in_one_batch_of_one_day_between_two_stops_in_time_order() -> None:
    instants = timeline(PLAN, TZ)
    batched = [s for i in instants if isinstance(i, Batch) for s in i.steps]
    assert sorted(batched, key=id) == sorted(PLAN.steps, key=id) and len(batched) == len(PLAN.steps)
    assert [i.when for i in instants] == sorted(i.when for i in instants)  # the clock never goes back
    for before, batch, after in _triples(instants):
        assert isinstance(before, Stop) and isinstance(after, Stop)
        assert {s.when.astimezone(TZ).date() for s in batch.steps} == {batch.when.astimezone(TZ).date()}
        assert batch.when == batch.steps[0].when and all(
            before.when <= s.when < after.when for s in batch.steps
        )


def test_a_report_at_eight_sharp_comes_after_the_stop() -> None:
    first = next(r for r in PLAN.reports)
    at_eight = Report(datetime.combine(first.when.date(), time(8), TZ), first.filer, first.body, first.key)
    plan = type(PLAN)(PLAN.until, PLAN.profiles, None, [at_eight])
    instants = timeline(plan, TZ)
    assert [type(i) for i in instants[:3]] == [Stop, Batch, Stop]
    assert instants[0].when == at_eight.when


def _triples(instants: list[Stop | Batch]) -> list[tuple[Stop | Batch, Batch, Stop | Batch]]:
    return [
        (instants[i - 1], b, instants[i + 1])
        for i, b in enumerate(instants)
        if isinstance(b, Batch) and 0 < i < len(instants) - 1
    ]


def test_a_new_period_of_some_form_begins_on_mondays_and_the_first_of_a_month_only() -> None:
    """The days the demo waits for the notifier's ledger to plan new items."""
    types = {PeriodType.WEEKLY, PeriodType.MONTHLY}
    changes = [
        day
        for day in (date(2026, 3, 1) + timedelta(days=n) for n in range(61))
        if periods_on(day - timedelta(days=1), types) != periods_on(day, types)
    ]
    mondays = [date(2026, 3, 2) + timedelta(weeks=n) for n in range(9)]
    assert changes == sorted([*mondays, date(2026, 3, 1), date(2026, 4, 1)])
    assert periods_on(date(2026, 3, 3), {PeriodType.MONTHLY}) == periods_on(
        date(2026, 3, 31), {PeriodType.MONTHLY}
    )


def test_the_first_instant_is_a_new_day_and_period_and_a_move_within_a_day_is_neither() -> None:
    from bdhvs_local.demo.runner import Calendar

    calendar = Calendar(TZ, {PeriodType.WEEKLY, PeriodType.MONTHLY})
    never = datetime(2000, 1, 1, tzinfo=TZ)  # the start's high-water mark, before the catalogue's years
    assert calendar.news(never, datetime(2026, 3, 4, 8, tzinfo=TZ)) == (True, True)
    assert calendar.news(datetime(2026, 3, 4, 8, tzinfo=TZ), datetime(2026, 3, 4, 16, tzinfo=TZ)) == (
        False,
        False,
    )
    assert calendar.news(datetime(2026, 3, 4, 16, tzinfo=TZ), datetime(2026, 3, 5, 8, tzinfo=TZ)) == (
        True,
        False,
    )
    assert calendar.news(datetime(2026, 3, 8, 16, tzinfo=TZ), datetime(2026, 3, 9, 8, tzinfo=TZ)) == (
        True,
        True,
    )
