"""An observation: a unit's cumulative figures for one indicator as of a day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Observation:
    as_of: date
    numerator: int
    denominator: int

    @property
    def attainment(self) -> float | None:
        """numerator / denominator; None for a denominator of 0 (no attainment, not 0 %).

        Not clamped: a stale reference denominator can push it above 1, and hiding
        that would hide a data problem (only the projection is clamped, per the rules).
        """
        if self.denominator == 0:
            return None
        return self.numerator / self.denominator


def latest_per_day(series: Iterable[Observation]) -> list[Observation]:
    """Sorted by as_of, one observation per day.

    Of two observations on the same day the one that comes later in the input wins:
    callers pass the latest revision last (or only), so results never depend on
    anything but the input order of same-day duplicates.
    """
    by_day: dict[date, Observation] = {}
    for observation in series:
        by_day[observation.as_of] = observation
    return [by_day[day] for day in sorted(by_day)]
