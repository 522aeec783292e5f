"""`make bench`: throughput and latency of the running pipeline, with a raw JetStream baseline.

It starts its own stack (embedded servers in a temporary directory, services on
free ports), so the figures do not depend on what else runs. It prints figures;
it asserts nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import signal
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import nats

from bdhvs_local.ports import free_port
from bdhvs_local.stack import Stack


def _units() -> list[str]:
    from bdhvs_shared.catalogue import load_catalogue

    return sorted(load_catalogue().units)


class Bodies:
    """Reports over every commune and month of a year, each with new figures.

    Only a report that changes a projection publishes a KPI event (a revision of a
    month outside the pace window changes none), so the latency run uses a year no
    report has touched yet: each of its reports moves a unit's latest observation.
    """

    def __init__(self, year: int) -> None:
        periods = [f"{year}-{m:02d}" for m in range(1, 13)]
        self._pairs = itertools.cycle(itertools.product(periods, _units()))
        self._serial = 0

    def take(self, count: int) -> list[dict[str, Any]]:
        return [self._one() for _ in range(count)]

    def _one(self) -> dict[str, Any]:
        period, unit = next(self._pairs)
        self._serial += 1
        n = 1000 + self._serial % 8000
        values = {"c": {"numerator": n, "denominator": 10000}, "d": {"numerator": n, "denominator": 10000}}
        # confirm: the figures cycle, so the history checks (a falling cumulative figure) would refuse them.
        return {"unit_code": unit, "form": "monthly", "period": period, "values": values, "confirm": True}


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


RETRIES = {"count": 0}


async def _post(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], body: dict[str, Any]
) -> tuple[str, float]:
    """POST as a careful client does: a dropped connection is retried under the same Idempotency-Key."""
    headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    for attempt in range(3):
        try:
            reply = await client.post(url, json=body, headers=headers)
            break
        except httpx.TransportError:
            if attempt == 2:
                raise
            RETRIES["count"] += 1
    if reply.status_code != 201:
        raise RuntimeError(f"report refused: {reply.status_code} {reply.text}")
    return reply.json()["event_id"], time.perf_counter()


async def drained(js: Any) -> bool:
    """kpi has applied and acknowledged every report in the REPORTS stream."""
    stream = await js.stream_info("REPORTS")
    consumer = await js.consumer_info("REPORTS", "kpi-reports")
    return bool(
        consumer.num_pending == 0
        and consumer.num_ack_pending == 0
        and consumer.delivered.stream_seq >= stream.state.last_seq
    )


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
    }


async def paced_latency(
    intake: str, token: str, watcher: KpiWatcher, bodies: list[dict[str, Any]], rate: float
) -> list[float]:
    """Reports sent at a fixed rate; for each, HTTP 201 received → its first KPI event received."""
    headers = {"Authorization": f"Bearer {token}"}
    watcher.reset()
    async with httpx.AsyncClient(timeout=30) as client:
        start = time.perf_counter()
        tasks = []
        for i, body in enumerate(bodies):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_post(client, f"{intake}/api/v1/reports", headers, body)))
        accepted = dict(await asyncio.gather(*tasks))
        watcher.expect(set(accepted))
        await asyncio.wait_for(watcher.arrived.wait(), timeout=300)
    return [(watcher.first_seen[e] - at) * 1000 for e, at in accepted.items()]


async def jetstream_baseline(nats_url: str, count: int) -> float:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await js.add_stream(name="BENCH", subjects=["bench.>"])
    payload = b"x" * 600  # about the size of a ReportAccepted event
    start = time.perf_counter()
    for i in range(count):
        await js.publish_async(f"bench.{i % 99}", payload)
    await js.publish_async_completed()
    elapsed = time.perf_counter() - start
    await js.delete_stream("BENCH")
    await nc.close()
    return count / elapsed


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(stack: Stack, count: int, concurrency: int, rate: float, seconds: float) -> None:
    assert stack.endpoints is not None
    token = stack.demo_tokens()["operator"]
    watcher = KpiWatcher()
    nc = await nats.connect(stack.endpoints.nats_url)
    await nc.subscribe("bdhvs.kpi.attainment.>", cb=watcher.on_message)
    js = nc.jetstream()
    bodies = Bodies(2026)
    intake = stack.endpoints.intake_url
    print(f"warm-up: {await throughput(intake, token, js, bodies.take(200), concurrency)}", flush=True)
    result = await throughput(intake, token, js, bodies.take(count), concurrency)
    latencies = await paced_latency(intake, token, watcher, Bodies(2027).take(int(rate * seconds)), rate)
    await nc.close()
    baseline = await jetstream_baseline(stack.endpoints.nats_url, 20000)
    print()
    print(f"end-to-end ({count} reports, {concurrency} concurrent clients)")
    print(f"  accepted by intake          {result['accepted_per_s']:10.1f} reports/s")
    print(f"  applied by kpi (end to end) {result['end_to_end_per_s']:10.1f} reports/s")
    print(
        f"accept → KPI event at a paced {rate:.0f} reports/s for {seconds:.0f} s ({len(latencies)} reports)"
    )
    print(
        f"  p50 {_pct(latencies, 0.50):8.1f} ms   p99 {_pct(latencies, 0.99):8.1f} ms   "
        f"max {max(latencies):8.1f} ms   mean {statistics.fmean(latencies):8.1f} ms"
    )
    print(f"  connection errors retried under the same Idempotency-Key: {RETRIES['count']}")
    print("baseline: raw JetStream async publish (600-byte messages, 20000)")
    print(f"  {baseline:10.1f} msgs/s; end-to-end is {result['end_to_end_per_s'] / baseline:.4f} of it")


def run(count: int = 1000, concurrency: int = 32, rate: float = 20.0, seconds: float = 10.0) -> None:
    # A fresh directory each run, kept afterwards so the services' logs can be read.
    directory = Path(".run/bench").resolve()
    shutil.rmtree(directory, ignore_errors=True)
    ports = {"intake": free_port(), "kpi": free_port(), "notifier": free_port()}
    stack = Stack(directory, ports=ports, extra_env={"LOG_LEVEL": "WARNING"})
    # SIGTERM (a timeout, a CI kill) must still stop the servers this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        stack.start()
        asyncio.run(measure(stack, count, concurrency, rate, seconds))
    finally:
        stack.stop()
