"""Pace, projection to the target date, required pace and status (docs/kpi-rules.md).

Decisions where the rules are silent:
- Input order does not matter: the series is sorted by as_of; of two observations on
  the same as_of, the one appearing last in the input wins (pass the latest revision).
- Observations with a denominator of 0 have no attainment: they are left out of the
  pace (and of `observations_in_window`). If the latest one has a denominator of 0,
  `attainment` and `projected` are None and the status is insufficient_data, even
  after the due date: "missed" needs an attainment to compare.
- The window is anchored on the latest observation, whatever its denominator.
- When the latest as_of is on or after the target date, there is nothing left to
  project: `projected` is a_last (clamped) and the required pace is None.
- The required pace follows the formula as written, so it is negative when a_last is
  already above the target value.
- `today` only decides "missed"; observations dated after `today` are not filtered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kpi.domain.observation import Observation, latest_per_day
from kpi.domain.status import Status
from kpi.domain.target import EPSILON, Target


@dataclass(frozen=True)
class ProjectionRules:
    window_days: int = 180  # observations with as_of after (latest − 180 days) count for pace
    at_risk_margin: float = 0.05  # at_risk when the projection misses by at most 5 pp


@dataclass(frozen=True)
class Projection:
    as_of: date | None
    numerator: int | None
    denominator: int | None
    attainment: float | None  # a_last
    pace_per_day: float | None  # OLS slope over the window
    projected: float | None  # a_T, clamped to [0, 1]
    required_pace_per_day: float | None
    status: Status
    observations_in_window: int  # those with an attainment, i.e. the ones the pace uses

    @property
    def pace_pp_per_30d(self) -> float | None:
        return None if self.pace_per_day is None else self.pace_per_day * 30 * 100

    @property
    def required_pace_pp_per_30d(self) -> float | None:
        return None if self.required_pace_per_day is None else self.required_pace_per_day * 30 * 100


def ols_slope(points: Sequence[tuple[int, float]]) -> float | None:
    """Least-squares slope of y over x; None for fewer than 2 distinct x."""
    if len({x for x, _ in points}) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return sxy / sxx


def project(
    series: Sequence[Observation],
    target: Target,
    today: date,
    rules: ProjectionRules = ProjectionRules(),  # frozen, so a shared default is safe
) -> Projection:
    observations = latest_per_day(series)
    if not observations:
        return Projection(None, None, None, None, None, None, None, Status.INSUFFICIENT_DATA, 0)
    last = observations[-1]
    # Days relative to the latest as_of: the window test and the slope both read naturally.
    points = [
        ((o.as_of - last.as_of).days, a)
        for o in observations
        if (last.as_of - o.as_of).days < rules.window_days and (a := o.attainment) is not None
    ]
    current = last.attainment
    pace = ols_slope(points)
    days_left = (target.due - last.as_of).days
    projected = None
    if current is not None and pace is not None:
        projected = min(1.0, max(0.0, current + pace * max(0, days_left)))
    required = None
    if current is not None and days_left > 0:
        required = (target.value - current) / days_left
    return Projection(
        as_of=last.as_of,
        numerator=last.numerator,
        denominator=last.denominator,
        attainment=current,
        pace_per_day=pace,
        projected=projected,
        required_pace_per_day=required,
        status=status_of(current, projected, target, today, rules),
        observations_in_window=len(points),
    )


def status_of(
    current: float | None,
    projected: float | None,
    target: Target,
    today: date,
    rules: ProjectionRules,
) -> Status:
    """The first row of the rules' status table that applies, in the table's order."""
    if current is None:
        return Status.INSUFFICIENT_DATA
    if target.is_met_by(current):
        return Status.ACHIEVED
    if today > target.due:  # known for certain, so it wins over an unknown pace
        return Status.MISSED
    if projected is None:
        return Status.INSUFFICIENT_DATA
    if target.is_met_by(projected):
        return Status.ON_TRACK
    # EPSILON: a miss of exactly 5 pp (e.g. 1.0 − 0.95 = 0.05000000000000004) is at_risk.
    if target.shortfall(projected) <= rules.at_risk_margin + EPSILON:
        return Status.AT_RISK
    return Status.OFF_TRACK
