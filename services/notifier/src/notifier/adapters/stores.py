"""The notifier's stores (`service_layer.ports`) on PostgreSQL: one session and transaction each."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.db.idempotency import first_time
from bdhvs_shared.db.outbox import stage
from bdhvs_shared.events import Event
from notifier.adapters import consumer_statements
from notifier.adapters.alert_queue import PgAlertQueue
from notifier.adapters.audit import PgAuditLog
from notifier.adapters.directory import PgDirectory
from notifier.adapters.ledger_store import PgLedger
from notifier.adapters.notification_store import PgNotifications
from notifier.adapters.tables import outbox, processed_events
from notifier.adapters.violation_store import PgLastStatuses, PgViolations
from notifier.domain.ledger import DueItem
from notifier.domain.records import Arrival, TakenUpdate
from notifier.service_layer.ports import Stores, Transactions


class PgStores:
    """`Stores` on a session whose transaction the caller opened."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.last_statuses = PgLastStatuses(session)
        self.violations = PgViolations(session)
        self.alert_queue = PgAlertQueue(session)
        self.ledger = PgLedger(session)
        self.notifications = PgNotifications(session)
        self.directory = PgDirectory(session)
        self.audit = PgAuditLog(session)

    async def first_time(self, consumer: str, event_id: UUID) -> bool:
        return await first_time(self.session, processed_events, consumer, event_id)

    async def stage(self, events: Sequence[tuple[Event, str]]) -> None:
        await stage(self.session, outbox, events)

    async def take_update(
        self, consumer: str, event_id: UUID, unit_code: str, indicator: str, status: str, sequence: int
    ) -> TakenUpdate | None:
        return await consumer_statements.take_update(
            self.session, consumer, event_id, unit_code, indicator, status, sequence
        )

    async def take_report(
        self,
        consumer: str,
        event_id: UUID,
        arrival: Arrival,
        items: Sequence[DueItem],
        now: datetime,
        note: str,
    ) -> list[str] | None:
        return await consumer_statements.take_report(
            self.session, consumer, event_id, arrival, items, now, note
        )


def transactions(sessions: async_sessionmaker[AsyncSession]) -> Transactions:
    """Each call opens a session and a transaction and hands its stores."""

    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[Stores]:
        async with sessions() as session, session.begin():
            yield PgStores(session)

    return transaction
