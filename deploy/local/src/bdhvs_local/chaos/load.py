"""A steady open-loop load of valid reports, sent as a real client does: retried on connection errors
and timeouts (with its Idempotency-Key when it has one) and on 503 after Retry-After."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

# Mid-March 2026, as the end-to-end tests: the months so far have targets and a pace, so low figures
# put communes off track, and the notifier alerts (and sends) while the campaign runs.
PERIODS = ["2026-01", "2026-02", "2026-03"]
CLOCK_START = "2026-03-16T09:00:00+07:00"


@dataclass
class Outcomes:
    accepted: set[str] = field(default_factory=set)  # event ids answered with a 201
    unknown: list[dict[str, Any]] = field(default_factory=list)  # gave up without an answer: look up
    statuses: Counter[int] = field(default_factory=Counter)  # every answer, retries included
    refused: list[str] = field(default_factory=list)  # a 4xx for a valid report (should not happen)
    retries: int = 0
    sent: int = 0

    def errors_5xx(self) -> int:
        """5xx answers other than the documented 503 (database or broker down, or shedding load)."""
        return sum(n for status, n in self.statuses.items() if status >= 500 and status != 503)


class Reports:
    """Reports over a few units and every month of 2027: the same unit and period comes back, so
    revisions happen; each body's figures carry a serial, so a report can be found again by them."""

    def __init__(self, rng: random.Random, units: list[str]) -> None:
        self.rng, self.units, self.serial = rng, units, 0

    def next(self) -> dict[str, Any]:
        self.serial += 1
        n = 1000 + self.serial  # distinct per body; low figures put communes below target (alerts)
        values = {"c": {"numerator": n, "denominator": 20000}, "d": {"numerator": n, "denominator": 20000}}
        unit, period = self.rng.choice(self.units), self.rng.choice(PERIODS)
        return {"unit_code": unit, "form": "monthly", "period": period, "values": values, "confirm": True}


async def post(
    client: httpx.AsyncClient,
    url: str,
    token: str,
    body: dict[str, Any],
    keyed: bool,
    out: Outcomes,
    give_up_after: float = 120.0,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    if keyed:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + give_up_after
    while loop.time() < deadline:
        try:
            reply = await client.post(url, json=body, headers=headers)
        except httpx.TransportError:  # refused, reset or timed out: a real client tries again
            out.retries += 1
            await asyncio.sleep(1.0)
            continue
        out.statuses[reply.status_code] += 1
        if reply.status_code == 201:
            out.accepted.add(reply.json()["event_id"])
            return
        if reply.status_code >= 500:
            out.retries += 1
            await asyncio.sleep(float(reply.headers.get("Retry-After", "1")))
            continue
        out.refused.append(f"{reply.status_code} {reply.text[:300]}")
        return
    out.unknown.append(body)


async def open_loop(
    intake: str, token: str, reports: Reports, rate: float, done: Callable[[], bool], out: Outcomes
) -> None:
    """`rate` reports a second until `done()`, each sent without waiting for the earlier ones."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=50)
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, pool=None), limits=limits) as client:
        loop = asyncio.get_running_loop()
        start, tasks = loop.time(), []
        i = 0
        while not done():
            i += 1
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            keyed = reports.rng.random() < 0.5
            body = reports.next()
            out.sent += 1
            tasks.append(
                asyncio.create_task(post(client, f"{intake}/api/v1/reports", token, body, keyed, out))
            )
        await asyncio.gather(*tasks)
