"""At each stop of the demo's clock, the notifier catches up before the clock moves on, so its
delivery log reads as two years would have written it (a reminder on its day, not all at the end).

Caught up: nothing waits in intake's or kpi's outbox, no JetStream consumer has a message pending or
unacknowledged, then the notifier's ledger and alert ticks have each run since (their last
successful runs, from the notifier's /metrics): every notification is then made at the clock's time
(its `created_at`). The dispatchers are not waited for: they send in the background, so a busy day's
mail may be sent (`sent_at`) at a later stop. A stop with nothing to do (no report since the last
one, no ledger item due) is not waited for.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime
from typing import Any

import asyncpg
import httpx

from bdhvs_local.bench.baselines import asyncpg_dsn

TICKS = ("ledger-tick", "alert-tick")
_LAST = re.compile(r'^bdhvs_worker_last_success_timestamp_seconds\{worker="([^"]+)"\} (\S+)$', re.M)
_OUTBOXES = """
SELECT EXISTS (SELECT 1 FROM intake.outbox WHERE published_at IS NULL)
    OR EXISTS (SELECT 1 FROM kpi.outbox WHERE published_at IS NULL)
"""
POLL, METRICS_POLL = 0.05, 0.25
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
    def __init__(self, client: httpx.AsyncClient, notifier_url: str, token: str) -> None:
        self._client, self._url, self._token = client, notifier_url, token
        self._db: asyncpg.Connection | None = None
        self._js: Any = None
        self._nc: Any = None
        self.waits = 0  # stops waited for
        self.seconds = 0.0  # spent waiting

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
        """A ledger item (reminder, notice, escalation, summary) is pending and due by `when`."""
        reply = await self._client.get(
            f"{self._url}/api/v1/ledger",
            params={"status": "pending", "limit": 1},
            headers={"Authorization": f"Bearer {self._token}"},
        )
        reply.raise_for_status()
        items = reply.json()["items"]
        return bool(items) and datetime.fromisoformat(items[0]["due_at"]) <= when

    async def caught_up(self, timeout: float = 60.0) -> bool:
        """Wait until the notifier has acted on everything up to now (False: `timeout` passed)."""
        began = time.monotonic()
        deadline = began + timeout
        try:
            while not await self._settled():
                if time.monotonic() > deadline:
                    return False
                await asyncio.sleep(POLL)
            return await self._ticked_after(time.time(), deadline)
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

    async def _ticked_after(self, mark: float, deadline: float) -> bool:
        """Both ticks have run (and finished) after `mark`."""
        while time.monotonic() < deadline:
            await asyncio.sleep(METRICS_POLL)  # /metrics costs the notifier more than a tick
            reply = await self._client.get(f"{self._url}/metrics")
            last = {w: float(t) for w, t in _LAST.findall(reply.text) if w in TICKS}
            if len(last) == len(TICKS) and min(last.values()) > mark:
                return True
        return False
