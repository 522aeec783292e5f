"""Reordering or duplicating accepted-report events never changes the projections (hypothesis).

Through the same pure path the rebuild and verify use: fold the events into the
observation store's rows (latest revision per report), then project every unit and
the province.
"""

from __future__ import annotations

import random
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.events import ReportAccepted
from kpi.domain.projection import ProjectionRules
from kpi.domain.projector import Projector, StoredObservation
from kpi.domain.replay import Key, ObservationFold
from kpi.domain.snapshot import Snapshot
from support.events import report_accepted

CATALOGUE = load_catalogue()
PROJECTOR = Projector(CATALOGUE, ProjectionRules())
TODAY = date(2026, 6, 20)
UNITS = ["09313", "09292", "09193"]
PERIODS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]


@st.composite
def report_histories(draw: st.DrawFn) -> list[ReportAccepted]:
    """Reports of a few units and months, each with 1–3 revisions (numbered uniquely, as intake does)."""
    keys = draw(
        st.lists(st.tuples(st.sampled_from(UNITS), st.sampled_from(PERIODS)), unique=True, max_size=8)
    )
    events = []
    for unit, period in keys:
        for revision in range(1, draw(st.integers(1, 3)) + 1):
            denominator = draw(st.integers(0, 20_000))
            values = {
                indicator: (draw(st.integers(0, denominator)), denominator)
                for indicator in draw(st.sets(st.sampled_from(["c", "d", "zz"]), min_size=1))
            }
            events.append(report_accepted(unit, period, values, revision=revision))
    return events


def projections(
    events: list[ReportAccepted],
) -> tuple[dict[Key, StoredObservation], dict[tuple[str, str], Snapshot]]:
    rows = ObservationFold(CATALOGUE.indicators).add_all(events).rows
    return rows, PROJECTOR.all_snapshots(rows.values(), TODAY)


@settings(max_examples=150, database=None)
@given(report_histories(), st.randoms(use_true_random=False))
def test_reordering_and_duplicating_events_changes_nothing(
    events: list[ReportAccepted], rng: random.Random
) -> None:
    scrambled = events + [rng.choice(events) for _ in range(rng.randint(0, 6))] if events else []
    rng.shuffle(scrambled)
    assert projections(scrambled) == projections(events)


@settings(max_examples=150, database=None)
@given(report_histories())
def test_the_latest_revision_of_each_report_counts(events: list[ReportAccepted]) -> None:
    rows, snapshots = projections(list(reversed(events)))
    for row in rows.values():
        revisions = [
            e
            for e in events
            if (e.unit_code, e.period) == (row.unit_code, row.period) and row.indicator in e.values
        ]
        assert row.revision == max(e.revision for e in revisions)
    indicators = {row.indicator for row in rows.values()}
    assert {key for key in snapshots if key[0] == "24"} == {("24", i) for i in indicators}
    assert "zz" not in indicators  # an indicator the catalogue does not know is left out, as live
