"""A channel's dispatcher: a polling loop that delivers its pending notifications
(service_layer/deliver.py) within the channel's rate limit, then wakes the outbox relay.

`senders` deliveries run at once, each in its own transaction holding its own row: a send mostly
waits for the peer (SMTP, the gateway), so several in flight multiply the rate. A sender that
fails does not cut the others short: each finishes its own attempt, then the run reports it."""

from __future__ import annotations

import asyncio
import math
import time

from bdhvs_shared.clock import Clock
from bdhvs_shared.worker import PollingWorker
from notifier.domain.channel import Channel
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.rate_limit import TokenBucket
from notifier.domain.retry import RetryPolicy
from notifier.entrypoints.workers.precedence import TicksFirst
from notifier.service_layer.deliver import Delivery, DeliveryCounters
from notifier.service_layer.ports import Transactions
from notifier.settings import DispatchSettings


class Dispatcher(PollingWorker):
    def __init__(
        self,
        delivery: Delivery,
        poll_seconds: float,
        on_published: PollingWorker | None = None,
        batch: int = 50,
        senders: int = 1,
        precedence: TicksFirst | None = None,
    ) -> None:
        super().__init__(poll_seconds)
        self.name = f"dispatcher-{delivery.channel.name}"
        self._delivery = delivery
        self._relay = on_published
        self._batch = batch
        self._senders = senders
        self._precedence = precedence or TicksFirst()
        self._started = 0  # deliveries begun in this run, by all its senders

    async def run_once(self) -> int:
        self._started = 0
        await self._precedence.give_way()
        if not await self._delivery.any_due():
            return 0  # idle: one read, not a claim per sender
        results = await asyncio.gather(*(self._send() for _ in range(self._senders)), return_exceptions=True)
        done = sum(r for r in results if isinstance(r, int))
        if done and self._relay is not None:
            self._relay.wake()
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return done

    async def _send(self) -> int:
        done = 0
        while self._started < self._batch:
            # A running tick first: the rate limit's answer holds only until the token is taken, so no
            # wait may come between them (senders released together would each spend the one token).
            await self._precedence.give_way()
            # Wait for the rate limit (or a gateway's Retry-After) before taking a row.
            if (delay := self._delivery.bucket.delay(time.monotonic())) > 0:
                await asyncio.sleep(min(delay, self._poll))
                continue
            self._started += 1
            if not await self._delivery.deliver_next():
                break
            done += 1
        return done

    async def stop(self) -> None:
        await super().stop()
        await self._delivery.channel.close()


def dispatchers(
    channels: list[tuple[Channel, float]],
    transactions: Transactions,
    settings: DispatchSettings,
    clock: Clock,
    counters: DeliveryCounters,
    relay: PollingWorker | None,
    delivery: DeliveryPolicy,
    precedence: TicksFirst | None = None,
) -> list[Dispatcher]:
    """A dispatcher per (channel, sends per second), each with its own rate limit."""
    policy = RetryPolicy(settings.max_send_attempts, settings.retry_base_seconds, settings.retry_max_seconds)
    return [
        Dispatcher(
            Delivery(
                transactions,
                channel,
                # A burst of one second's worth (at least one): a backlog drains at the rate, not at once.
                TokenBucket(rate, max(1, math.ceil(rate)), time.monotonic()),
                policy,
                clock,
                counters,
                quiet=delivery.quiet_for(channel.name),
            ),
            settings.poll_seconds,
            on_published=relay,
            senders=settings.senders,
            precedence=precedence,
        )
        for channel, rate in channels
    ]
