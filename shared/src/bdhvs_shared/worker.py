"""A background loop that does a unit of work whenever woken, or every poll interval.

The outbox relay and the notifier's dispatcher are both this shape: claim
rows, act, mark them; back off while a dependency is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from abc import ABC, abstractmethod

import structlog

log = structlog.get_logger(__name__)

# Workers running in this process, so /metrics can report when each last succeeded (a stale reminder
# tick or relay is an alert) without every service wiring a gauge into every worker.
RUNNING: weakref.WeakSet[PollingWorker] = weakref.WeakSet()


class PollingWorker(ABC):
    name = "worker"

    def __init__(self, poll_seconds: float, pause_after_work: float = 0.0) -> None:
        self._poll = poll_seconds
        # > 0 for work whose cost does not depend on how much piled up (a roll-up): under
        # load, one run every `pause_after_work` seconds serves everything that came meanwhile.
        self._pause = pause_after_work
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.last_success: float | None = None  # wall-clock time of the last run_once that did not fail
        self.last_success_began: float | None = None  # when that run began (it saw what was stored by then)
        self.last_success_done = 0  # what that run did (0: it found nothing to do)
        self.last_success_more = False  # whether that run may have left work due (`more_after`)

    @abstractmethod
    async def run_once(self) -> int:
        """Do one batch; return how much was done (0 = idle). The worker then waits for a wake or the poll
        unless `more_after` says the run may have left work due."""

    def more_after(self, done: int) -> bool:
        """Whether a run that did `done` may have left work that was due when it began: then the worker
        runs again at once. By default anything done; a worker whose batch was not full knows it did
        everything due, and says no (it then waits for a wake or its poll, not for an idle run)."""
        return done > 0

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)
        RUNNING.add(self)

    async def stop(self) -> None:
        # The flag, not only cancel(): on Python 3.11 a cancel that races with the
        # wake-up is swallowed by asyncio.wait_for, and the loop would go on.
        self._stopping = True
        RUNNING.discard(self)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                began = time.time()
                done = await self.run_once()
                more = self.more_after(done)
                failures = 0
                self.last_success, self.last_success_began, self.last_success_done = time.time(), began, done
                self.last_success_more = more
            except Exception as exc:  # a dependency is down: keep the rows, retry later
                failures += 1
                log.warning(f"{self.name} failed, will retry", error=repr(exc), failures=failures)
                done, more = 0, False
                await asyncio.sleep(min(5.0, 0.1 * 2**failures))
            if done and self._pause:
                await asyncio.sleep(self._pause)
            if not more:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll):
                        await self._wake.wait()
                self._wake.clear()
