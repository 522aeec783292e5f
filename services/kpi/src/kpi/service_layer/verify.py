"""`kpi verify`: recompute every projection and compare it with the live tables.

Two checks, each difference printed on its own line:
- the projections (`attainment`) and the stored province roll-ups (`rollups`, kept up to
  date report by report) against a recomputation, with the pure domain, from the stored
  observations (`observations`);
- unless skipped, the stored observations against the REPORTS stream folded from
  sequence 1 (the latest revision of each report), the report receipts (completeness:
  first verdict, latest revision) against the same fold, and every valid report event on
  the stream against `processed_events` (applied exactly once). Reports dated in the future
  are left out, as the consumer dead-letters them (domain.admission).
The comparison is of one moment: run it when the consumer has no backlog, or reports in
flight show up as differences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from bdhvs_shared.progress import NO_PROGRESS, Progress
from kpi.domain.comparison import (
    observation_differences,
    receipt_differences,
    rollup_differences,
    snapshot_differences,
)
from kpi.domain.projector import Projector, StoredObservation
from kpi.domain.receipts import StoredReceipt
from kpi.domain.replay import ObservationFold, ReceiptFold, ReceiptKey, key_of
from kpi.domain.rollup import RollupDay
from kpi.domain.snapshot import Snapshot
from kpi.service_layer.ports import Transactions
from kpi.service_layer.rebuild_ports import ReportStream


@dataclass
class _Live:
    """What the live tables hold."""

    observations: list[StoredObservation]
    snapshots: dict[tuple[str, str], Snapshot]
    rollups: dict[str, list[RollupDay]]
    processed: set[UUID] = field(default_factory=set)
    receipts: dict[ReceiptKey, StoredReceipt] = field(default_factory=dict)


async def verify(
    transactions: Transactions,
    stream: ReportStream | None,
    projector: Projector,
    today: date,
    batch: int = 1000,
    early_days: int = 0,
    progress: Progress = NO_PROGRESS,
) -> tuple[list[str], str]:
    """The differences (empty when all agree) and a one-line summary for people; `progress` is told
    the REPORTS messages read (the long part)."""
    async with transactions() as stores:
        live = _Live(
            await stores.observations.all(),
            {(s.unit_code, s.indicator): s for s in await stores.projections.all()},
            await stores.rollups.all(),
        )
        if stream is not None:
            live.processed = await stores.processed_ids()
            live.receipts = await stores.receipts.all()
    expected = projector.all_snapshots(live.observations, today)
    differences = snapshot_differences(expected, live.snapshots)
    differences += rollup_differences(projector.province_rollups(live.observations), live.rollups)
    checked = f"{len(expected)} dự báo từ {len(live.observations)} quan sát"
    if stream is not None:
        found, events = await _against_stream(stream, projector, live, batch, today, early_days, progress)
        differences += found
        checked += f", {len(live.receipts)} báo cáo đã nhận, {events} sự kiện trên luồng REPORTS"
    if differences:
        return differences, f"Có {len(differences)} khác biệt ({checked})."
    return differences, f"Không có khác biệt ({checked})."


async def _against_stream(
    stream: ReportStream,
    projector: Projector,
    live: _Live,
    batch: int,
    today: date,
    early_days: int,
    progress: Progress,
) -> tuple[list[str], int]:
    """The differences between the stored rows and the REPORTS stream folded; how many events."""
    fold = ObservationFold(projector.catalogue.indicators)
    receipt_fold = ReceiptFold()
    events = 0
    async for batch_events, replay in stream.replay_reports(batch, today, early_days):
        fold.add_all(batch_events)
        for event in batch_events:
            receipt_fold.add(event)
        events = replay.events
        progress.update(replay.read_messages, replay.total)
    differences = observation_differences(fold.rows, {key_of(r): r for r in live.observations})
    differences += receipt_differences(receipt_fold.rows, live.receipts)
    differences += [
        f"processed_events: sự kiện {event_id} trên luồng REPORTS chưa được áp dụng"
        for event_id in sorted(fold.event_ids - live.processed, key=str)
    ]
    return differences, events
