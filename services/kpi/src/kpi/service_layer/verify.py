"""`kpi verify`: recompute every projection and compare it with the live tables.

Two checks, each difference printed on its own line:
- the projections (`attainment`) against a recomputation, with the pure domain, from
  the stored observations (`observations`);
- unless skipped, the stored observations against the REPORTS stream folded from
  sequence 1 (the latest revision of each report), the report receipts (completeness:
  first verdict, latest revision) against the same fold, and every valid report event on
  the stream against `processed_events` (applied exactly once). Reports dated in the future
  are left out, as the consumer dead-letters them (domain.admission).
The comparison is of one moment: run it when the consumer has no backlog, or reports in
flight show up as differences.
"""

from __future__ import annotations

from datetime import date

from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kpi.adapters import observations, projections, receipts, streams
from kpi.domain.comparison import observation_differences, receipt_differences, snapshot_differences
from kpi.domain.projector import Projector
from kpi.domain.replay import ObservationFold, ReceiptFold, key_of


async def verify(
    sessions: async_sessionmaker[AsyncSession],
    js: JetStreamContext | None,
    projector: Projector,
    consumer: str,
    today: date,
    batch: int = 1000,
    early_days: int = 0,
) -> tuple[list[str], str]:
    """The differences (empty when all agree) and a one-line summary for people."""
    async with sessions() as session:
        stored = await observations.all_rows(session)
        live = {(s.unit_code, s.indicator): s for s in await projections.all_snapshots(session)}
        processed = await observations.processed_ids(session, consumer) if js is not None else set()
        stored_receipts = await receipts.all_rows(session) if js is not None else {}
    expected = projector.all_snapshots(stored, today)
    differences = snapshot_differences(expected, live)
    checked = f"{len(expected)} dự báo từ {len(stored)} quan sát"
    if js is not None:
        fold = ObservationFold(projector.catalogue.indicators)
        receipt_fold = ReceiptFold()
        events = 0
        async for batch_events, replay in streams.replay_reports(js, batch, today, early_days):
            fold.add_all(batch_events)
            for event in batch_events:
                receipt_fold.add(event)
            events = replay.events
        differences += observation_differences(fold.rows, {key_of(r): r for r in stored})
        differences += receipt_differences(receipt_fold.rows, stored_receipts)
        differences += [
            f"processed_events: sự kiện {event_id} trên luồng REPORTS chưa được áp dụng"
            for event_id in sorted(fold.event_ids - processed, key=str)
        ]
        checked += f", {len(stored_receipts)} báo cáo đã nhận, {events} sự kiện trên luồng REPORTS"
    if differences:
        return differences, f"Có {len(differences)} khác biệt ({checked})."
    return differences, f"Không có khác biệt ({checked})."
