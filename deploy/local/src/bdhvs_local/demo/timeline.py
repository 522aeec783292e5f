"""The demo's clock, instant by instant: pure (same plan, same timeline).

The clock stops twice a day, at 08:00 and 16:00 local time (`STOPS`), from the plan's first day to
its last: the notifier's reminders, overdue notices and escalations fall due at 08:00, the alert
groups of the day's reports by 16:00; the runner waits there only when something is due (runner.py).
Between two stops, the reports received on one day go in one batch, at the first one's time: a report
is on time or late by its day (a cut-off is a midnight), so the batch judges each as its own instant
would.

`stops` is the one place that says when the clock stops: with a working-day calendar (issue 15: the
notifier sends nothing on days off or outside 07:30–17:00) it can skip the days off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bdhvs_local.demo.plan import Merge, Plan, Report
from bdhvs_shared.catalogue import Period, PeriodType
from bdhvs_shared.catalogue.periods import containing

STOPS = (time(8), time(16))  # within working hours (07:30–17:00), after the notifier's send hour


@dataclass(frozen=True)
class Stop:
    """The notifier catches up with the clock at this instant."""

    when: datetime


@dataclass(frozen=True)
class Batch:
    """Steps of one day between two stops, filed with the clock at `when` (the first one's time)."""

    when: datetime
    steps: tuple[Report | Merge, ...]


def periods_on(day: date, types: Iterable[PeriodType]) -> frozenset[Period]:
    """The periods of these types holding `day`. The notifier's ledger plans each form's current and
    previous period: on a day where one of them begins, it has new items to plan."""
    return frozenset(containing(t, day) for t in types)


def stops(day: date, tz: ZoneInfo) -> list[datetime]:
    """When the clock stops on this local day."""
    return [datetime.combine(day, at, tz) for at in STOPS]


def timeline(plan: Plan, tz: ZoneInfo) -> list[Stop | Batch]:
    """Stops and batches in time order, from the plan's first day to `plan.until`."""
    if not plan.steps:
        return []
    day, last = plan.steps[0].when.astimezone(tz).date(), plan.until.astimezone(tz).date()
    instants: list[tuple[datetime, int, Report | Merge | None]] = []
    while day <= last:
        instants += [(at, 0, None) for at in stops(day, tz) if at <= plan.until]
        day += timedelta(days=1)
    instants += [(s.when, 1, s) for s in plan.steps]
    instants.sort(key=lambda i: (i[0], i[1]))  # a stop before a report of the same instant
    out: list[Stop | Batch] = []
    batch: list[Report | Merge] = []
    for at, _, step in instants:
        if step is not None and batch and _day(batch[0].when, tz) == _day(at, tz):
            batch.append(step)
            continue
        if batch:
            out.append(Batch(batch[0].when, tuple(batch)))
        batch = [step] if step is not None else []
        if step is None:
            out.append(Stop(at))
    if batch:
        out.append(Batch(batch[0].when, tuple(batch)))
    return out


def _day(when: datetime, tz: ZoneInfo) -> date:
    return when.astimezone(tz).date()
