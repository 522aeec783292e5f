"""At each stop of the demo's clock, the notifier catches up before the clock moves on, so its
delivery log reads as two years would have written it (a reminder on its day, not all at the end).

Caught up: nothing waits in intake's or kpi's outbox, no JetStream consumer has a message pending or
unacknowledged, then the notifier's ledger and alert ticks have each had a run that began since and
found nothing left to do (GET /health/workers: no I/O in the notifier, unlike /metrics): every
notification is then made at the clock's time (its `created_at`), even when more fell due at once
than one tick takes (the ledger tick claims 50 items a run). The dispatchers are not waited for at a
stop: they send in the background (one row, one transaction and one SMTP session each: a few dozen
a second here), so a busy day's mail may be sent (`sent_at`) at a later stop. They are waited for
once, at the end (`delivered`): the demo (and with `--exit` the stack) stopped while thousands of
notifications were still queued, so the mail a run left depended on the machine's load. A stop
with nothing to do (no report since the last one, no ledger item due) is not waited for.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import asyncpg
import httpx

from bdhvs_local.bench.baselines import asyncpg_dsn
from bdhvs_shared.clock import Clock

TICKS = ("ledger-tick", "alert-tick")
_OUTBOXES = """
SELECT EXISTS (SELECT 1 FROM intake.outbox WHERE published_at IS NULL)
    OR EXISTS (SELECT 1 FROM kpi.outbox WHERE published_at IS NULL)
"""
# Queued notifications the dispatchers may send now, and those waiting for a later moment (the next
# working moment, SMS quiet hours, a retry): the latter go out with the clock, not the demo.
_QUEUED = """
SELECT count(*) FILTER (WHERE next_attempt_at <= $1), count(*) FILTER (WHERE next_attempt_at > $1)
FROM notifier.notifications WHERE status = 'pending'
"""
_DUE = "SELECT EXISTS (SELECT 1 FROM notifier.deadline_ledger WHERE status = 'pending' AND due_at <= $1)"
POLL = 0.05
# Demo mode: the notifier ticks often, so that a stop waits a fraction of a second (default 60 s and
# 5 s), and sends as fast as the local mail catcher and loopback SMS gateway take it.
FAST_TICKS = {
    "LEDGER_TICK_SECONDS": "0.2",
    "ALERT_TICK_SECONDS": "0.2",
    "DISPATCH_POLL_SECONDS": "0.2",
    "EMAIL_RATE_PER_SECOND": "200",
    "SMS_RATE_PER_SECOND": "200",
}


class NotifierWatch:
    def __init__(self, client: httpx.AsyncClient, notifier_url: str) -> None:
        self._client, self._url = client, notifier_url
        self._db: asyncpg.Connection | None = None
        self._js: Any = None
        self._nc: Any = None
        self.waits = 0  # stops waited for
        self.seconds = 0.0  # spent waiting
        self.drain_seconds = 0.0  # of which: outboxes and consumers (kpi's and the notifier's)

    async def open(self, database_url: str, nats_url: str) -> NotifierWatch:
        import nats

        self._db = await asyncpg.connect(asyncpg_dsn(database_url))
        self._nc = await nats.connect(nats_url)
        self._js = self._nc.jetstream()
        return self

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
        if self._nc is not None:
            await self._nc.close()

    async def due_by(self, when: datetime) -> bool:
        """A ledger item (reminder, notice, escalation, summary) is pending and due by `when` (one indexed
        read of the notifier's table: asked at every stop, the API's token check would cost more)."""
        assert self._db is not None
        return bool(await self._db.fetchval(_DUE, when))

    async def queued(self, now: datetime) -> tuple[int, int]:
        """(notifications the dispatchers may send by `now`, those that wait for a later moment)."""
        assert self._db is not None
        row = await self._db.fetchrow(_QUEUED, now)
        assert row is not None
        return int(row[0]), int(row[1])

    async def delivered(self, clock: Clock, stalled_after: float = 60.0) -> tuple[int, int]:
        """Wait until the dispatchers have sent every notification due by the clock; gives up when
        none went out for `stalled_after` seconds. Returns (left unsent, waiting for a later moment)."""
        last, progress = -1, time.monotonic()
        while True:
            due, later = await self.queued(clock.now())
            if due == 0:
                return 0, later
            if due != last:
                last, progress = due, time.monotonic()
            elif time.monotonic() - progress > stalled_after:
                return due, later
            await asyncio.sleep(0.5)

    async def caught_up(self, timeout: float = 60.0) -> bool:
        """Wait until the notifier has acted on everything up to now (False: `timeout` passed)."""
        began = time.monotonic()
        deadline = began + timeout
        try:
            while not await self._settled():
                if time.monotonic() > deadline:
                    return False
                await asyncio.sleep(POLL)
            self.drain_seconds += time.monotonic() - began
            return await self._idle_since(time.time(), deadline)
        finally:
            self.waits += 1
            self.seconds += time.monotonic() - began

    async def _settled(self) -> bool:
        assert self._db is not None and self._js is not None
        if await self._db.fetchval(_OUTBOXES):
            return False
        for stream in await self._js.streams_info():
            for consumer in await self._js.consumers_info(stream.config.name):
                if consumer.num_pending or consumer.num_ack_pending:
                    return False
        return True

    async def _idle_since(self, mark: float, deadline: float) -> bool:
        """Both ticks have had a run that began after `mark` and found nothing to do."""
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL)
            reply = await self._client.get(f"{self._url}/health/workers")
            reply.raise_for_status()
            idle = {w["name"] for w in reply.json()["workers"] if w["began"] > mark and w["did"] == 0}
            if idle >= set(TICKS):
                return True
        return False
