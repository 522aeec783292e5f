"""Pace, projection and status: the worked examples of docs/kpi-rules.md and every boundary."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from kpi.domain.observation import Observation
from kpi.domain.projection import Projection, ProjectionRules, project
from kpi.domain.status import Status
from kpi.domain.target import Comparator, Target

DUE = date(2026, 12, 31)
TODAY = date(2026, 3, 20)
ALL_OF_IT = Target(1.0, Comparator.GE, DUE)  # "100 %"
ABOVE_80 = Target(0.8, Comparator.GT, DUE)  # "trên 80 %"
AT_LEAST_80 = Target(0.8, Comparator.GE, DUE)  # "80 %"


def obs(day: date, numerator: int, denominator: int = 10000) -> Observation:
    return Observation(day, numerator, denominator)


def on(month: int, numerator: int, denominator: int = 10000) -> Observation:
    """An observation as of the 14th of a 2026 month, as the worked examples are."""
    return obs(date(2026, month, 14), numerator, denominator)


def flat(attainment_per_10000: int, target: Target, today: date = TODAY) -> Projection:
    """Two equal observations: pace 0, so the projection equals the attainment."""
    return project([on(2, attainment_per_10000), on(3, attainment_per_10000)], target, today)


CASE_A = [on(1, 4000), on(2, 4300), on(3, 4700)]
CASE_B = [on(1, 6000), on(3, 6600)]
CASE_C = [on(1, 7000), on(2, 7400), on(3, 7900)]
CASE_D = [on(2, 8000), on(3, 8000)]
CASE_E = [on(3, 5000)]


@pytest.mark.parametrize(
    ("series", "target", "attainment", "pace_pp", "projected", "required_pp", "status"),
    [
        pytest.param(CASE_A, ALL_OF_IT, 0.47, 3.55, 0.8153, 5.45, Status.OFF_TRACK, id="A"),
        pytest.param(CASE_B, ALL_OF_IT, 0.66, 3.05, 0.9569, 3.49, Status.AT_RISK, id="B"),
        pytest.param(CASE_C, ABOVE_80, 0.79, 4.56, 1.0, 0.10, Status.ON_TRACK, id="C"),
        pytest.param(CASE_D, ABOVE_80, 0.80, 0.00, 0.80, 0.00, Status.AT_RISK, id="D"),
        pytest.param(CASE_E, ABOVE_80, 0.50, None, None, 3.08, Status.INSUFFICIENT_DATA, id="E"),
    ],
)
def test_worked_examples(
    series: list[Observation],
    target: Target,
    attainment: float,
    pace_pp: float | None,
    projected: float | None,
    required_pp: float,
    status: Status,
) -> None:
    result = project(series, target, TODAY)
    assert result.as_of == date(2026, 3, 14)
    assert result.attainment == pytest.approx(attainment, abs=1e-12)
    if pace_pp is None:
        assert result.pace_per_day is None and result.pace_pp_per_30d is None
    else:
        assert result.pace_pp_per_30d is not None
        assert round(result.pace_pp_per_30d, 2) == pace_pp
    if projected is None:
        assert result.projected is None
    else:
        assert result.projected is not None
        assert round(result.projected, 4) == projected  # the spec shows 2 decimals of a percentage
    assert result.required_pace_pp_per_30d is not None
    assert round(result.required_pace_pp_per_30d, 2) == required_pp
    assert result.status is status
    assert result.observations_in_window == len(series)


def test_case_c_projection_is_clamped_to_one() -> None:
    result = project(CASE_C, ABOVE_80, TODAY)
    assert result.projected == 1.0  # unclamped it would be 0.79 + 0.00152 × 292 ≈ 1.23


def test_the_latest_figures_are_reported() -> None:
    result = project(CASE_A, ALL_OF_IT, TODAY)
    assert (result.numerator, result.denominator) == (4700, 10000)


# --- achieved: exactly at the target value ---------------------------------------------


def test_exactly_at_target_meets_at_least() -> None:
    assert flat(8000, AT_LEAST_80).status is Status.ACHIEVED
    assert project([on(3, 10000)], ALL_OF_IT, TODAY).status is Status.ACHIEVED  # pace unknown


def test_exactly_at_target_does_not_meet_above() -> None:
    assert flat(8000, ABOVE_80).status is Status.AT_RISK  # case D
    assert flat(8001, ABOVE_80).status is Status.ACHIEVED


# --- on_track: a projection landing exactly on the target value ------------------------


def landing_on_80_percent(target: Target, step: int) -> Projection:
    """+step per 10000 over 100 days, 100 days left: a_T = 80 % on paper, not quite in floats."""
    last = date(2026, 9, 22)
    series = [obs(last - timedelta(days=100), 8000 - 2 * step), obs(last, 8000 - step)]
    return project(series, Target(target.value, target.comparator, last + timedelta(days=100)), TODAY)


def test_projection_exactly_at_target_is_on_track_for_at_least() -> None:
    result = landing_on_80_percent(AT_LEAST_80, step=2)
    assert result.projected is not None and result.projected < 0.8  # 0.7999999999999999
    assert result.status is Status.ON_TRACK


def test_projection_exactly_at_target_is_at_risk_for_above() -> None:
    result = landing_on_80_percent(ABOVE_80, step=1)
    assert result.projected is not None and result.projected > 0.8  # 0.8000000000000002
    assert result.status is Status.AT_RISK


# --- at_risk / off_track: the 5 pp margin ----------------------------------------------


def test_a_miss_of_exactly_5pp_is_at_risk() -> None:
    assert flat(9500, ALL_OF_IT).status is Status.AT_RISK
    assert flat(7500, ABOVE_80).status is Status.AT_RISK
    assert flat(7500, AT_LEAST_80).status is Status.AT_RISK


def test_a_miss_of_just_over_5pp_is_off_track() -> None:
    assert flat(9499, ALL_OF_IT).status is Status.OFF_TRACK
    assert flat(7499, ABOVE_80).status is Status.OFF_TRACK


def test_the_margin_is_a_setting() -> None:
    series = [on(2, 9000), on(3, 9000)]
    assert project(series, ALL_OF_IT, TODAY, ProjectionRules(at_risk_margin=0.10)).status is Status.AT_RISK
    assert project(series, ALL_OF_IT, TODAY).status is Status.OFF_TRACK


# --- after the target date -------------------------------------------------------------


def test_missed_once_the_target_date_has_passed() -> None:
    after = DUE + timedelta(days=1)
    assert flat(9000, ALL_OF_IT, today=after).status is Status.MISSED
    assert project([on(3, 9000)], ALL_OF_IT, after).status is Status.MISSED  # even with pace unknown


def test_not_missed_on_the_target_date_itself() -> None:
    assert flat(9000, ALL_OF_IT, today=DUE).status is Status.OFF_TRACK


def test_achieved_after_the_target_date() -> None:
    assert flat(10000, ALL_OF_IT, today=DUE + timedelta(days=30)).status is Status.ACHIEVED


def test_nothing_left_to_project_once_the_latest_as_of_reaches_the_target_date() -> None:
    series = [on(11, 9000), obs(DUE, 9200)]
    on_the_day = project(series, ALL_OF_IT, DUE)
    assert on_the_day.required_pace_per_day is None and on_the_day.required_pace_pp_per_30d is None
    assert on_the_day.projected == pytest.approx(0.92)
    late = project([on(11, 9000), obs(DUE + timedelta(days=14), 9200)], ALL_OF_IT, DUE)
    assert late.required_pace_per_day is None
    assert late.projected == pytest.approx(0.92)  # not extrapolated backwards


# --- denominators of 0, too little data ------------------------------------------------


def test_no_observation() -> None:
    result = project([], ALL_OF_IT, TODAY)
    assert result == Projection(None, None, None, None, None, None, None, Status.INSUFFICIENT_DATA, 0)
    assert result.pace_pp_per_30d is None and result.required_pace_pp_per_30d is None


def test_one_observation_has_no_pace() -> None:
    result = project([on(3, 6000)], ALL_OF_IT, TODAY)
    assert (result.pace_per_day, result.projected) == (None, None)
    assert result.required_pace_per_day == pytest.approx(0.4 / (DUE - date(2026, 3, 14)).days)
    assert result.status is Status.INSUFFICIENT_DATA
    assert result.observations_in_window == 1


def test_latest_with_denominator_zero_has_no_attainment() -> None:
    result = project([on(1, 4000), on(2, 4300), on(3, 0, 0)], ALL_OF_IT, TODAY)
    assert (result.numerator, result.denominator) == (0, 0)
    assert (result.attainment, result.projected, result.required_pace_per_day) == (None, None, None)
    assert result.status is Status.INSUFFICIENT_DATA
    after = project([on(1, 4000), on(3, 0, 0)], ALL_OF_IT, DUE + timedelta(days=1))
    assert after.status is Status.INSUFFICIENT_DATA  # "missed" needs an attainment


def test_earlier_denominator_zero_is_skipped_for_pace() -> None:
    with_gap = project([on(1, 4000), obs(date(2026, 1, 30), 0, 0), *CASE_A[1:]], ALL_OF_IT, TODAY)
    without = project(CASE_A, ALL_OF_IT, TODAY)
    assert with_gap == without


def test_only_one_observation_with_a_denominator_leaves_pace_unknown() -> None:
    result = project([on(2, 0, 0), on(3, 6000)], ALL_OF_IT, TODAY)
    assert result.pace_per_day is None
    assert result.status is Status.INSUFFICIENT_DATA
    assert result.observations_in_window == 1


# --- the 180-day window ----------------------------------------------------------------

LATEST = date(2026, 3, 14)


def test_an_observation_exactly_180_days_before_the_latest_is_out() -> None:
    series = [obs(LATEST - timedelta(days=180), 0), on(2, 4300), obs(LATEST, 4700)]
    result = project(series, ALL_OF_IT, TODAY)
    assert result.observations_in_window == 2
    assert result.pace_per_day == pytest.approx(0.04 / 28)  # from the two in the window only


def test_an_observation_179_days_before_the_latest_is_in() -> None:
    series = [obs(LATEST - timedelta(days=179), 0), on(2, 4300), obs(LATEST, 4700)]
    result = project(series, ALL_OF_IT, TODAY)
    assert result.observations_in_window == 3
    assert result.pace_per_day != pytest.approx(0.04 / 28)


def test_a_window_with_only_the_latest_observation_has_no_pace() -> None:
    series = [obs(LATEST - timedelta(days=180), 4000), obs(LATEST, 4700)]
    result = project(series, ALL_OF_IT, TODAY)
    assert (result.observations_in_window, result.pace_per_day) == (1, None)
    assert result.status is Status.INSUFFICIENT_DATA


def test_the_window_is_a_setting() -> None:
    series = [obs(LATEST - timedelta(days=100), 4000), obs(LATEST, 4700)]
    assert project(series, ALL_OF_IT, TODAY, ProjectionRules(window_days=100)).pace_per_day is None
    assert project(series, ALL_OF_IT, TODAY, ProjectionRules(window_days=101)).pace_per_day is not None


# --- order --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", [CASE_A, CASE_B, CASE_C, CASE_D], ids=["A", "B", "C", "D"])
def test_input_order_does_not_matter(case: list[Observation]) -> None:
    expected = project(case, ALL_OF_IT, TODAY)
    for permutation in itertools.permutations(case):
        assert project(list(permutation), ALL_OF_IT, TODAY) == expected


def test_of_two_observations_on_the_same_day_the_later_in_the_input_wins() -> None:
    first, revised = on(3, 4600), on(3, 4700)
    result = project([revised, on(1, 4000), first, on(2, 4300), revised], ALL_OF_IT, TODAY)
    assert result == project(CASE_A, ALL_OF_IT, TODAY)
    other_way = project([on(1, 4000), revised, on(2, 4300), first], ALL_OF_IT, TODAY)
    assert other_way.numerator == 4600
