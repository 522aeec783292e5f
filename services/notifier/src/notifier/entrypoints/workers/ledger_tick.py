"""The ledger's tick: plan when a period begins, then turn what fell due into notifications.

It waits while the reports consumer has a backlog: a notifier that was down reads the reports
it missed before it chases anyone, so a unit that reported meanwhile is not told it is late.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bdhvs_shared.worker import PollingWorker
from notifier.entrypoints.workers.precedence import TicksFirst
from notifier.service_layer.ledger import BATCH, DeadlineLedger, TickResult


@dataclass
class LedgerMetrics:
    pending: Gauge  # by ledger kind
    outcomes: dict[str, Counter]  # sent, collapsed, skipped; by ledger kind
    cancelled: Counter  # by ledger kind
    tick_seconds: Histogram

    def count(self, result: TickResult) -> None:
        for kind, outcome in result.outcomes:
            self.outcomes[outcome].labels(kind=kind).inc()


def ledger_metrics(registry: CollectorRegistry) -> LedgerMetrics:
    def counter(name: str, text: str) -> Counter:
        return Counter(f"bdhvs_ledger_{name}", text, ["kind"], registry=registry)

    return LedgerMetrics(
        pending=Gauge(
            "bdhvs_ledger_pending", "Deadline ledger items waiting to fall due", ["kind"], registry=registry
        ),
        outcomes={
            "sent": counter("sent", "Ledger items that fell due and were turned into notifications"),
            "collapsed": counter("collapsed", "Stale reminders skipped: a later one or the deadline came"),
            "skipped": counter("skipped", "Summaries and consolidation reminders with nothing missing"),
        },
        cancelled=counter("cancelled", "Ledger items cancelled by the report they chased"),
        tick_seconds=Histogram(
            "bdhvs_ledger_tick_seconds", "Time of one ledger tick (plan, claim and queue)", registry=registry
        ),
    )


PENDING_REFRESH_SECONDS = 10.0


async def always_caught_up() -> bool:
    return True


class LedgerTick(PollingWorker):
    name = "ledger-tick"

    def __init__(
        self,
        ledger: DeadlineLedger,
        poll_seconds: float,
        dispatchers: Sequence[PollingWorker] = (),
        caught_up: Callable[[], Awaitable[bool]] = always_caught_up,
        metrics: LedgerMetrics | None = None,
        batch: int = BATCH,
        precedence: TicksFirst | None = None,
    ) -> None:
        super().__init__(poll_seconds)
        self._batch = batch
        self._precedence = precedence or TicksFirst()
        self._metrics = metrics
        self._ledger = ledger
        self._dispatchers = dispatchers
        self._caught_up = caught_up
        self._pending_refresh_at = 0.0  # time.monotonic() when an idle tick refreshes the pending gauge

    async def run_once(self) -> int:
        started, changed = time.perf_counter(), True
        try:
            with self._precedence.ticking():
                planned, handled = await self._tick()
            changed = bool(planned or handled)
            return handled
        finally:
            if self._metrics is not None:
                self._metrics.tick_seconds.observe(time.perf_counter() - started)
                if changed or time.monotonic() >= self._pending_refresh_at:
                    await self._refresh_pending(self._metrics)

    def more_after(self, done: int) -> bool:
        return done >= self._batch  # a batch not full: every row due when it claimed was handled

    async def _refresh_pending(self, metrics: LedgerMetrics) -> None:
        # A count over the ledger: after a tick that planned or handled rows, else every
        # PENDING_REFRESH_SECONDS (the consumer's cancellations), not on every idle poll.
        self._pending_refresh_at = time.monotonic() + PENDING_REFRESH_SECONDS
        pending = await self._ledger.pending_by_kind()
        metrics.pending.clear()  # a kind with nothing pending reads 0, not its last count
        for kind, count in pending.items():
            metrics.pending.labels(kind=kind).set(count)

    async def _tick(self) -> tuple[int, int]:
        """(items newly planned, rows handled)."""
        planned = await self._ledger.plan_if_new()
        if not await self._caught_up():
            return planned, 0
        result = await self._ledger.process_due(self._batch)
        if self._metrics is not None:
            self._metrics.count(result)
        if result.queued:
            for dispatcher in self._dispatchers:
                dispatcher.wake()
        return planned, result.handled
