"""Delivers pending notifications; the row stays locked while its email is sent.

If the process dies mid-send the transaction rolls back and the row is still
pending: it is sent again (at most one duplicate), never lost.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.clock import Clock
from bdhvs_shared.db.outbox import stage
from bdhvs_shared.events import NotificationSent, subjects
from bdhvs_shared.nats.reliable import backoff_seconds
from bdhvs_shared.worker import PollingWorker
from notifier.adapters import store
from notifier.adapters.email import SmtpSender
from notifier.adapters.tables import outbox

log = structlog.get_logger(__name__)


class Dispatcher(PollingWorker):
    name = "dispatcher"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: SmtpSender,
        clock: Clock,
        sent: Counter,
        failed: Counter,
        max_attempts: int,
        poll_seconds: float,
        on_published: PollingWorker | None = None,
    ) -> None:
        super().__init__(poll_seconds)
        self._sessions = sessions
        self._sender = sender
        self._clock = clock
        self._sent = sent
        self._failed = failed
        self._max_attempts = max_attempts
        self._relay = on_published

    async def run_once(self) -> int:
        async with self._sessions() as session, session.begin():
            rows = await store.claim_pending(session, self._clock.now(), limit=20)
            for row in rows:
                await self._deliver(session, row)
        if rows and self._relay is not None:
            self._relay.wake()
        return len(rows)

    async def _deliver(self, session: AsyncSession, r: Any) -> None:
        message = self._sender.build(r.recipient, r.subject, r.body_text, r.body_html, r.idempotency_key)
        try:
            await self._sender.send(message)
        except Exception as exc:
            attempts = r.attempts + 1
            status = "failed" if attempts >= self._max_attempts else "pending"
            retry_at = self._clock.now() + timedelta(seconds=backoff_seconds(attempts))
            await store.mark(
                session,
                r.id,
                attempts=attempts,
                last_error=repr(exc)[:500],
                status=status,
                next_attempt_at=retry_at,
            )
            if status == "failed":
                self._failed.labels(channel="email").inc()
            log.warning("email not sent", recipient=r.recipient, attempts=attempts, error=repr(exc))
            return
        now = self._clock.now()
        await store.mark(session, r.id, status="sent", sent_at=now, attempts=r.attempts + 1, last_error=None)
        event = NotificationSent.new(
            producer="notifier",
            correlation_id=r.correlation_id,
            occurred_at=now,
            notification_id=r.id,
            unit_code=r.unit_code,
            kind=r.kind,
            channel="email",
            recipient=r.recipient,
        )
        await stage(session, outbox, [(event, subjects.notification_sent(r.unit_code))])
        self._sent.labels(channel="email").inc()
