"""Delivering a channel's pending notifications, one row per transaction (the dispatcher's work).

The row stays locked (FOR UPDATE SKIP LOCKED) while it is sent and its result is
written in the same transaction. If the process dies mid-send the transaction
rolls back and the row is still pending: it is sent again (at most one
duplicate), never lost. One dispatcher per channel (entrypoints/workers/dispatcher.py),
so a slow SMS gateway does not hold up email; its senders call `deliver_next` concurrently,
each in its own transaction (SKIP LOCKED gives each a different row).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import structlog
from prometheus_client import Counter

from bdhvs_shared.clock import Clock
from notifier.domain.channel import Channel, DeliveryFailure, TransientFailure
from notifier.domain.outcomes import failed_event, outgoing, sent_event
from notifier.domain.quiet_hours import QuietHours, next_allowed
from notifier.domain.rate_limit import TokenBucket
from notifier.domain.records import Notification
from notifier.domain.retry import RetryPolicy, after_failure
from notifier.service_layer.ports import Stores, Transactions

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class DeliveryCounters:
    sent: Counter
    failed: Counter
    retried: Counter


class Delivery:
    """Sends one channel's due notifications within its rate limit, retries and quiet hours."""

    def __init__(
        self,
        transactions: Transactions,
        channel: Channel,
        bucket: TokenBucket,
        policy: RetryPolicy,
        clock: Clock,
        counters: DeliveryCounters,
        quiet: QuietHours | None = None,
    ) -> None:
        self.channel = channel
        self.bucket = bucket
        self._transactions = transactions
        self._policy = policy
        self._clock = clock
        self._counters = counters
        self._quiet = quiet  # SMS only: nothing goes out in quiet hours, it waits for their end

    async def any_due(self) -> bool:
        """Whether a row may be sent now: one read, so that an idle channel's poll (or wake) costs one
        query, not a claim transaction per sender."""
        now = self._clock.now()
        if next_allowed(now, self._quiet) > now:
            return False
        async with self._transactions() as stores:
            return await stores.notifications.any_due(self.channel.name, now)

    async def deliver_next(self) -> bool:
        """Send the next due row, if any and not in quiet hours; False when there was none."""
        now = self._clock.now()
        if next_allowed(now, self._quiet) > now:
            return False  # quiet hours: what is due waits (a backlog, a retry), never dropped
        # The token is taken before the claim, so that concurrent senders never exceed the rate.
        self.bucket.consume(time.monotonic())
        claimed = False
        try:
            async with self._transactions() as stores:
                row = await stores.notifications.claim_next(self.channel.name, now)
                if row is None:
                    return False
                claimed = True
                await self._attempt(stores, row)
        finally:
            if not claimed:
                self.bucket.give_back()  # nothing was sent: the token is not spent
        return True

    async def _attempt(self, stores: Stores, r: Notification) -> None:
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
            receipt = await self.channel.send(outgoing(r))
        except Exception as exc:
            failure = exc if isinstance(exc, DeliveryFailure) else TransientFailure(repr(exc)[:300])
            await self._failed(stores, r, attempts, failure)
            return
        now = self._clock.now()
        await stores.notifications.mark(
            r.id,
            status="sent",
            sent_at=now,
            attempts=attempts,
            last_error=None,
            provider_message_id=receipt.provider_message_id,
        )
        await stores.stage([sent_event(r, now)])
        self._counters.sent.labels(channel=r.channel).inc()

    async def _failed(self, stores: Stores, r: Notification, attempts: int, failure: DeliveryFailure) -> None:
        now = self._clock.now()
        decision = after_failure(failure, attempts, self._policy, now)
        retry_at = next_allowed(decision.next_attempt_at, self._quiet)
        if isinstance(failure, TransientFailure) and failure.retry_after is not None:
            self.bucket.hold(failure.retry_after, time.monotonic())  # back-pressure: the whole channel
        await stores.notifications.mark(
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
        await stores.stage([failed_event(r, now, attempts, failure)])
        self._counters.failed.labels(channel=r.channel).inc()
