"""Properties of roll-ups and projections over generated series (hypothesis)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.domain.observation import Observation
from kpi.domain.projection import project
from kpi.domain.rollup import as_observations, rollup_series
from kpi.domain.target import Comparator, Target

START = date(2025, 6, 14)
TODAY = date(2026, 3, 20)
TARGETS = st.builds(
    Target,
    value=st.sampled_from([0.5, 0.8, 0.95, 1.0]),
    comparator=st.sampled_from(list(Comparator)),
    due=st.sampled_from([date(2026, 6, 30), date(2026, 12, 31)]),
)


@st.composite
def observations(draw: st.DrawFn) -> Observation:
    denominator = draw(st.integers(min_value=0, max_value=100_000))
    return Observation(
        as_of=START + timedelta(days=draw(st.integers(min_value=0, max_value=540))),
        numerator=draw(st.integers(min_value=0, max_value=denominator)),
        denominator=denominator,
    )


# One observation per day and unit: same-day revisions are resolved by input order on
# purpose, so only series without them can be expected to be order-independent.
series_strategy = st.lists(observations(), max_size=12, unique_by=lambda o: o.as_of)
groups = st.dictionaries(st.sampled_from(["X", "Y", "Z", "W"]), series_strategy, max_size=4)


def scrambled(series: list[Observation], rng: random.Random) -> list[Observation]:
    """Shuffled, with some observations repeated."""
    copies = series + [rng.choice(series) for _ in range(rng.randint(0, 5))] if series else []
    rng.shuffle(copies)
    return copies


@settings(max_examples=200, database=None)  # no example database written into the repository
@given(groups)
def test_the_last_point_sums_each_units_latest_observation(group: dict[str, list[Observation]]) -> None:
    points = rollup_series(group)
    latest = [max(series, key=lambda o: o.as_of) for series in group.values() if series]
    if not latest:
        assert points == []
        return
    last = points[-1]
    assert last.numerator == sum(o.numerator for o in latest)
    assert last.denominator == sum(o.denominator for o in latest)
    assert last.units_reporting == len(latest)
    assert last.as_of == max(o.as_of for o in latest)


@settings(max_examples=200, database=None)
@given(groups)
def test_units_reporting_never_decreases(group: dict[str, list[Observation]]) -> None:
    counts = [p.units_reporting for p in rollup_series(group)]
    assert counts == sorted(counts)


@settings(max_examples=200, database=None)
@given(groups, TARGETS, st.randoms(use_true_random=False))
def test_shuffling_and_duplicating_change_nothing(
    group: dict[str, list[Observation]], target: Target, rng: random.Random
) -> None:
    other = {unit: scrambled(series, rng) for unit, series in reversed(list(group.items()))}
    assert rollup_series(other) == rollup_series(group)
    for unit, series in group.items():
        assert project(other[unit], target, TODAY) == project(series, target, TODAY)
    rolled_up = as_observations(rollup_series(group))
    assert project(scrambled(rolled_up, rng), target, TODAY) == project(rolled_up, target, TODAY)
