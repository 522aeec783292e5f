"""`kpi rebuild --workers N`: the replay in N partitions of the units gives exactly the projections of
the replay in one (the folds are per unit), on the in-memory fakes with random streams; the process
version against NATS and PostgreSQL: tests/integration/test_kpi_rebuild.py."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from kpi.domain.partition import Partition, partitions
from kpi.domain.projection import ProjectionRules
from kpi.service_layer.apply_report import CONSUMER, KpiService
from kpi.service_layer.rebuild import RebuildResult, Replayed, rebuild, replay_into
from support.events import report_accepted
from support.kpi_fakes import FakeDatabase
from support.kpi_replay_fakes import FakeRebuildStore, FakeReportStream

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 20, 9, tzinfo=TZ)
UNITS = ("09313", "09292", "09193", "07738", "07663", "24")

reports = st.lists(
    st.tuples(
        st.sampled_from(UNITS),
        st.sampled_from(("2026-01", "2026-02", "2026-03", "2099-12")),  # 2099: dated in the future
        st.integers(1, 3),  # revision
        st.integers(0, 10000),
    ),
    max_size=40,
)


def stream_of(drawn: list[tuple[str, str, int, int]]) -> FakeReportStream:
    stream = FakeReportStream()
    for unit, period, revision, numerator in drawn:
        event = report_accepted(unit, period, {"c": (numerator, 10000), "d": (10000 - numerator, 10000)})
        stream.reports.append(event.model_copy(update={"revision": revision}).model_dump_json().encode())
    stream.reports.append(b'{"not": "an event"}')
    return stream


async def rebuilt(stream: FakeReportStream, workers: int) -> tuple[FakeDatabase, RebuildResult]:
    db = FakeDatabase()
    kpi = KpiService(db.transaction, load_catalogue(), FixedClock(NOW), TZ, ProjectionRules())
    store = FakeRebuildStore(db)

    async def in_parts() -> list[Replayed]:
        indicators = kpi.catalogue.indicators
        return [
            await replay_into(store, stream, indicators, NOW.date(), 4, partition=part)
            for part in partitions(workers)
        ]

    replays = in_parts if workers > 1 else None
    result = await rebuild(store, stream, kpi.projector, CONSUMER, NOW, NOW.date(), 4, replays=replays)
    return db, result


def counts(result: RebuildResult) -> tuple[object, ...]:
    kept = ("correlation_id", "seconds", "republished")  # the events differ by their random ids only
    return tuple(v for k, v in dataclasses.asdict(result).items() if k not in kept)


@settings(max_examples=60, deadline=None)
@given(reports, st.integers(2, 4))
def test_the_replay_in_partitions_gives_the_projections_of_the_replay_in_one(
    drawn: list[tuple[str, str, int, int]], workers: int
) -> None:
    stream = stream_of(drawn)
    one, alone = asyncio.run(rebuilt(stream, 1))
    many, parted = asyncio.run(rebuilt(stream, workers))
    assert many.committed.observations.rows == one.committed.observations.rows
    assert many.committed.receipts.rows == one.committed.receipts.rows
    assert many.committed.processed == one.committed.processed
    snapshots = {key: row[0] for key, row in one.committed.projections.rows.items()}
    assert {key: row[0] for key, row in many.committed.projections.rows.items()} == snapshots
    assert counts(parted) == counts(alone)
    assert sorted(parted.republished) == sorted(alone.republished)


def test_every_unit_is_in_exactly_one_partition() -> None:
    for count in (1, 2, 3):
        for unit in UNITS:
            assert sum(p.holds(unit) for p in partitions(count)) == 1
    assert Partition().holds("09313")
