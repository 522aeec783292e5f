"""Intake's use-case stores (`service_layer.ports`) on PostgreSQL, one session and transaction."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.events import CataloguePublished, Event, ReportAccepted
from intake.adapters import catalogue_store, idempotency, outbox, reports, submission
from intake.domain.history import Previous
from intake.domain.submissions import ValidReport
from intake.service_layer.ports import (
    Claim,
    IntakeStores,
    Receipt,
    Recorded,
    RetryKey,
    StoredRevision,
    StoredVersion,
    Transactions,
)


class PgReports:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_revision(
        self, report: ValidReport, received_at: datetime, deadline: datetime, on_time: bool
    ) -> StoredRevision:
        return await reports.next_revision(self._session, report, received_at, deadline, on_time)

    async def add_revision(self, event: ReportAccepted) -> None:
        await reports.add_revision(self._session, event)

    async def receipt(self, event_id: UUID) -> Receipt:
        return await reports.receipt(self._session, event_id)

    async def previous_figures(
        self, unit_code: str, before: date, indicators: Iterable[str]
    ) -> dict[str, Previous]:
        return await reports.previous_figures(self._session, unit_code, before, indicators)


class PgRetryKeys:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self, token_id: UUID, key: str, fingerprint: str, now: datetime, event_id: UUID | None = None
    ) -> Claim:
        return await idempotency.claim(self._session, token_id, key, fingerprint, now, event_id)


class PgCatalogue:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self) -> None:
        await catalogue_store.lock(self._session)

    async def latest(self) -> StoredVersion | None:
        return await catalogue_store.latest(self._session)

    async def add(self, event: CataloguePublished) -> None:
        await catalogue_store.add(self._session, event)


class PgIntakeStores:
    """`IntakeStores` on a session whose transaction the caller opened."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.reports = PgReports(session)
        self.retry_keys = PgRetryKeys(session)
        self.catalogue = PgCatalogue(session)

    async def stage(self, events: Sequence[tuple[Event, str]]) -> None:
        await outbox.stage(self.session, events)

    async def record(
        self,
        report: ValidReport,
        draft: ReportAccepted,
        subject: str,
        token_id: UUID,
        retry: RetryKey | None,
    ) -> Recorded:
        return await submission.record(self.session, report, draft, subject, token_id, retry)

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        async with self.session.begin_nested():
            yield


def transactions(sessions: async_sessionmaker[AsyncSession]) -> Transactions:
    """Each call opens a session and a transaction and hands its stores."""

    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[IntakeStores]:
        async with sessions() as session, session.begin():
            yield PgIntakeStores(session)

    return transaction
