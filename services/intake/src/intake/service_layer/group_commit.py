"""Group commit: concurrent submissions coalesced into one transaction (docs/benchmark.md).

BEGIN and COMMIT cost a report's transaction as much as its one statement; several reports in one
transaction share them. The batcher queues each job; up to `writers` tasks each take what is queued
(up to `max_batch`, after waiting `max_wait` seconds for more only when that is not 0) and write it
with `write_batch`, all in one transaction. Each caller is answered only after that transaction
commits. When the batch fails in any way (one report needs confirmation or reuses a key, a
deadlock, a database error), nothing of it is kept and `write_one` writes each job again in a
transaction of its own, in arrival order: one report's failure never fails another's, and what is
stored is what one-by-one would store.

One failure is not rewritten: COMMIT itself failing (`CommitOutcomeUnknown`, e.g. the connection
lost while committing). The batch may then be stored, and writing it again would store twice the
reports that carry no retry key; each caller gets the error instead, as one-by-one would give it,
and a client retrying with its key finds its report if it was stored.

The writes run in the batcher's tasks, not the callers': a caller that goes away (its client hung
up) no longer rolls its own write back; a retry with the same key replays it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import structlog

from intake.service_layer.ports import FallbackReason, GroupCommitMeter, Quiet

log = structlog.get_logger(__name__)

Job = TypeVar("Job")
Result = TypeVar("Result")


class CommitOutcomeUnknown(Exception):
    """Every statement of the batch ran but COMMIT failed: the batch may or may not be stored."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(repr(cause))
        self.cause = cause


@dataclass(frozen=True)
class GroupCommitPolicy:
    """How submissions are coalesced (intake's GROUP_COMMIT_* settings)."""

    max_batch: int = 8  # most reports in one transaction
    max_wait: float = 0.0  # seconds a writer waits for a batch to fill; 0: take what is queued
    writers: int = 4  # transactions of batches at once (each holds a pooled connection)


class GroupCommit(Generic[Job, Result]):
    def __init__(
        self,
        policy: GroupCommitPolicy,
        write_batch: Callable[[Sequence[Job]], Awaitable[Sequence[Result]]],
        write_one: Callable[[Job], Awaitable[Result]],
        meter: GroupCommitMeter | None = None,
        reason: Callable[[Exception], FallbackReason] = lambda _: "error",
    ) -> None:
        """`meter` counts groups, fallbacks (each with `reason(error)`) and unknown outcomes."""
        self.policy = policy
        self._write_batch = write_batch
        self._write_one = write_one
        self._meter: GroupCommitMeter = meter or Quiet()
        self._reason = reason
        self._queue: deque[tuple[Job, asyncio.Future[Result]]] = deque()
        self._writers = 0
        self._tasks: set[asyncio.Task[None]] = set()  # kept referenced until done
        self.batches = 0  # transactions of more than one job that committed
        self.fallbacks = 0  # batches rolled back and written one by one

    async def submit(self, job: Job) -> Result:
        """The job's result once its transaction has committed (or its error)."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieve)  # a caller gone away leaves its error unread
        self._queue.append((job, future))
        if self._writers < self.policy.writers:
            self._writers += 1
            # A fresh context: the writer serves other requests than the one that started it.
            task = asyncio.create_task(self._drain(), context=contextvars.Context())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await asyncio.shield(future)  # a cancelled caller does not cancel the write

    async def wait_idle(self) -> None:
        """Until every queued job is written (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _drain(self) -> None:
        try:
            while self._queue:
                if self.policy.max_wait > 0 and len(self._queue) < self.policy.max_batch:
                    await asyncio.sleep(self.policy.max_wait)
                size = min(len(self._queue), self.policy.max_batch)
                await self._write([self._queue.popleft() for _ in range(size)])
        finally:
            self._writers -= 1

    async def _write(self, batch: list[tuple[Job, asyncio.Future[Result]]]) -> None:
        try:
            await self._write_or_fall_back(batch)
        except asyncio.CancelledError:  # the service stops: no caller waits forever
            for _, future in batch:
                future.cancel()
            raise

    async def _write_or_fall_back(self, batch: list[tuple[Job, asyncio.Future[Result]]]) -> None:
        if len(batch) == 1:
            if await self._settle_alone(*batch[0]):
                self._meter.group_committed(1)
            return
        try:
            results = await self._write_batch([job for job, _ in batch])
        except CommitOutcomeUnknown as unknown:  # stored or not: never written a second time
            log.warning("group commit: COMMIT failed, outcome unknown", size=len(batch), error=repr(unknown))
            self._meter.group_outcome_unknown()
            for _, future in batch:
                if not future.done():
                    future.set_exception(unknown.cause)
            return
        except Exception as exc:  # any other failure: each report again, alone
            self.fallbacks += 1
            self._meter.group_fell_back(self._reason(exc))
            log.debug("group commit rolled back, writing one by one", size=len(batch), error=repr(exc))
            for job, future in batch:
                await self._settle_alone(job, future)
            return
        self.batches += 1
        self._meter.group_committed(len(batch))
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def _settle_alone(self, job: Job, future: asyncio.Future[Result]) -> bool:
        """Whether the job was written (else its caller gets the error)."""
        try:
            result = await self._write_one(job)
        except Exception as exc:  # the caller's own error, raised in its request
            if not future.done():
                future.set_exception(exc)
            return False
        if not future.done():
            future.set_result(result)
        return True


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
