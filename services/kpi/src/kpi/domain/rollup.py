"""Roll-ups: sums of each unit's latest observation at each date, never averaged percentages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kpi.domain.observation import Observation, latest_per_day


@dataclass(frozen=True)
class RollupPoint:
    as_of: date
    numerator: int
    denominator: int
    units_reporting: int  # units with an observation on or before as_of


def rollup_series(unit_series: Mapping[str, Sequence[Observation]]) -> list[RollupPoint]:
    """At each date any unit reported, the group's totals; a unit's last value carries forward.

    Units with no observation yet at a date are left out of both sums (and of
    units_reporting). Same-day duplicates within a unit: the later in its input wins,
    as in `project`. Sums of integers, so the result is exact and order-independent.
    """
    per_unit = [latest_per_day(series) for series in unit_series.values()]
    per_unit = [series for series in per_unit if series]
    dates = sorted({o.as_of for series in per_unit for o in series})
    cursors = [-1] * len(per_unit)  # index of each unit's latest observation so far
    points = []
    for day in dates:
        numerator = denominator = reporting = 0
        for k, series in enumerate(per_unit):
            i = cursors[k]
            while i + 1 < len(series) and series[i + 1].as_of <= day:
                i += 1
            cursors[k] = i
            if i >= 0:
                numerator += series[i].numerator
                denominator += series[i].denominator
                reporting += 1
        points.append(RollupPoint(day, numerator, denominator, reporting))
    return points


def as_observations(points: Sequence[RollupPoint]) -> list[Observation]:
    """The roll-up as a series, to feed `project` like any unit's."""
    return [Observation(p.as_of, p.numerator, p.denominator) for p in points]
