"""kpi's live stores (`service_layer.ports.ReportStores`) on PostgreSQL, one session and transaction."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.db.idempotency import first_time, first_times
from bdhvs_shared.db.outbox import stage
from bdhvs_shared.events import IndicatorValue, ReportAccepted
from kpi.adapters import consolidated_reports, locks, observations, projections, receipts, rollups
from kpi.adapters.tables import outbox, processed_events
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
from kpi.service_layer.ports import Pair, ReportStores, Transactions


class PgObservations:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, event: ReportAccepted, indicator: str, value: IndicatorValue) -> None:
        await observations.upsert(self._session, event, indicator, value)

    async def upsert_many(self, rows: Sequence[StoredObservation]) -> None:
        await observations.upsert_many(self._session, rows)

    async def unit_series(self, unit_code: str, indicator: str) -> list[Observation]:
        return await observations.unit_series(self._session, unit_code, indicator)

    async def series_by_unit(self, indicator: str) -> dict[str, list[Observation]]:
        return await observations.series_by_unit(self._session, indicator)

    async def rows_for(self, pairs: Collection[Pair]) -> dict[Pair, list[StoredObservation]]:
        return await observations.rows_for(self._session, pairs)

    async def all(self) -> list[StoredObservation]:
        return await observations.all_rows(self._session)


class PgProjections:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current(self, unit_code: str, indicator: str) -> tuple[Snapshot, int] | None:
        return await projections.current(self._session, unit_code, indicator)

    async def current_many(self, pairs: Collection[Pair]) -> dict[Pair, tuple[Snapshot, int]]:
        return await projections.current_many(self._session, pairs)

    async def save(self, snapshot: Snapshot, sequence: int, updated_at: datetime, event_id: UUID) -> None:
        await projections.save(self._session, snapshot, sequence, updated_at, event_id)

    async def save_many(self, saved: Sequence[Recorded]) -> None:
        await projections.save_many(self._session, saved)

    async def find(self, unit_code: str | None, indicator: str | None) -> list[Recorded]:
        return await projections.find(self._session, unit_code, indicator)

    async def all(self) -> list[Snapshot]:
        return await projections.all_snapshots(self._session)

    async def statuses(self) -> list[AttainmentStatus]:
        return await projections.attainment_and_status(self._session)


class PgReceipts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, event: ReportAccepted) -> bool:
        return await receipts.record(self._session, event)

    async def record_many(self, rows: Sequence[StoredReceipt]) -> None:
        await receipts.record_many(self._session, rows)

    async def existing(self, keys: Collection[ReceiptKey]) -> set[ReceiptKey]:
        return await receipts.existing(self._session, keys)

    async def for_period(self, form: str, period: str) -> dict[str, Receipt]:
        return await receipts.for_period(self._session, form, period)

    async def all(self) -> dict[ReceiptKey, StoredReceipt]:
        return await receipts.all_rows(self._session)


class PgRollups:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def days(self, indicators: Collection[str]) -> dict[str, list[RollupDay]]:
        return await rollups.days_of(self._session, indicators)

    async def write(self, kept: Mapping[str, Sequence[RollupDay]]) -> None:
        await rollups.write(self._session, kept)

    async def all(self) -> dict[str, list[RollupDay]]:
        return await rollups.all_days(self._session)


class PgArchive:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def exists(self, period: str) -> bool:
        return await consolidated_reports.exists(self._session, period)

    async def insert_once(self, report: ConsolidatedReport, workbook: bytes, page: str, digest: str) -> bool:
        return await consolidated_reports.insert_once(self._session, report, workbook, page, digest)

    async def archived(self, period: str) -> tuple[bytes, str] | None:
        return await consolidated_reports.archived(self._session, period)


class PgReportStores:
    """`ReportStores` on a session whose transaction the caller opened."""

    def __init__(self, session: AsyncSession, consumer: str) -> None:
        self.session, self._consumer = session, consumer
        self.observations = PgObservations(session)
        self.projections = PgProjections(session)
        self.receipts = PgReceipts(session)
        self.archive = PgArchive(session)
        self.rollups = PgRollups(session)

    async def first_time(self, event_id: UUID) -> bool:
        return await first_time(self.session, processed_events, self._consumer, event_id)

    async def first_times(self, event_ids: Sequence[UUID]) -> set[UUID]:
        return await first_times(self.session, processed_events, self._consumer, event_ids)

    async def processed_ids(self) -> set[UUID]:
        return await observations.processed_ids(self.session, self._consumer)

    async def lock(self, unit_code: str, indicator: str) -> None:
        await locks.lock(self.session, unit_code, indicator)

    async def lock_all(self, keys: Collection[Pair]) -> None:
        await locks.lock_all(self.session, keys)

    async def mark_dirty(self, indicator: str, correlation_id: UUID, now: datetime) -> None:
        await rollups.mark_dirty(self.session, indicator, correlation_id, now)

    async def mark_dirty_many(self, marks: Mapping[str, UUID], now: datetime) -> None:
        await rollups.mark_dirty_many(self.session, marks, now)

    async def claim_dirty(self, limit: int = 10) -> list[tuple[str, UUID]]:
        return await rollups.claim_dirty(self.session, limit)

    async def clear_dirty(self, indicator: str) -> None:
        await rollups.clear(self.session, [indicator])

    async def stage(self, staged: Sequence[Staged], ordered_from: datetime | None = None) -> None:
        await stage(self.session, outbox, staged, ordered_from=ordered_from)


def transactions(sessions: async_sessionmaker[AsyncSession], consumer: str) -> Transactions:
    """Each call opens a session and a transaction and hands its stores (`consumer`: processed_events')."""

    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[ReportStores]:
        async with sessions() as session, session.begin():
            yield PgReportStores(session, consumer)

    return transaction
