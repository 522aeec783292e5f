"""In-memory fakes of `kpi rebuild`'s and `kpi verify`'s ports (`kpi.service_layer.rebuild_ports`).

`FakeReportStream` holds the REPORTS payloads and the KPI stream's AttainmentUpdated events in
publication order; `FakeRebuildStore` stages rows in memory and swaps them into a `FakeDatabase`
(tests/support/kpi_fakes.py) in one of its transactions. The same assertions run on these and
on NATS and PostgreSQL: tests/integration/test_kpi_report_stream.py and test_kpi_rebuild_store.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import cast
from uuid import UUID

from bdhvs_shared.events import AttainmentUpdated, ReportAccepted
from kpi.domain.partition import WHOLE, Partition
from kpi.domain.projector import StoredObservation
from kpi.domain.publications import snapshot_of_event
from kpi.domain.rebuild_plan import Key, Recorded
from kpi.domain.receipts import StoredReceipt
from kpi.domain.replay import ReportReplay, key_of
from kpi.domain.reporting import Receipt
from kpi.service_layer.rebuild_ports import Decide
from support.kpi_fakes import FakeDatabase, FakeReportStores


@dataclass
class FakeReportStream:
    reports: list[bytes] = field(default_factory=list)  # REPORTS, in stream order
    attainment: list[AttainmentUpdated] = field(default_factory=list)  # KPI, in stream order

    async def replay_reports(
        self, batch: int, today: date, early_days: int = 0, partition: Partition = WHOLE
    ) -> AsyncIterator[tuple[list[ReportAccepted], ReportReplay]]:
        # what is stored when the call starts, of the partition's units (by the subject's last token)
        stored = [body for body in self.reports if partition.holds(_unit_of(body))]
        replay = ReportReplay(total=len(stored))
        for start in range(0, len(stored), batch):
            read = (replay.read(data, today, early_days) for data in stored[start : start + batch])
            events = [e for e in read if e is not None]
            replay.last_stream_sequence = min(start + batch, len(stored))
            replay.events += len(events)
            yield events, replay

    async def last_published(self, batch: int = 1000) -> dict[Key, Recorded]:
        out: dict[Key, Recorded] = {}
        for e in self.attainment:  # the last message per subject (unit, indicator)
            out[(e.unit_code, e.indicator)] = Recorded(
                snapshot_of_event(e), e.sequence, e.occurred_at, e.event_id
            )
        return out


@dataclass
class FakeRebuildStore:
    db: FakeDatabase
    staged: dict[str, list[object]] | None = None  # None: no staging area

    async def prepare(self) -> None:
        self.staged = {"ids": [], "observations": [], "receipts": []}

    async def copy_event_ids(self, event_ids: Sequence[UUID]) -> None:
        self._area()["ids"] += event_ids

    async def copy_observations(self, rows: Iterable[StoredObservation]) -> None:
        self._area()["observations"] += rows

    async def copy_receipts(self, rows: Iterable[StoredReceipt]) -> None:
        self._area()["receipts"] += rows

    async def swap(self, consumer: str, decide: Decide) -> None:
        area = self._area()
        async with self.db.transaction() as working:
            stores = cast(FakeReportStores, working)
            live = {key: Recorded(*row) for key, row in stores.projections.rows.items()}
            rows, staged = decide(live)
            observations = cast(list[StoredObservation], area["observations"])
            stores.observations.rows = {key_of(r): r for r in observations}
            receipts = cast(list[StoredReceipt], area["receipts"])
            stores.receipts.rows = {(r.unit_code, r.form, r.period): _receipt(r) for r in receipts}
            stores.receipts.deadlines = {(r.unit_code, r.form, r.period): r.deadline for r in receipts}
            stores.projections.rows = {
                (r.snapshot.unit_code, r.snapshot.indicator): (
                    r.snapshot,
                    r.sequence,
                    r.updated_at,
                    r.event_id,
                )
                for r in rows
            }
            stores.processed |= set(cast(list[UUID], area["ids"]))
            stores.dirty.clear()
            stores.rollups.kept.clear()
            stores.outbox += staged

    async def drop(self) -> None:
        self.staged = None

    def _area(self) -> dict[str, list[object]]:
        assert self.staged is not None, "prepare() first"
        return self.staged


def _receipt(r: StoredReceipt) -> Receipt:
    return Receipt(
        r.unit_code, r.on_time, r.first_revision, r.first_received_at, r.latest_revision, r.latest_received_at
    )


def _unit_of(body: bytes) -> str:
    """The unit of the subject intake publishes a report on (the body's unit)."""
    try:
        return str(json.loads(body).get("unit_code", ""))
    except (ValueError, AttributeError):
        return ""  # not an event: any partition's, as long as it is one's
