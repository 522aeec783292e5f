"""A channel's dispatcher: a polling loop that delivers its pending notifications
(service_layer/deliver.py) within the channel's rate limit, then wakes the outbox relay."""

from __future__ import annotations

import asyncio
import time

from bdhvs_shared.worker import PollingWorker
from notifier.service_layer.deliver import Delivery


class Dispatcher(PollingWorker):
    def __init__(
        self,
        delivery: Delivery,
        poll_seconds: float,
        on_published: PollingWorker | None = None,
        batch: int = 50,
    ) -> None:
        super().__init__(poll_seconds)
        self.name = f"dispatcher-{delivery.channel.name}"
        self._delivery = delivery
        self._relay = on_published
        self._batch = batch

    async def run_once(self) -> int:
        done = 0
        while done < self._batch:
            # Wait for the rate limit (or a gateway's Retry-After) before taking a row.
            if (delay := self._delivery.bucket.delay(time.monotonic())) > 0:
                await asyncio.sleep(min(delay, self._poll))
                continue
            if not await self._delivery.deliver_next():
                break
            done += 1
        if done and self._relay is not None:
            self._relay.wake()
        return done
