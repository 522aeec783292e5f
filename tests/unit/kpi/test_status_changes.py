"""Status events and the daily re-judging of statuses (pure parts)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.events import AttainmentUpdated, StatusChanged
from kpi.domain.observation import Observation
from kpi.domain.projection import ProjectionRules
from kpi.domain.projector import Projector
from kpi.domain.publications import publications, snapshot_of_event
from kpi.domain.rejudging import needs_rejudging
from kpi.domain.snapshot import Snapshot

NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)
CORRELATION = uuid.uuid4()
PROJECTOR = Projector(load_catalogue(), ProjectionRules())
CASE_A = [Observation(date(2026, m, 14), n, 10000) for m, n in ((1, 4000), (2, 4300), (3, 4700))]


def snapshot(series: list[Observation], today: date, indicator: str = "c") -> Snapshot:
    return PROJECTOR.unit_snapshot("09313", indicator, series, today)


def test_a_first_snapshot_publishes_its_attainment_and_its_status() -> None:
    s = snapshot(CASE_A, date(2026, 3, 20))
    staged = publications(s, None, 1, NOW, CORRELATION)
    assert [subject for _, subject in staged] == [
        "bdhvs.kpi.attainment.09313.c",
        "bdhvs.kpi.status.09313.c",
    ]
    status = staged[1][0]
    assert isinstance(status, StatusChanged)
    assert (status.from_status, status.to_status, status.sequence) == (None, "off_track", 1)
    assert status.target is not None and status.target.value == 1.0 and status.target.comparator == ">="
    assert status.attainment == s.attainment and status.projected_attainment == s.projected
    assert status.correlation_id == CORRELATION


def test_a_status_event_only_when_the_status_changes() -> None:
    s = snapshot(CASE_A, date(2026, 3, 20))
    assert [subject for _, subject in publications(s, "off_track", 4, NOW, CORRELATION)] == [
        "bdhvs.kpi.attainment.09313.c"
    ]
    staged = publications(s, "at_risk", 4, NOW, CORRELATION)
    status = staged[1][0]
    assert isinstance(status, StatusChanged)
    assert (status.from_status, status.to_status, status.sequence) == ("at_risk", "off_track", 4)


def test_a_published_snapshot_reads_back_as_the_same_snapshot() -> None:
    s = snapshot(CASE_A, date(2026, 3, 20))
    event = publications(s, None, 1, NOW, CORRELATION)[0][0]
    assert isinstance(event, AttainmentUpdated)
    assert snapshot_of_event(AttainmentUpdated.model_validate_json(event.model_dump_json())) == s


def test_a_target_date_that_passed_needs_rejudging_unless_final() -> None:
    late = snapshot(CASE_A, date(2026, 12, 31))
    assert late.status == "off_track"
    target = PROJECTOR.target("c", date(2027, 1, 1))
    assert needs_rejudging(late, target, date(2027, 1, 1))
    assert not needs_rejudging(late, target, date(2026, 12, 31))
    missed = snapshot(CASE_A, date(2027, 1, 1))
    assert missed.status == "missed"
    assert not needs_rejudging(missed, target, date(2027, 1, 2))


def test_the_new_years_target_needs_rejudging_from_the_first_of_january() -> None:
    series = [Observation(date(2025, 11, 14), 8400, 10000), Observation(date(2025, 12, 14), 8500, 10000)]
    in_2025 = snapshot(series, date(2025, 12, 31))
    assert in_2025.status == "achieved" and in_2025.target_value == 0.8  # "trên 80 %" in 2025
    assert not needs_rejudging(in_2025, PROJECTOR.target("c", date(2025, 12, 31)), date(2025, 12, 31))
    assert needs_rejudging(in_2025, PROJECTOR.target("c", date(2026, 1, 1)), date(2026, 1, 1))
    in_2026 = snapshot(series, date(2026, 1, 1))
    assert in_2026.status != "achieved" and in_2026.target_value == 1.0


def test_no_observation_yet_is_never_missed() -> None:
    empty = snapshot([], date(2026, 12, 31))
    assert not needs_rejudging(empty, PROJECTOR.target("c", date(2027, 1, 1)), date(2027, 1, 1))


def test_without_a_target_only_the_first_tick_and_a_new_year_rejudge() -> None:
    """Judged against 100 % at the end of its year: a day alone changes nothing, a year does."""
    untargeted = replace(
        snapshot(CASE_A, date(2026, 6, 1)), target_value=None, target_comparator=None, target_due=None
    )
    assert needs_rejudging(untargeted, None, date(2026, 6, 2))  # the tick's first run since start
    assert not needs_rejudging(untargeted, None, date(2026, 6, 2), judged_on=date(2026, 6, 1))
    assert needs_rejudging(untargeted, None, date(2027, 1, 1), judged_on=date(2026, 12, 31))
