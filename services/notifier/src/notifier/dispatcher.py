"""Delivers pending notifications of one channel, one row per transaction.

The row stays locked (FOR UPDATE SKIP LOCKED) while it is sent and its result is
written in the same transaction. If the process dies mid-send the transaction
rolls back and the row is still pending: it is sent again (at most one
duplicate), never lost. One dispatcher per channel, so a slow SMS gateway does
not hold up email.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import structlog
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.clock import Clock
from bdhvs_shared.db.outbox import stage
from bdhvs_shared.worker import PollingWorker
from notifier.adapters import store
from notifier.adapters.tables import outbox
from notifier.domain.channel import Channel, DeliveryFailure, TransientFailure
from notifier.domain.quiet_hours import QuietHours, next_allowed
from notifier.domain.rate_limit import TokenBucket
from notifier.domain.retry import RetryPolicy, after_failure
from notifier.outcomes import failed_event, outgoing, sent_event

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class DeliveryCounters:
    sent: Counter
    failed: Counter
    retried: Counter


class Dispatcher(PollingWorker):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channel: Channel,
        bucket: TokenBucket,
        policy: RetryPolicy,
        clock: Clock,
        counters: DeliveryCounters,
        poll_seconds: float,
        on_published: PollingWorker | None = None,
        batch: int = 50,
        quiet: QuietHours | None = None,
    ) -> None:
        super().__init__(poll_seconds)
        self.name = f"dispatcher-{channel.name}"
        self._sessions = sessions
        self._channel = channel
        self._bucket = bucket
        self._policy = policy
        self._clock = clock
        self._counters = counters
        self._relay = on_published
        self._batch = batch
        self._quiet = quiet  # SMS only: nothing goes out in quiet hours, it waits for their end

    async def run_once(self) -> int:
        done = 0
        while done < self._batch:
            # Wait for the rate limit (or a gateway's Retry-After) before taking a row.
            if (delay := self._bucket.delay(time.monotonic())) > 0:
                await asyncio.sleep(min(delay, self._poll))
                continue
            if not await self._deliver_next():
                break
            done += 1
        if done and self._relay is not None:
            self._relay.wake()
        return done

    async def _deliver_next(self) -> bool:
        now = self._clock.now()
        if next_allowed(now, self._quiet) > now:
            return False  # quiet hours: what is due waits (a backlog, a retry), never dropped
        async with self._sessions() as session, session.begin():
            row = await store.claim_next(session, self._channel.name, now)
            if row is None:
                return False
            self._bucket.consume(time.monotonic())
            await self._attempt(session, row)
        return True

    async def _attempt(self, session: AsyncSession, r: Any) -> None:
        attempts = r.attempts + 1
        log.info(
            "sending notification",
            channel=r.channel,
            notification_id=str(r.id),
            recipient=r.recipient,
            attempt=attempts,
            sms_segments=r.sms_segments,
            sms_encoding=r.sms_encoding,
        )
        try:
            receipt = await self._channel.send(outgoing(r))
        except Exception as exc:
            failure = exc if isinstance(exc, DeliveryFailure) else TransientFailure(repr(exc)[:300])
            await self._failed(session, r, attempts, failure)
            return
        now = self._clock.now()
        await store.mark(
            session,
            r.id,
            status="sent",
            sent_at=now,
            attempts=attempts,
            last_error=None,
            provider_message_id=receipt.provider_message_id,
        )
        await stage(session, outbox, [sent_event(r, now)])
        self._counters.sent.labels(channel=r.channel).inc()

    async def _failed(self, session: AsyncSession, r: Any, attempts: int, failure: DeliveryFailure) -> None:
        now = self._clock.now()
        decision = after_failure(failure, attempts, self._policy, now)
        retry_at = next_allowed(decision.next_attempt_at, self._quiet)
        if isinstance(failure, TransientFailure) and failure.retry_after is not None:
            self._bucket.hold(failure.retry_after, time.monotonic())  # back-pressure: the whole channel
        await store.mark(
            session,
            r.id,
            attempts=attempts,
            last_error=failure.reason[:500],
            status=decision.status,
            next_attempt_at=retry_at,
            failed_at=now if decision.status == "failed" else None,
        )
        log.warning(
            "notification not sent",
            channel=r.channel,
            notification_id=str(r.id),
            attempts=attempts,
            error=failure.reason,
            status=decision.status,
            retry_at=retry_at.isoformat() if decision.status == "pending" else None,
        )
        if decision.status == "pending":
            self._counters.retried.labels(channel=r.channel).inc()
            return
        await stage(session, outbox, [failed_event(r, now, attempts, failure)])
        self._counters.failed.labels(channel=r.channel).inc()
