"""`kpi rebuild`: replay the whole REPORTS stream into fresh projections, then swap them in.

Run it with the kpi service stopped (it refuses while an instance is pulling from
`kpi-reports`, unless forced): reports the live consumer applied between the end of
the replay and the swap would otherwise be lost. Reports that arrive on the stream
after the replay started are not in it; the service applies them when it starts
(their ids are not in processed_events). Events are staged in the outbox only for
snapshots that differ from what subscribers last saw (see rebuild_plan); the
service's relay publishes them when it starts. Invalid reports and reports dated after
tomorrow (by the rebuild's clock) are skipped, as the consumer dead-letters them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from bdhvs_shared.progress import NO_PROGRESS, Progress
from kpi.domain.partition import WHOLE, Partition
from kpi.domain.projector import Projector, StoredObservation
from kpi.domain.publications import Staged
from kpi.domain.rebuild_plan import Key, RebuildPlan, Recorded, plan
from kpi.domain.replay import Key as ObservationKey
from kpi.domain.replay import ObservationFold, ReceiptFold, ReportReplay
from kpi.service_layer.rebuild_ports import RebuildStore, ReportStream

COPY_BATCH = 100_000  # replayed event ids per COPY


@dataclass
class RebuildResult:
    correlation_id: UUID
    events: int = 0
    skipped: int = 0
    future: int = 0
    observations: int = 0
    projections: int = 0
    kept: int = 0
    republished: list[Key] = field(default_factory=list)
    dropped: list[Key] = field(default_factory=list)
    staged_events: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"Đã dựng lại từ luồng REPORTS: {self.events} sự kiện ({self.skipped} bỏ qua vì không hợp lệ, "
            f"{self.future} vì số liệu tính đến sau ngày mai), "
            f"{self.observations} quan sát, {self.projections} dự báo trong {self.seconds:.2f} s.",
            f"Giữ nguyên {self.kept}; công bố lại {len(self.republished)} "
            f"({self.staged_events} sự kiện vào outbox, correlation_id {self.correlation_id}).",
        ]
        lines += [f"  công bố lại {'/'.join(key)}" for key in self.republished]
        lines += [f"  bỏ {'/'.join(key)}: không còn quan sát nào" for key in self.dropped]
        return "\n".join(lines)


@dataclass
class Replayed:
    """What the replay of (a partition of) REPORTS gives: the observations folded (already staged with
    the receipts and the event ids) and the counts."""

    rows: dict[ObservationKey, StoredObservation]
    events: int = 0
    skipped: int = 0
    future: int = 0


async def replay_into(
    store: RebuildStore,
    stream: ReportStream,
    indicators: Collection[str],
    today: date,
    batch: int,
    early_days: int = 0,
    progress: Progress = NO_PROGRESS,
    partition: Partition = WHOLE,
) -> Replayed:
    """Fold the reports of `partition` and stage their observations, receipts and event ids."""
    fold = ObservationFold(indicators, keep_event_ids=False)
    receipts = ReceiptFold()
    replay = ReportReplay()
    ids: list[UUID] = []  # copied in large batches: one COPY per COPY_BATCH ids, not per fetch
    async for events, replay in stream.replay_reports(batch, today, early_days, partition):
        fold.add_all(events)
        for event in events:
            receipts.add(event)
        ids += [e.event_id for e in events]
        if len(ids) >= COPY_BATCH:
            await store.copy_event_ids(ids)
            ids = []
        progress.update(replay.read_messages, replay.total)
    await store.copy_event_ids(ids)
    await store.copy_observations(fold.rows.values())
    await store.copy_receipts(receipts.rows.values())  # completeness, no events
    return Replayed(fold.rows, replay.events, replay.skipped, replay.future)


# The replay in parts (`kpi rebuild --workers N`: one process each), into the prepared staging area.
Replays = Callable[[], Awaitable[list[Replayed]]]


async def rebuild(
    store: RebuildStore,
    stream: ReportStream,
    projector: Projector,
    consumer: str,
    now: datetime,
    today: date,
    batch: int = 5000,
    early_days: int = 0,
    progress: Progress = NO_PROGRESS,
    replays: Replays | None = None,
) -> RebuildResult:
    """`progress` is told the messages read of the stream's (`kpi rebuild` shows it); `replays` replays
    the stream in parts instead of here in one."""
    started = time.perf_counter()
    result = RebuildResult(correlation_id=uuid.uuid4())
    await store.prepare()
    try:
        if replays is None:
            indicators = projector.catalogue.indicators
            parts = [await replay_into(store, stream, indicators, today, batch, early_days, progress)]
        else:
            parts = await replays()
        rows = {key: row for part in parts for key, row in part.rows.items()}  # disjoint: per unit
        result.events = sum(p.events for p in parts)
        result.skipped = sum(p.skipped for p in parts)
        result.future = sum(p.future for p in parts)
        rebuilt = projector.all_snapshots(rows.values(), today)
        published = await stream.last_published(batch)
        outcome = RebuildPlan()

        def decide(live: dict[Key, Recorded]) -> tuple[list[Recorded], list[Staged]]:
            nonlocal outcome
            outcome = plan(rebuilt, live, published, now, result.correlation_id)
            return outcome.rows, outcome.staged

        await store.swap(consumer, decide)
    finally:
        await store.drop()
    result.observations, result.projections = len(rows), len(rebuilt)
    result.kept, result.republished, result.dropped = outcome.kept, outcome.republished, outcome.dropped
    result.staged_events = len(outcome.staged)
    result.seconds = time.perf_counter() - started
    return result
