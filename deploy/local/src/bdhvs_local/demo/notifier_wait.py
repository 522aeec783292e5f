"""At each of the demo's instants, the services catch up before the clock moves on, so the delivery log
reads as two years would have written it (a reminder on its day, not all at the end), the same in
every run.

The demo's clock stands still at each instant (`FileClock` written `still`): whatever the services
do there is dated that instant, however long it takes under the machine's load. The services' ticks
run when the clock file is written (`on_file_clock_change`), not at their next poll.

- After a batch of reports: drained, i.e. nothing waits in intake's or kpi's outbox or kpi's roll-up
  work list, and no JetStream consumer has a message pending or unacknowledged (`drained`).
- When the clock moves to a new local day, kpi re-judges the statuses: its day ticks have had a run
  since the clock moved that left nothing due, then drained.
- When it moves to an instant where something can fall due (`due_by`: a ledger item, an alert
  repeat, an alert item waiting to be grouped; or a day where a form's period begins, when the
  ledger plans new items): drained, then the demo touches the clock file (same instant) and waits
  until the notifier's ledger and alert ticks have each had a run since then that left nothing due
  (GET /health/workers: `more` false, i.e. it found nothing or its batch was not full; no I/O,
  unlike /metrics), so everything due is made at this instant even when more fell due than one
  tick takes. Nothing due, same day: not waited for.

The dispatchers are not waited for at a stop: they send in the background, so a busy day's mail may
be sent (`sent_at`) at a later instant. They are waited for once, at the end (`delivered`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bdhvs_local.bench.baselines import asyncpg_dsn
from bdhvs_shared.clock import Clock, FileClock

TICKS = ("ledger-tick", "alert-tick")
KPI_TICKS = ("status-tick", "consolidation-tick")
_OUTBOXES = """
SELECT EXISTS (SELECT 1 FROM intake.outbox WHERE published_at IS NULL)
    OR EXISTS (SELECT 1 FROM kpi.outbox WHERE published_at IS NULL)
    OR EXISTS (SELECT 1 FROM kpi.rollup_dirty)
"""
# Queued notifications the dispatchers may send now, and those waiting for a later moment (the next
# working moment, SMS quiet hours, a retry): the latter go out with the clock, not the demo.
_QUEUED = """
SELECT count(*) FILTER (WHERE next_attempt_at <= $1), count(*) FILTER (WHERE next_attempt_at > $1)
FROM notifier.notifications WHERE status = 'pending'
"""
# Something the notifier's ticks act on at `$1`: a ledger item due, an open violation's repeat due, an
# alert item waiting for its group (sent once its group wait passed: at the first instant after).
_DUE = """
SELECT EXISTS (SELECT 1 FROM notifier.deadline_ledger WHERE status = 'pending' AND due_at <= $1)
    OR EXISTS (SELECT 1 FROM notifier.violations WHERE resolved_at IS NULL AND next_repeat_at <= $1)
    OR EXISTS (SELECT 1 FROM notifier.alert_items WHERE state = 'pending' AND due_at < $1)
"""
POLL = 0.01


class Stopped(Exception):
    """Ctrl-C during a wait (the demo's runner turns it into KeyboardInterrupt, outside the loop)."""


# Demo mode: the ticks and the dispatchers also run when the clock file is written (and the ticks
# wake the dispatchers when they queue), so their poll is only the fallback: a faster one costs the
# notifier a claim query per worker per poll for nothing. The dispatchers send as fast as the local
# mail catcher and loopback SMS gateway take it.
FAST_TICKS = {
    "LEDGER_TICK_SECONDS": "1",
    "ALERT_TICK_SECONDS": "1",
    "DISPATCH_POLL_SECONDS": "1",
    "EMAIL_RATE_PER_SECOND": "200",
    "SMS_RATE_PER_SECOND": "200",
}


class NotifierWatch:
    def __init__(self, client: httpx.AsyncClient, notifier_url: str, kpi_url: str, clock: Path) -> None:
        self._client, self._url, self._kpi_url, self._clock = client, notifier_url, kpi_url, clock
        self._db: asyncpg.Connection | None = None
        self._js: Any = None
        self._nc: Any = None
        self._streams: list[str] = []  # the streams, listed at a drain's first look
        self.waits = 0  # stops waited for
        self.seconds = 0.0  # spent waiting
        self.drain_seconds = 0.0  # of which: outboxes and consumers (kpi's and the notifier's)
        self.kpi_seconds = 0.0  # of which: kpi's day ticks on a new day (the rest: the notifier's ticks)

    async def open(self, database_url: str, nats_url: str) -> NotifierWatch:
        import nats

        # Every question this connection asks has an index (the outboxes' and the queues' partial ones).
        # The planner may not see it: the demo fills tables faster than autovacuum analyses them, and
        # with no statistics yet it scanned the whole outbox at each stop (a thousand pages a call).
        self._db = await asyncpg.connect(asyncpg_dsn(database_url), server_settings={"enable_seqscan": "off"})
        self._nc = await nats.connect(nats_url)
        self._js = self._nc.jetstream()
        return self

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
        if self._nc is not None:
            await self._nc.close()

    async def due_by(self, when: datetime) -> bool:
        """The notifier's ticks have something to do at `when` (one read of its tables: asked at every
        instant, the API's token check would cost more)."""
        assert self._db is not None
        return bool(await self._db.fetchval(_DUE, when))

    async def queued(self, now: datetime) -> tuple[int, int]:
        """(notifications the dispatchers may send by `now`, those that wait for a later moment)."""
        assert self._db is not None
        row = await self._db.fetchrow(_QUEUED, now)
        assert row is not None
        return int(row[0]), int(row[1])

    async def delivered(
        self, clock: Clock, stop: Callable[[], bool] = lambda: False, stalled_after: float = 60.0
    ) -> tuple[int, int]:
        """Wait until the dispatchers have sent every notification due by the clock; gives up when
        none went out for `stalled_after` seconds, raises Stopped once `stop()` (Ctrl-C).
        Returns (left unsent, waiting for a later moment)."""
        last, progress = -1, time.monotonic()
        while not stop():
            due, later = await self.queued(clock.now())
            if due == 0:
                return 0, later
            if due != last:
                last, progress = due, time.monotonic()
            elif time.monotonic() - progress > stalled_after:
                return due, later
            await asyncio.sleep(0.5)
        raise Stopped

    async def drained(self, timeout: float = 60.0) -> bool:
        """Wait until the outboxes, kpi's roll-up work list and the consumers are idle (False: `timeout`)."""
        began = time.monotonic()
        try:
            return await self._drain(began + timeout)
        finally:
            self.drain_seconds += time.monotonic() - began
            self.seconds += time.monotonic() - began

    async def caught_up(
        self, moved: float, new_day: bool = False, ticks: bool = True, timeout: float = 60.0
    ) -> bool:
        """Wait until the services have acted on everything due at the clock's instant, written at `moved`
        (time.time()): kpi's day ticks (on a new day), the pipeline, then (`ticks`) the notifier's."""
        began = time.monotonic()
        deadline = began + timeout
        try:
            if new_day:
                kpi_done = await self._done_since(self._kpi_url, KPI_TICKS, moved, deadline)
                self.kpi_seconds += time.monotonic() - began
                if not kpi_done:
                    return False
            draining = time.monotonic()
            drained = await self._drain(deadline)
            self.drain_seconds += time.monotonic() - draining
            if not drained or not ticks:
                return drained
            mark = time.time()
            FileClock.write(self._clock, FileClock(self._clock).now(), still=True)  # wakes the ticks
            return await self._done_since(self._url, TICKS, mark, deadline)
        finally:
            self.waits += 1
            self.seconds += time.monotonic() - began

    async def _drain(self, deadline: float) -> bool:
        self._streams = []  # listed again once a drain: a stream made since counts too
        while not await self._settled():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(POLL)
        return True

    async def _settled(self) -> bool:
        """One round trip's wait: the outboxes and every stream's consumers are asked at once."""
        assert self._db is not None and self._js is not None
        if not self._streams:
            self._streams = [s.config.name for s in await self._js.streams_info()]
        outboxes, *consumers = await asyncio.gather(
            self._db.fetchval(_OUTBOXES), *(self._js.consumers_info(name) for name in self._streams)
        )
        busy = any(c.num_pending or c.num_ack_pending for found in consumers for c in found)
        return not (outboxes or busy)

    async def _done_since(self, url: str, names: tuple[str, ...], mark: float, deadline: float) -> bool:
        """Each of the `names` workers has had a run that began after `mark` and left nothing due."""
        while time.monotonic() < deadline:
            reply = await self._client.get(f"{url}/health/workers")
            reply.raise_for_status()
            done = {w["name"] for w in reply.json()["workers"] if w["began"] > mark and not w["more"]}
            if done >= set(names):
                return True
            await asyncio.sleep(POLL)
        return False
