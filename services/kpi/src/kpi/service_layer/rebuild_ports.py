"""The ports of `kpi rebuild` and `kpi verify` beyond the live stores (`service_layer.ports`).

`ReportStream` reads the REPORTS and KPI streams from the start (NATS: `kpi.adapters.streams`);
`RebuildStore` is the rebuild's staging area and the swap into the live tables (PostgreSQL:
`kpi.adapters.rebuild_store`). In-memory fakes: tests/support/kpi_replay_fakes.py; contract tests:
tests/integration/test_kpi_report_stream.py and tests/integration/test_kpi_rebuild_store.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import date
from typing import Protocol
from uuid import UUID

from kpi.domain.partition import WHOLE, Partition
from kpi.domain.projector import StoredObservation
from kpi.domain.publications import Staged
from kpi.domain.rebuild_plan import Key, Recorded
from kpi.domain.receipts import StoredReceipt
from kpi.domain.replay import ReportReplay
from kpi.domain.replayed import ReplayedReport

# Given the live projections (locked), the new attainment rows and the events to stage.
Decide = Callable[[dict[Key, Recorded]], tuple[list[Recorded], list[Staged]]]


class ReportStream(Protocol):
    def replay_reports(
        self, batch: int, today: date, early_days: int = 0, partition: Partition = WHOLE
    ) -> AsyncIterator[tuple[Sequence[ReplayedReport], ReportReplay]]:
        """Every accepted report stored when the call starts, from the first, that the consumer would
        apply on `today` (not the invalid ones, nor those dated in the future), in batches of at most
        `batch` messages, with running counts; only those of `partition`'s units (by their subject)."""

    async def last_published(self, batch: int = 1000) -> dict[Key, Recorded]:
        """The last AttainmentUpdated per unit and indicator on KPI: what each subscriber holds."""


class RebuildStore(Protocol):
    async def prepare(self) -> None:
        """An empty staging area (a failed rebuild's leftovers dropped)."""

    async def copy_event_ids(self, event_ids: Sequence[UUID]) -> None:
        """Stage replayed event ids (the same id may come twice)."""

    async def copy_observations(self, rows: Iterable[StoredObservation]) -> None:
        """Stage the replayed observations (one per report and indicator)."""

    async def copy_receipts(self, rows: Iterable[StoredReceipt]) -> None:
        """Stage the replayed receipts (one per report)."""

    async def swap(self, consumer: str, decide: Decide) -> None:
        """In one transaction: lock the live tables, ask `decide` against the live projections, then
        replace observations, receipts and projections with the staged ones and `decide`'s rows,
        record the staged event ids as applied by `consumer`, clear the roll-up work list and the stored
        roll-ups, and stage
        `decide`'s events."""

    async def drop(self) -> None:
        """Remove the staging area."""
