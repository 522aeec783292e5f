"""Groups the reports the consumer pulled together into one batch transaction.

The durable consumer pulls up to `BATCH_SIZE` messages at a time and FastStream runs
their handlers concurrently (each with its own ack, retry and dead-lettering). Each
handler hands its report to the batcher and waits: the batcher applies everything
handed in meanwhile in stream order, in one transaction (`apply_batch`). If that
transaction fails, it applies the same reports one by one, so that only the report
that really fails is retried or dead-lettered, and the others are acknowledged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import structlog

from bdhvs_shared.events import ReportAccepted

log = structlog.get_logger(__name__)

ApplyBatch = Callable[[Sequence[ReportAccepted]], Awaitable[list[bool]]]
ApplyOne = Callable[[ReportAccepted], Awaitable[bool]]


class Batcher:
    def __init__(self, apply_batch: ApplyBatch, apply_one: ApplyOne, max_batch: int) -> None:
        self._apply_batch = apply_batch
        self._apply_one = apply_one
        self._max = max_batch
        self._pending: list[tuple[ReportAccepted, asyncio.Future[bool]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def submit(self, event: ReportAccepted) -> bool:
        """Applied exactly once with the others of its batch; False if it was a redelivery."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._pending:
            # Let the other handlers of the same pull reach `submit` before taking the batch.
            waiting = -1
            while waiting != len(self._pending) and len(self._pending) < self._max:
                waiting = len(self._pending)
                await asyncio.sleep(0)
            batch, self._pending = self._pending[: self._max], self._pending[self._max :]
            await self._apply(batch)

    async def _apply(self, batch: list[tuple[ReportAccepted, asyncio.Future[bool]]]) -> None:
        events = [event for event, _ in batch]
        try:
            results = await self._apply_batch(events)
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc)
                return
            # One report may be at fault: isolate it.
            log.warning("batch failed, applying its reports one by one", error=repr(exc), size=len(batch))
            for event, future in batch:
                try:
                    _settle(future, await self._apply_one(event))
                except Exception as one:
                    _settle(future, one)
            return
        for (_, future), applied in zip(batch, results, strict=True):
            _settle(future, applied)


def _settle(future: asyncio.Future[bool], outcome: bool | Exception) -> None:
    if future.done():  # its handler was cancelled (shutdown): the message will be redelivered
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
