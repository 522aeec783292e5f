"""What kpi's use cases need from storage, as Protocols (the stores of one transaction).

`ReportStores` hands out the observation, projection, receipt and roll-up stores and the
consolidated archive, and keeps the idempotency record, the per-unit locks, the roll-up work list and the
outbox. Every use case that reads or writes the live tables works on it (`Transactions`):
applying reports one by one and in batches, the roll-up, re-judging, consolidating, verifying
and the read API. The PostgreSQL adapter is `kpi.adapters.report_stores`; the in-memory fake is
tests/support/kpi_fakes.py; tests/integration/test_kpi_report_stores.py runs the same
assertions on both. Every method hands typed records (domain types), never database rows.
The rebuild's ports (the REPORTS stream, the staging schema) are in `service_layer.rebuild_ports`;
the consolidated report's files are made by a `ReportFiles`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from bdhvs_shared.events import IndicatorValue, ReportAccepted
from kpi.domain.consolidated_report import ConsolidatedReport
from kpi.domain.observation import Observation
from kpi.domain.projector import StoredObservation
from kpi.domain.publications import Staged
from kpi.domain.rebuild_plan import Recorded
from kpi.domain.receipts import StoredReceipt
from kpi.domain.replay import ReceiptKey
from kpi.domain.reporting import Receipt
from kpi.domain.rollup import RollupDay
from kpi.domain.snapshot import AttainmentStatus, Snapshot

Pair = tuple[str, str]  # unit, indicator


class ObservationStore(Protocol):
    async def upsert(self, event: ReportAccepted, indicator: str, value: IndicatorValue) -> None:
        """Keep the highest revision of each report (unit, indicator, form, period), in any order."""

    async def upsert_many(self, rows: Sequence[StoredObservation]) -> None:
        """`upsert` for many rows (one per report: the caller folds revisions first)."""

    async def unit_series(self, unit_code: str, indicator: str) -> list[Observation]:
        """One unit's observations of an indicator, by as-of day then receipt time."""

    async def series_by_unit(self, indicator: str) -> dict[str, list[Observation]]:
        """`unit_series` of every unit that has one."""

    async def rows_for(self, pairs: Collection[Pair]) -> dict[Pair, list[StoredObservation]]:
        """The stored rows of each (unit, indicator) that has any, by as-of day then receipt time."""

    async def all(self) -> list[StoredObservation]:
        """Every stored observation, by as-of day then receipt time."""


class ProjectionStore(Protocol):
    async def current(self, unit_code: str, indicator: str) -> tuple[Snapshot, int] | None:
        """The stored snapshot and its sequence, or None."""

    async def current_many(self, pairs: Collection[Pair]) -> dict[Pair, tuple[Snapshot, int]]:
        """`current` of each (unit, indicator) that has one."""

    async def save(self, snapshot: Snapshot, sequence: int, updated_at: datetime, event_id: UUID) -> None:
        """Store (or replace) the snapshot of its unit and indicator."""

    async def save_many(self, saved: Sequence[Recorded]) -> None:
        """`save` for many snapshots (one per unit and indicator)."""

    async def find(self, unit_code: str | None, indicator: str | None) -> list[Recorded]:
        """The stored snapshots of a unit and/or an indicator (all when None), by unit then indicator."""

    async def all(self) -> list[Snapshot]:
        """Every stored snapshot, by unit then indicator."""

    async def statuses(self) -> list[AttainmentStatus]:
        """Every snapshot's unit, indicator, attainment and status (the dashboards' gauges)."""


class ReceiptStore(Protocol):
    async def record(self, event: ReportAccepted) -> bool:
        """Fold a revision in (`domain.receipts.merge_receipt`); True when its report is new."""

    async def record_many(self, rows: Sequence[StoredReceipt]) -> None:
        """Fold many reports' receipts in (one per report: the caller folds revisions first)."""

    async def existing(self, keys: Collection[ReceiptKey]) -> set[ReceiptKey]:
        """Which of these reports (unit, form, period) were already received."""

    async def for_period(self, form: str, period: str) -> dict[str, Receipt]:
        """The receipts of a form and period, by unit."""

    async def all(self) -> dict[ReceiptKey, StoredReceipt]:
        """Every receipt, by (unit, form, period)."""


class RollupStore(Protocol):
    """The province roll-up of each indicator (`domain.rollup.RollupDay`s), kept up to date by each
    applied report. Read and written only while the indicator's roll-up work-list mark is held
    (`ReportStores.mark_dirty*` or `claim_dirty`), so no change is folded in twice or lost."""

    async def days(self, indicators: Collection[str]) -> dict[str, list[RollupDay]]:
        """The stored roll-up of each of these indicators that has one; absent: not built yet."""

    async def write(self, kept: Mapping[str, Sequence[RollupDay]]) -> None:
        """Store (or replace) the roll-up of each indicator."""

    async def all(self) -> dict[str, list[RollupDay]]:
        """Every stored roll-up, by indicator."""


class ConsolidatedArchive(Protocol):
    async def exists(self, period: str) -> bool:
        """Whether the month's report was made."""

    async def insert_once(self, report: ConsolidatedReport, workbook: bytes, page: str, digest: str) -> bool:
        """Store the month's files; False when the month is already there (nothing written)."""

    async def archived(self, period: str) -> tuple[bytes, str] | None:
        """The stored workbook and page of a month, if it was made."""


class ReportFiles(Protocol):
    """The consolidated report as files (kpi.adapters.consolidated_files: Jinja2, openpyxl)."""

    def xlsx(self, report: ConsolidatedReport, tz: ZoneInfo) -> bytes:
        """The .xlsx workbook."""

    def html(self, report: ConsolidatedReport, tz: ZoneInfo) -> str:
        """The printable HTML page."""


class ReportStores(Protocol):
    """The stores of one transaction: all of it is kept, or none of it."""

    @property
    def observations(self) -> ObservationStore: ...

    @property
    def projections(self) -> ProjectionStore: ...

    @property
    def receipts(self) -> ReceiptStore: ...

    @property
    def archive(self) -> ConsolidatedArchive: ...

    @property
    def rollups(self) -> RollupStore: ...

    async def first_time(self, event_id: UUID) -> bool:
        """Record the event as applied; False when it already was (a redelivery)."""

    async def first_times(self, event_ids: Sequence[UUID]) -> set[UUID]:
        """`first_time` for many: the ids not applied before (now recorded)."""

    async def processed_ids(self) -> set[UUID]:
        """Every event id recorded as applied."""

    async def lock(self, unit_code: str, indicator: str) -> None:
        """Serialise the writers of one unit and indicator until the transaction ends (re-entrant)."""

    async def lock_all(self, keys: Collection[Pair]) -> None:
        """`lock` of many keys at once, taken in one fixed order (no two callers wait in a cycle)."""

    async def mark_dirty(self, indicator: str, correlation_id: UUID, now: datetime) -> None:
        """Put the indicator's province projection on the roll-up work list."""

    async def mark_dirty_many(self, marks: Mapping[str, UUID], now: datetime) -> None:
        """`mark_dirty` for several indicators (each with the last report that touched it)."""

    async def claim_dirty(self, limit: int = 10) -> list[tuple[str, UUID]]:
        """Stale indicators (oldest first), each held by this transaction; replicas share the list."""

    async def clear_dirty(self, indicator: str) -> None:
        """Take the indicator off the roll-up work list."""

    async def stage(self, staged: Sequence[Staged], ordered_from: datetime | None = None) -> None:
        """Put events in the outbox, published after the transaction commits, in list order."""


# Opens a transaction: committed when the block ends normally, rolled back when it raises.
Transactions = Callable[[], AbstractAsyncContextManager[ReportStores]]
