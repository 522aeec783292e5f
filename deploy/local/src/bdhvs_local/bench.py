"""`make bench`: throughput and latency of the running pipeline, with a raw JetStream baseline.

It starts its own stack (embedded servers in a temporary directory, services on
free ports), so the figures do not depend on what else runs. It prints figures;
it asserts nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import nats

from bdhvs_local.ports import free_port
from bdhvs_local.stack import Stack


def _units() -> list[str]:
    from bdhvs_shared.catalogue import load_catalogue

    return sorted(load_catalogue().units)


def _bodies(count: int) -> list[dict[str, Any]]:
    periods = [f"2026-{m:02d}" for m in range(1, 13)]
    pairs = itertools.cycle(itertools.product(periods, _units()))
    out = []
    for i in range(count):
        period, unit = next(pairs)
        n = 4000 + (i * 37) % 5000
        out.append(
            {
                "unit_code": unit,
                "form": "monthly",
                "period": period,
                "values": {
                    "c": {"numerator": n, "denominator": 10000},
                    "d": {"numerator": n, "denominator": 10000},
                },
            }
        )
    return out


class KpiWatcher:
    """Records when the first KPI event caused by each report arrives (by correlation id)."""

    def __init__(self) -> None:
        self.first_seen: dict[str, float] = {}
        self.arrived = asyncio.Event()
        self.waiting_for = 0

    async def on_message(self, msg: Any) -> None:
        correlation = (msg.headers or {}).get("ce-correlationid")
        if correlation and correlation not in self.first_seen:
            self.first_seen[correlation] = time.perf_counter()
            if len(self.first_seen) >= self.waiting_for:
                self.arrived.set()


async def _post(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], body: dict[str, Any]
) -> tuple[str, float]:
    reply = await client.post(url, json=body, headers=headers)
    if reply.status_code != 201:
        raise RuntimeError(f"report refused: {reply.status_code} {reply.text}")
    return reply.json()["event_id"], time.perf_counter()


async def throughput(
    intake: str, token: str, watcher: KpiWatcher, count: int, concurrency: int
) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}"}
    bodies = _bodies(count)
    watcher.first_seen.clear()
    watcher.arrived.clear()
    watcher.waiting_for = count
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:

        async def one(body: dict[str, Any]) -> tuple[str, float]:
            async with semaphore:
                return await _post(client, f"{intake}/api/v1/reports", headers, body)

        start = time.perf_counter()
        results = await asyncio.gather(*(one(b) for b in bodies))
        accepted_at = time.perf_counter()
        await asyncio.wait_for(watcher.arrived.wait(), timeout=600)
        done = time.perf_counter()
    ids = {event_id for event_id, _ in results}
    return {
        "reports": count,
        "accepted_per_s": count / (accepted_at - start),
        "end_to_end_per_s": count / (done - start),
        "kpi_events_for_all": float(ids <= set(watcher.first_seen)),
    }


async def paced_latency(
    intake: str, token: str, watcher: KpiWatcher, rate: float, seconds: float
) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    count = int(rate * seconds)
    bodies = _bodies(count)
    watcher.first_seen.clear()
    watcher.arrived.clear()
    watcher.waiting_for = count
    accepted: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=30) as client:
        start = time.perf_counter()
        tasks = []
        for i, body in enumerate(bodies):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_post(client, f"{intake}/api/v1/reports", headers, body)))
        for event_id, at in await asyncio.gather(*tasks):
            accepted[event_id] = at
        await asyncio.wait_for(watcher.arrived.wait(), timeout=120)
    return [(watcher.first_seen[e] - accepted[e]) * 1000 for e in accepted]


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
    print(f"warm-up: {await throughput(stack.endpoints.intake_url, token, watcher, 200, concurrency)}")
    result = await throughput(stack.endpoints.intake_url, token, watcher, count, concurrency)
    latencies = await paced_latency(stack.endpoints.intake_url, token, watcher, rate, seconds)
    await nc.close()
    baseline = await jetstream_baseline(stack.endpoints.nats_url, 20000)
    print()
    print(f"end-to-end ({count} reports, {concurrency} concurrent clients)")
    print(f"  accepted by intake          {result['accepted_per_s']:10.1f} reports/s")
    print(f"  first KPI event for all     {result['end_to_end_per_s']:10.1f} reports/s")
    print(
        f"accept → KPI event at a paced {rate:.0f} reports/s for {seconds:.0f} s ({len(latencies)} reports)"
    )
    print(
        f"  p50 {_pct(latencies, 0.50):8.1f} ms   p99 {_pct(latencies, 0.99):8.1f} ms   "
        f"max {max(latencies):8.1f} ms   mean {statistics.fmean(latencies):8.1f} ms"
    )
    print("baseline: raw JetStream async publish (600-byte messages, 20000)")
    print(f"  {baseline:10.1f} msgs/s; end-to-end is {result['end_to_end_per_s'] / baseline:.4f} of it")


def run(count: int = 2000, concurrency: int = 32, rate: float = 100.0, seconds: float = 10.0) -> None:
    with tempfile.TemporaryDirectory(prefix="bdhvs-bench-") as directory:
        ports = {"intake": free_port(), "kpi": free_port(), "notifier": free_port()}
        stack = Stack(Path(directory), ports=ports, extra_env={"LOG_LEVEL": "WARNING"})
        stack.start()
        try:
            asyncio.run(measure(stack, count, concurrency, rate, seconds))
        finally:
            stack.stop()
