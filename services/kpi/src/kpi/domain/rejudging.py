"""Which stored snapshots the date alone may have changed (pure; used by the daily status tick).

Without a new report, a status depends on the date in two ways (docs/kpi-rules.md): the
target of the current year applies from 1 January, and once the target date has
passed an unmet target is `missed`. Only those snapshots are recomputed.
"""

from __future__ import annotations

from datetime import date

from kpi.domain.snapshot import Snapshot
from kpi.domain.status import Status
from kpi.domain.target import Target

_FINAL = {Status.ACHIEVED.value, Status.MISSED.value}


def needs_rejudging(
    stored: Snapshot, target: Target | None, today: date, judged_on: date | None = None
) -> bool:
    """`judged_on`: the day the status tick last re-judged (None: not since the service started)."""
    if target is None:
        # No target at all: judged against 100 % at the end of the year it was computed in, so only
        # a new year changes it. The snapshot does not say when it was computed: a tick's first
        # run, or the first in a new year, re-judges them all (it publishes only what changed).
        return stored.target_due is None and (judged_on is None or judged_on.year != today.year)
    judged_against = (stored.target_value, stored.target_comparator, stored.target_due)
    if judged_against != (target.value, target.comparator.value, target.due):
        return True  # a new year's target applies
    return today > target.due and stored.attainment is not None and stored.status not in _FINAL
