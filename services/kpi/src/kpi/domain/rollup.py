"""Roll-ups: sums of each unit's latest observation at each date, never averaged percentages."""

from __future__ import annotations

from collections import Counter
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


@dataclass(frozen=True)
class RollupDay:
    """A stored roll-up point, with how many units have an observation on exactly that day.

    `units_dated` tells when a day stops being one of the roll-up's dates (no unit
    reported on it any more), so the roll-up can be kept up to date one unit at a time.
    """

    as_of: date
    numerator: int
    denominator: int
    units_reporting: int
    units_dated: int

    def point(self) -> RollupPoint:
        return RollupPoint(self.as_of, self.numerator, self.denominator, self.units_reporting)


def rollup_days(unit_series: Mapping[str, Sequence[Observation]]) -> list[RollupDay]:
    """`rollup_series` with each day's `units_dated`: the roll-up recomputed from every unit."""
    dated = Counter(o.as_of for series in unit_series.values() for o in latest_per_day(series))
    return [
        RollupDay(p.as_of, p.numerator, p.denominator, p.units_reporting, dated[p.as_of])
        for p in rollup_series(unit_series)
    ]


def with_unit_change(
    days: Sequence[RollupDay], old: Sequence[Observation], new: Sequence[Observation]
) -> list[RollupDay]:
    """The roll-up once one unit's series went from `old` to `new` (same order rules as `rollup_series`).

    At each date the sums move by the change of that unit's carried-forward value, so the
    result is exactly `rollup_days` recomputed with the unit's new series (integer sums). A
    date the unit brings in starts from the roll-up carried forward from the day before; a
    date no unit reports on any more is dropped.
    """
    before, after = latest_per_day(old), latest_per_day(new)
    if before == after:
        return list(days)
    by_day = {d.as_of: d for d in days}
    old_days, new_days = {o.as_of for o in before}, {o.as_of for o in after}
    was, now = _Carried(before), _Carried(after)
    result: list[RollupDay] = []
    carried = RollupDay(date.min, 0, 0, 0, 0)
    for day in sorted(by_day.keys() | new_days):
        base = by_day.get(day) or RollupDay(
            day, carried.numerator, carried.denominator, carried.units_reporting, 0
        )
        carried = base
        (n0, d0, r0), (n1, d1, r1) = was.at(day), now.at(day)
        dated = base.units_dated - (day in old_days) + (day in new_days)
        if dated > 0:
            result.append(
                RollupDay(
                    day,
                    base.numerator + n1 - n0,
                    base.denominator + d1 - d0,
                    base.units_reporting + r1 - r0,
                    dated,
                )
            )
    return result


class _Carried:
    """A unit's carried-forward value at increasing dates: (numerator, denominator, 1), or zeros before
    its first observation."""

    def __init__(self, series: Sequence[Observation]) -> None:
        self._series, self._i = series, -1

    def at(self, day: date) -> tuple[int, int, int]:
        while self._i + 1 < len(self._series) and self._series[self._i + 1].as_of <= day:
            self._i += 1
        if self._i < 0:
            return 0, 0, 0
        o = self._series[self._i]
        return o.numerator, o.denominator, 1
