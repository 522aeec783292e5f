"""A unit's (or the province's) history for the read API (pure): one point per as-of day, each with
the pace, projection and status as they stood on that day, against that day's year's target."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kpi.domain.observation import Observation, latest_per_day
from kpi.domain.projection import project
from kpi.domain.projector import Projector
from kpi.domain.rollup import rollup_series
from kpi.domain.target import Comparator, Target


@dataclass(frozen=True)
class HistoryPoint:
    as_of: date
    numerator: int
    denominator: int
    attainment: float | None
    units_reporting: int
    pace_pp_per_30d: float | None
    projected: float | None
    status: str
    target_value: float | None


def unit_history(projector: Projector, indicator: str, series: Sequence[Observation]) -> list[HistoryPoint]:
    days = latest_per_day(series)
    return [_point(projector, indicator, days[: i + 1], 1) for i in range(len(days))]


def province_history(
    projector: Projector, indicator: str, series_by_unit: Mapping[str, Sequence[Observation]]
) -> list[HistoryPoint]:
    points = rollup_series(series_by_unit)
    observations = [Observation(p.as_of, p.numerator, p.denominator) for p in points]
    return [
        _point(projector, indicator, observations[: i + 1], p.units_reporting) for i, p in enumerate(points)
    ]


def _point(projector: Projector, indicator: str, prefix: list[Observation], reporting: int) -> HistoryPoint:
    last = prefix[-1]
    target = projector.target(indicator, last.as_of)  # the target of that day's year
    judged = target or Target(1.0, Comparator.GE, date(last.as_of.year, 12, 31))
    projection = project(prefix, judged, last.as_of, projector.rules)
    return HistoryPoint(
        as_of=last.as_of,
        numerator=last.numerator,
        denominator=last.denominator,
        attainment=projection.attainment,
        units_reporting=reporting,
        pace_pp_per_30d=projection.pace_pp_per_30d,
        projected=projection.projected,
        status=projection.status.value,
        target_value=target.value if target else None,
    )
