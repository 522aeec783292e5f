"""`make bench`: throughput and latency of the running pipeline, rebuild throughput, and the raw
JetStream and PostgreSQL baselines, all measured in one run on a stack of its own.

It starts its own stack (embedded servers in `.run/bench`, services on free ports),
so the figures do not depend on what else runs. It prints figures; it asserts
nothing (tests/e2e/test_bench.py runs the same functions on tiny sizes).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import shutil
import signal
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats

from bdhvs_local import bench_baselines, bench_rebuild
from bdhvs_local.bench_baselines import Baselines
from bdhvs_local.bench_rebuild import RebuildFigures
from bdhvs_local.ports import free_port
from bdhvs_local.stack import Stack

# The bench's reports cover every month of 2025-2027 (Bodies, bench_rebuild): intake refuses a period
# whose as-of day is still ahead and kpi dead-letters one, so its stack runs as if it were January 2028.
CLOCK_START = "2028-01-10T09:00:00+07:00"


def units() -> list[str]:
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
        self._pairs = itertools.cycle(itertools.product(periods, units()))
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
    """POST as a careful client does: a dropped connection is retried under the same Idempotency-Key,
    and a 503 (intake sheds load when it cannot take more) after its Retry-After."""
    headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    attempt = 0
    while True:
        attempt += 1
        try:
            reply = await client.post(url, json=body, headers=headers)
        except httpx.TransportError:
            if attempt >= 3:
                raise
            RETRIES["count"] += 1
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


@dataclass(frozen=True)
class Sizes:
    reports: int = 1000  # throughput run
    concurrency: int = 32
    warmup: int = 200
    rate: float = 100.0  # latency run, reports per second
    seconds: float = 10.0
    rebuild_reports: int = 100_000  # synthetic events published before timing `kpi rebuild` (0: skip)
    rebuild_batch: int = 5000
    baseline_messages: int = 20_000
    baseline_rows: int = 2000


@dataclass(frozen=True)
class Pipeline:
    reports: int
    concurrency: int
    accepted_per_s: float
    end_to_end_per_s: float
    rate: float
    latencies_ms: list[float]
    paced: int  # reports sent in the latency run (those without a KPI event have no latency)
    retries: int


async def pipeline(intake: str, nats_url: str, token: str, sizes: Sizes) -> Pipeline:
    """Throughput (after a warm-up), then accept → first KPI event latency at a paced rate."""
    watcher = KpiWatcher()
    nc = await nats.connect(nats_url)
    try:
        await nc.subscribe("bdhvs.kpi.attainment.>", cb=watcher.on_message)
        js = nc.jetstream()
        bodies = Bodies(2026)
        if sizes.warmup:
            await throughput(intake, token, js, bodies.take(sizes.warmup), sizes.concurrency)
        result = await throughput(intake, token, js, bodies.take(sizes.reports), sizes.concurrency)
        paced = Bodies(2027).take(max(1, int(sizes.rate * sizes.seconds)))
        latencies = await paced_latency(intake, token, watcher, paced, sizes.rate)
    finally:
        await nc.close()
    return Pipeline(
        sizes.reports,
        sizes.concurrency,
        result["accepted_per_s"],
        result["end_to_end_per_s"],
        sizes.rate,
        latencies,
        len(paced),
        RETRIES["count"],
    )


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(p: Pipeline, b: Baselines, r: RebuildFigures | None) -> str:
    lat = p.latencies_ms
    lines = [
        f"end to end ({p.reports} reports, {p.concurrency} concurrent clients)",
        f"  accepted by intake              {p.accepted_per_s:10.1f} reports/s",
        f"  applied by kpi (end to end)     {p.end_to_end_per_s:10.1f} reports/s",
        f"accept → first KPI event at a paced {p.rate:.0f} reports/s ({p.paced} reports, "
        f"{p.paced - len(lat)} without a KPI event)",
        f"  p50 {_pct(lat, 0.50):8.1f} ms   p99 {_pct(lat, 0.99):8.1f} ms   "
        f"max {max(lat):8.1f} ms   mean {statistics.fmean(lat):8.1f} ms",
        f"  requests retried under the same Idempotency-Key (dropped connection, 503): {p.retries}",
    ]
    if r is not None:
        lines += [
            f"rebuild: `kpi rebuild` over {r.stored} stored reports ({r.published} synthetic, "
            f"published at {r.publish_per_s:.0f}/s)",
            f"  {r.seconds:8.1f} s   {r.reports_per_s:10.1f} reports/s",
        ]
    lines += [
        "baselines (same servers, same run)",
        f"  JetStream async publish, 600 B            {b.jetstream_msgs_per_s:10.1f} msgs/s",
        f"  PostgreSQL single-row INSERT commits      {b.pg_commits_per_s_1conn:10.1f} /s (1 connection)",
        f"  PostgreSQL single-row INSERT commits      {b.pg_commits_per_s_concurrent:10.1f} /s "
        f"({b.connections} connections)",
        f"  PostgreSQL executemany INSERT             {b.pg_executemany_rows_per_s:10.1f} rows/s",
        f"  PostgreSQL COPY                           {b.pg_copy_rows_per_s:10.1f} rows/s",
        "ratios",
        f"  end to end / JetStream publish            {_ratio(p.end_to_end_per_s, b.jetstream_msgs_per_s)}",
        f"  end to end / PostgreSQL commits ({b.connections} conn.)  "
        f"{_ratio(p.end_to_end_per_s, b.pg_commits_per_s_concurrent)}",
        f"  accepted / PostgreSQL commits ({b.connections} conn.)    "
        f"{_ratio(p.accepted_per_s, b.pg_commits_per_s_concurrent)}",
    ]
    if r is not None:
        lines += [
            f"  rebuild / JetStream publish               {_ratio(r.reports_per_s, b.jetstream_msgs_per_s)}",
            f"  rebuild / PostgreSQL COPY                 {_ratio(r.reports_per_s, b.pg_copy_rows_per_s)}",
        ]
    return "\n".join(lines)


def _ratio(figure: float, baseline: float) -> str:
    return f"{figure / baseline:.4f}" if baseline else "n/a"


async def measure(stack: Stack, sizes: Sizes) -> str:
    assert stack.endpoints is not None
    endpoints = stack.endpoints
    token = stack.demo_tokens()["operator"]
    p = await pipeline(endpoints.intake_url, endpoints.nats_url, token, sizes)
    print(f"pipeline done: {p.end_to_end_per_s:.1f} reports/s end to end", flush=True)
    # The rebuild runs with kpi stopped, as the runbook says; the notifier also reads REPORTS.
    for name in ("kpi", "notifier"):
        stack.services[name].stop()
    b = await bench_baselines.measure(
        endpoints.nats_url, endpoints.database_url, sizes.baseline_messages, sizes.baseline_rows
    )
    r = None
    if sizes.rebuild_reports:
        env = stack.services["kpi"].env
        r = await bench_rebuild.measure(
            endpoints.nats_url, env, sizes.rebuild_reports, units(), sizes.rebuild_batch
        )
    return report(p, b, r)


def run(sizes: Sizes) -> None:
    # A fresh directory each run, kept afterwards so the services' logs can be read.
    directory = Path(".run/bench").resolve()
    shutil.rmtree(directory, ignore_errors=True)
    ports = {"intake": free_port(), "kpi": free_port(), "notifier": free_port()}
    stack = Stack(
        directory, ports=ports, extra_env={"LOG_LEVEL": "WARNING", "BDHVS_CLOCK_START": CLOCK_START}
    )
    # SIGTERM (a timeout, a CI kill) must still stop the servers this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        stack.start()
        print()
        print(asyncio.run(measure(stack, sizes)))
    finally:
        stack.stop()
