"""The reports use case's stores (`service_layer.ports`) on PostgreSQL, one session and transaction."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.db.idempotency import first_time
from bdhvs_shared.db.outbox import stage
from bdhvs_shared.events import IndicatorValue, ReportAccepted
from kpi.adapters import locks, observations, projections, receipts, rollups
from kpi.adapters.tables import outbox, processed_events
from kpi.domain.observation import Observation
from kpi.domain.publications import Staged
from kpi.domain.reporting import Receipt
from kpi.domain.snapshot import Snapshot
from kpi.service_layer.ports import ReportStores, Transactions


class PgObservations:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, event: ReportAccepted, indicator: str, value: IndicatorValue) -> None:
        await observations.upsert(self._session, event, indicator, value)

    async def unit_series(self, unit_code: str, indicator: str) -> list[Observation]:
        return await observations.unit_series(self._session, unit_code, indicator)

    async def series_by_unit(self, indicator: str) -> dict[str, list[Observation]]:
        return await observations.series_by_unit(self._session, indicator)


class PgProjections:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current(self, unit_code: str, indicator: str) -> tuple[Snapshot, int] | None:
        return await projections.current(self._session, unit_code, indicator)

    async def save(self, snapshot: Snapshot, sequence: int, updated_at: datetime, event_id: UUID) -> None:
        await projections.save(self._session, snapshot, sequence, updated_at, event_id)


class PgReceipts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, event: ReportAccepted) -> bool:
        return await receipts.record(self._session, event)

    async def for_period(self, form: str, period: str) -> dict[str, Receipt]:
        return await receipts.for_period(self._session, form, period)


class PgReportStores:
    """`ReportStores` on a session whose transaction the caller opened."""

    def __init__(self, session: AsyncSession, consumer: str) -> None:
        self.session, self._consumer = session, consumer
        self.observations = PgObservations(session)
        self.projections = PgProjections(session)
        self.receipts = PgReceipts(session)

    async def first_time(self, event_id: UUID) -> bool:
        return await first_time(self.session, processed_events, self._consumer, event_id)

    async def lock(self, unit_code: str, indicator: str) -> None:
        await locks.lock(self.session, unit_code, indicator)

    async def mark_dirty(self, indicator: str, correlation_id: UUID, now: datetime) -> None:
        await rollups.mark_dirty(self.session, indicator, correlation_id, now)

    async def stage(self, staged: Sequence[Staged]) -> None:
        await stage(self.session, outbox, staged)


def transactions(sessions: async_sessionmaker[AsyncSession], consumer: str) -> Transactions:
    """Each call opens a session and a transaction and hands its stores (`consumer`: processed_events')."""

    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[ReportStores]:
        async with sessions() as session, session.begin():
            yield PgReportStores(session, consumer)

    return transaction
