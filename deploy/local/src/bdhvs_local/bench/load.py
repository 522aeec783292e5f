"""The load generator: concurrent or paced clients posting reports, and what the runs wait for."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import Any

import httpx

RETRIES = {"count": 0, "dropped": 0}  # every retry; of which after a dropped connection
# Every durable consumer of a report's effects: the bench's CPU figures are read once these are idle.
CONSUMERS = (("REPORTS", "kpi-reports"), ("REPORTS", "notifier-reports"), ("KPI", "notifier-kpi"))


class KpiWatcher:
    """Records when the first KPI event caused by each awaited report arrives (by correlation id)."""

    def __init__(self) -> None:
        self.first_seen: dict[str, float] = {}
        self.awaited: set[str] = set()
        self.arrived = asyncio.Event()

    def expect(self, event_ids: set[str]) -> None:
        self.awaited |= event_ids
        self._check()

    async def on_message(self, msg: Any) -> None:
        correlation = (msg.headers or {}).get("ce-correlationid")
        if correlation and correlation not in self.first_seen:
            self.first_seen[correlation] = time.perf_counter()
            self._check()

    def _check(self) -> None:
        if self.awaited and self.awaited <= self.first_seen.keys():
            self.arrived.set()

    def reset(self) -> None:
        self.awaited = set()
        self.arrived.clear()


async def _post(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], body: dict[str, Any]
) -> tuple[str, float]:
    """POST as a careful client does: a 503 (intake sheds load when it cannot take more) is retried
    after its Retry-After, and a dropped connection after a second, under the same Idempotency-Key.
    (A shed request is answered before its body is read; the server then closes a connection with
    unread data, which may reset it before the client reads the 503.)"""
    headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    attempt = 0
    while True:
        attempt += 1
        try:
            reply = await client.post(url, json=body, headers=headers)
        except httpx.TransportError:
            if attempt >= 100:
                raise
            RETRIES["count"] += 1
            RETRIES["dropped"] += 1
            await asyncio.sleep(1.0)
            continue
        if reply.status_code != 503 or attempt >= 100:
            break
        RETRIES["count"] += 1
        await asyncio.sleep(float(reply.headers.get("Retry-After", "1")))
    if reply.status_code != 201:
        raise RuntimeError(f"report refused: {reply.status_code} {reply.text}")
    return reply.json()["event_id"], time.perf_counter()


async def drained(js: Any) -> bool:
    """kpi has applied and acknowledged every report in the REPORTS stream."""
    info = await js.stream_info("REPORTS")
    consumer = await js.consumer_info("REPORTS", "kpi-reports")
    return bool(
        consumer.num_pending == 0
        and consumer.num_ack_pending == 0
        and consumer.delivered.stream_seq >= info.state.last_seq
    )


async def _idle(js: Any, stream: str, durable: str) -> bool:
    """Nothing left for the consumer: none of the messages its filter takes is undelivered or unacked
    (a filtered consumer's delivered sequence need not reach the stream's last)."""
    consumer = await js.consumer_info(stream, durable)
    return bool(consumer.num_pending == 0 and consumer.num_ack_pending == 0)


async def settled(js: Any, timeout: float = 60.0) -> None:
    """Every consumer of the reports and KPI events is idle (or `timeout` passed): the work a run
    caused is done, so the CPU it cost can be read. A consumer that does not exist is skipped."""
    deadline = time.monotonic() + timeout
    for stream, durable in CONSUMERS:
        while time.monotonic() < deadline:
            try:
                if await _idle(js, stream, durable):
                    break
            except Exception:  # not provisioned in this run (e.g. a test without the notifier)
                break
            await asyncio.sleep(0.05)


async def throughput(
    intake: str, token: str, js: Any, bodies: list[dict[str, Any]], concurrency: int
) -> dict[str, float]:
    """Reports posted by concurrent clients; end to end = until kpi has applied the last one."""
    headers = {"Authorization": f"Bearer {token}"}
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:

        async def one(body: dict[str, Any]) -> tuple[str, float]:
            async with semaphore:
                return await _post(client, f"{intake}/api/v1/reports", headers, body)

        start = time.perf_counter()
        await asyncio.gather(*(one(b) for b in bodies))
        accepted_at = time.perf_counter()
        while not await drained(js):
            await asyncio.sleep(0.02)
        done = time.perf_counter()
    return {
        "reports": len(bodies),
        "accepted_per_s": len(bodies) / (accepted_at - start),
        "end_to_end_per_s": len(bodies) / (done - start),
        "seconds": done - start,
    }


async def paced_latency(
    intake: str, token: str, watcher: KpiWatcher, bodies: list[dict[str, Any]], rate: float
) -> list[float]:
    """Reports sent at a fixed rate; for each, HTTP 201 received → its first KPI event received."""
    headers = {"Authorization": f"Bearer {token}"}
    watcher.reset()
    # No connection limit: a pipeline slower than the rate piles requests up, and their
    # latency should show it rather than the client's pool refusing them.
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(timeout=httpx.Timeout(120, pool=None), limits=limits) as client:
        start = time.perf_counter()
        tasks = []
        for i, body in enumerate(bodies):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_post(client, f"{intake}/api/v1/reports", headers, body)))
        accepted = dict(await asyncio.gather(*tasks))
        watcher.expect(set(accepted))
        # A report that changes no projection publishes nothing: counted, not waited for forever.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(watcher.arrived.wait(), timeout=max(60.0, 3 * len(bodies) / rate))
    return [(watcher.first_seen[e] - at) * 1000 for e, at in accepted.items() if e in watcher.first_seen]
