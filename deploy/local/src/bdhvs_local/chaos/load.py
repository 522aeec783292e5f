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
    """Reports over a few units and January–March 2026: the same unit and period comes back, so
    revisions happen. One in three is high, the others low, so a unit's status keeps going below
    target and back (an alert, then a recovery notice): the notifier sends all through the campaign.
    Each body's figures carry its serial (c: serial mod 9000, d: serial div 9000), so a report can be
    found again by them, and stay within the denominator however long the campaign runs."""

    def __init__(self, rng: random.Random, units: list[str]) -> None:
        self.rng, self.units, self.serial = rng, units, 0

    def next(self) -> dict[str, Any]:
        self.serial += 1
        return body(self.serial, self.rng.choice(self.units), self.rng.choice(PERIODS))


def body(serial: int, unit: str, period: str) -> dict[str, Any]:
    """The report numbered `serial`: distinct figures per serial, high (on track) one time in three."""
    band = 11000 if serial % 3 == 0 else 1000
    c, d = band + serial % 9000, 1000 + serial // 9000
    values = {"c": {"numerator": c, "denominator": 20000}, "d": {"numerator": d, "denominator": 20000}}
    return {"unit_code": unit, "form": "monthly", "period": period, "values": values, "confirm": True}


def backoff(attempt: int, rng: random.Random, retry_after: float = 0.0) -> float:
    """Seconds before retry number `attempt` (1, 2, …): doubling from 0.5 s up to 16 s, with jitter,
    and never sooner than the server's Retry-After. A fixed 1 s retry made every client that timed
    out come back at once, on a server already behind: a retry storm that kept it behind."""
    return max(retry_after, min(16.0, 0.5 * 2 ** (attempt - 1)) * rng.uniform(0.5, 1.0))


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
    deadline, attempt, rng = loop.time() + give_up_after, 0, random.Random()
    while loop.time() < deadline:
        attempt += 1
        try:
            reply = await client.post(url, json=body, headers=headers)
        except httpx.TransportError:  # refused, reset or timed out: a real client tries again
            out.retries += 1
            await asyncio.sleep(backoff(attempt, rng))
            continue
        out.statuses[reply.status_code] += 1
        if reply.status_code == 201:
            out.accepted.add(reply.json()["event_id"])
            return
        if reply.status_code >= 500:
            out.retries += 1
            await asyncio.sleep(backoff(attempt, rng, float(reply.headers.get("Retry-After", "1"))))
            continue
        out.refused.append(f"{reply.status_code} {reply.text[:300]}")
        return
    out.unknown.append(body)


async def open_loop(
    intake: str, token: str, reports: Reports, rate: float, done: Callable[[], bool], out: Outcomes
) -> None:
    """`rate` reports a second until `done()`, each sent without waiting for the earlier ones."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=50)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, pool=None), limits=limits) as client:
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
