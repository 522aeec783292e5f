"""What a rebuild keeps and publishes, against the live table and the KPI stream (pure)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.events import StatusChanged
from kpi.domain.comparison import snapshot_differences
from kpi.domain.observation import Observation
from kpi.domain.projection import ProjectionRules
from kpi.domain.projector import Projector
from kpi.domain.rebuild_plan import Recorded, plan
from kpi.domain.snapshot import Snapshot

PROJECTOR = Projector(load_catalogue(), ProjectionRules())
THEN = datetime(2026, 3, 16, tzinfo=UTC)
NOW = datetime(2026, 3, 20, tzinfo=UTC)
RUN = uuid.uuid4()
SERIES = [Observation(date(2026, m, 14), n, 10000) for m, n in ((1, 4000), (2, 4300), (3, 4700))]
SNAPSHOT = PROJECTOR.unit_snapshot("09313", "c", SERIES, date(2026, 3, 20))
KEY = ("09313", "c")


def recorded(snapshot: Snapshot = SNAPSHOT, sequence: int = 3) -> Recorded:
    return Recorded(snapshot, sequence, THEN, uuid.UUID(int=sequence))


def test_a_tampered_row_is_restored_from_the_published_snapshot_without_an_event() -> None:
    tampered = recorded(replace(SNAPSHOT, numerator=1, status="achieved"))
    result = plan({KEY: SNAPSHOT}, {KEY: tampered}, {KEY: recorded()}, NOW, RUN)
    assert (result.staged, result.kept, result.rows) == ([], 1, [recorded()])


def test_a_wiped_table_gets_its_sequences_back_from_the_stream() -> None:
    result = plan({KEY: SNAPSHOT}, {}, {KEY: recorded()}, NOW, RUN)
    assert result.rows == [recorded()] and result.staged == []


def test_a_changed_snapshot_is_published_with_the_next_sequence_and_its_status_change() -> None:
    earlier = PROJECTOR.unit_snapshot("09313", "c", SERIES[:1], date(2026, 3, 20))
    result = plan({KEY: SNAPSHOT}, {KEY: recorded(earlier, 4)}, {KEY: recorded(earlier, 3)}, NOW, RUN)
    assert [r.sequence for r in result.rows] == [5] and result.republished == [KEY]
    status = result.staged[1][0]
    assert isinstance(status, StatusChanged)
    assert (status.from_status, status.to_status, status.correlation_id) == (
        "insufficient_data",
        "off_track",
        RUN,
    )


def test_rows_without_observations_are_dropped_and_reported() -> None:
    result = plan({}, {KEY: recorded()}, {}, NOW, RUN)
    assert result.rows == [] and result.dropped == [KEY]


def test_differences_name_the_unit_indicator_and_field() -> None:
    live = {KEY: replace(SNAPSHOT, numerator=1), ("24", "c"): SNAPSHOT}
    assert snapshot_differences({KEY: SNAPSHOT, ("09292", "c"): SNAPSHOT}, live) == [
        "attainment 09292/c: thiếu trong bảng (missing)",
        "attainment 09313/c numerator: bảng 1, tính lại 4700",
        "attainment 24/c: thừa trong bảng, không có quan sát nào (unexpected)",
    ]
