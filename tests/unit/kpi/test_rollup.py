"""Roll-ups: sums of each unit's latest observation, carried forward; never averaged percentages."""

from __future__ import annotations

from datetime import date

import pytest

from kpi.domain.observation import Observation
from kpi.domain.projection import project
from kpi.domain.rollup import RollupPoint, as_observations, rollup_series
from kpi.domain.status import Status
from kpi.domain.target import Comparator, Target

DUE = date(2026, 12, 31)
TODAY = date(2026, 3, 20)


def on(month: int, numerator: int, denominator: int = 10000) -> Observation:
    return Observation(date(2026, month, 14), numerator, denominator)


UNIT_X = [on(1, 4000), on(2, 4300), on(3, 4700)]  # worked example A
UNIT_Y = [on(1, 6000), on(3, 6600)]  # worked example B


def test_the_worked_roll_up_example() -> None:
    assert rollup_series({"X": UNIT_X, "Y": UNIT_Y}) == [
        RollupPoint(date(2026, 1, 14), 10000, 20000, 2),
        RollupPoint(date(2026, 2, 14), 10300, 20000, 2),  # Y's January value carries forward
        RollupPoint(date(2026, 3, 14), 11300, 20000, 2),
    ]


def test_the_roll_up_is_projected_like_any_series() -> None:
    points = rollup_series({"X": UNIT_X, "Y": UNIT_Y})
    series = as_observations(points)
    assert series == [on(1, 10000, 20000), on(2, 10300, 20000), on(3, 11300, 20000)]
    result = project(series, Target(1.0, Comparator.GE, DUE), TODAY)
    assert result.attainment == pytest.approx(0.565)
    assert result.observations_in_window == 3
    assert result.status is Status.OFF_TRACK


def test_units_with_no_observation_yet_are_left_out() -> None:
    late = [on(2, 900, 1000)]
    assert rollup_series({"X": UNIT_X, "late": late}) == [
        RollupPoint(date(2026, 1, 14), 4000, 10000, 1),
        RollupPoint(date(2026, 2, 14), 5200, 11000, 2),
        RollupPoint(date(2026, 3, 14), 5600, 11000, 2),
    ]


def test_percentages_are_never_averaged() -> None:
    small, large = [on(3, 1, 10)], [on(3, 90, 100)]
    (point,) = rollup_series({"small": small, "large": large})
    assert (point.numerator, point.denominator) == (91, 110)  # 82.7 %, not the mean 50 %


def test_units_without_observations_and_empty_groups() -> None:
    assert rollup_series({}) == []
    assert rollup_series({"silent": []}) == []
    assert rollup_series({"silent": [], "Y": UNIT_Y})[-1].units_reporting == 1


def test_a_unit_with_denominator_zero_still_reports() -> None:
    (point,) = rollup_series({"X": [on(3, 0, 0)], "Y": [on(3, 50, 100)]})
    assert point == RollupPoint(date(2026, 3, 14), 50, 100, 2)


def test_a_group_whose_sums_have_denominator_zero_has_no_attainment() -> None:
    series = as_observations(rollup_series({"X": [on(3, 0, 0)]}))
    assert series[0].attainment is None
    assert project(series, Target(1.0, Comparator.GE, DUE), TODAY).status is Status.INSUFFICIENT_DATA


def test_same_day_duplicates_in_a_unit_the_later_in_the_input_wins() -> None:
    (point,) = rollup_series({"X": [on(3, 10), on(3, 20)]})
    assert point.numerator == 20
    assert rollup_series({"X": [on(3, 10), on(1, 5), on(3, 20)]})[-1].numerator == 20


def test_order_of_units_and_of_observations_does_not_matter() -> None:
    expected = rollup_series({"X": UNIT_X, "Y": UNIT_Y})
    assert rollup_series({"Y": list(reversed(UNIT_Y)), "X": list(reversed(UNIT_X))}) == expected
