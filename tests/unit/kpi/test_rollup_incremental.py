"""The roll-up kept up to date one unit's change at a time equals the roll-up recomputed (hypothesis).

Random sequences of changes to a province's units: a new month, a revision of a month's figures,
a second form's observation on the same day (the later one wins), a month dropped (a revision
whose as-of moved away), a unit's series merged into another's (the merged unit then has none),
and a unit that loses everything. After every change, `with_unit_change` from the previous
roll-up must equal `rollup_days` over every unit's current series, and the points `project`
reads must equal `rollup_series`.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.domain.observation import Observation
from kpi.domain.rollup import RollupDay, rollup_days, rollup_series, with_unit_change

START = date(2025, 1, 14)
UNITS = ["X", "Y", "Z", "W", "V"]

days = st.integers(min_value=0, max_value=40).map(lambda n: START + timedelta(days=15 * n))


@st.composite
def observation(draw: st.DrawFn) -> Observation:
    denominator = draw(st.integers(min_value=0, max_value=10_000))
    return Observation(draw(days), draw(st.integers(min_value=0, max_value=denominator)), denominator)


changes = st.one_of(
    st.tuples(st.just("report"), st.sampled_from(UNITS), observation()),  # new day, revision or same day
    st.tuples(st.just("drop"), st.sampled_from(UNITS), days),
    st.tuples(st.just("merge"), st.sampled_from(UNITS), st.sampled_from(UNITS)),
    st.tuples(st.just("clear"), st.sampled_from(UNITS), st.none()),
)


def _changed(
    series: dict[str, list[Observation]], change: tuple[str, str, object]
) -> dict[str, list[Observation]]:
    """The units whose series the change touches, with their new series (order: as_of, then arrival)."""
    kind, unit, arg = change
    current = series.get(unit, [])
    if kind == "report":
        assert isinstance(arg, Observation)
        return {unit: _ordered([*current, arg])}
    if kind == "drop":
        return {unit: [o for o in current if o.as_of != arg]}
    if kind == "merge":
        assert isinstance(arg, str)
        if arg == unit:
            return {}
        return {unit: [], arg: _ordered([*series.get(arg, []), *current])}
    return {unit: []}


def _ordered(series: list[Observation]) -> list[Observation]:
    return sorted(series, key=lambda o: o.as_of)  # stable: of one day, the later arrival stays last


@settings(max_examples=300, database=None)  # no example database written into the repository
@given(st.lists(changes, max_size=40))
def test_the_incremental_rollup_equals_the_full_recompute_after_every_change(
    sequence: list[tuple[str, str, object]],
) -> None:
    series: dict[str, list[Observation]] = {}
    kept: list[RollupDay] = []
    for change in sequence:
        for unit, new in _changed(series, change).items():
            kept = with_unit_change(kept, series.get(unit, []), new)
            series[unit] = new
        assert kept == rollup_days(series)
        assert [d.point() for d in kept] == rollup_series(series)


def test_a_revision_moves_only_the_days_from_its_date_on() -> None:
    x = [Observation(START, 10, 100), Observation(START + timedelta(days=30), 20, 100)]
    y = [Observation(START + timedelta(days=15), 50, 200)]
    kept = rollup_days({"X": x, "Y": y})
    revised = [x[0], Observation(START + timedelta(days=30), 25, 100)]
    after = with_unit_change(kept, x, revised)
    assert after[:2] == kept[:2]
    assert after[2] == RollupDay(START + timedelta(days=30), 75, 300, 2, 1)


def test_nothing_changes_when_the_unit_series_is_the_same() -> None:
    x = [Observation(START, 10, 100)]
    kept = rollup_days({"X": x})
    assert with_unit_change(kept, x, list(x)) == kept
