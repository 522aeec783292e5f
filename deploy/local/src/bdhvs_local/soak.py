"""`make soak`: a steady open-loop load of reports (100/s for 10 minutes) on a stack of its own.

Each report is sent at its moment whatever the others are doing, with an Idempotency-Key, as a
careful client does: a 503 (documented: intake sheds writes it has no room for) is retried after
its Retry-After, a timeout is counted and retried under the same key. Each report revises its
unit's latest month with new figures, so each must cause a KPI event (watched by correlation id).
Printed: per-minute accept latency percentiles; each service's RSS before the first report (cold),
at the end of each minute and after the drain; its growth from the end of the first minute (the
warm-up: the first burst sizes intake's malloc heap, which glibc keeps, docs/chaos.md) and from cold;
and `soak: R reports/s for S s, E 5xx, T timeouts, p99 first minute X ms, last minute Y ms, RSS growth
G%`, G the largest growth from the warm-up (from cold when the soak is too short for one).
Reuses the bench's stack, watcher and process readings (bdhvs_local.bench)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import nats

from bdhvs_local.bench.load import KpiWatcher
from bdhvs_local.bench.resources import Processes

IN_FLIGHT = 256
WARM_UP_MINUTES = 1  # the RSS growth is measured from the end of this minute of the load (docs/chaos.md)
GRACE = 60.0  # seconds after the window for reports still waiting for a slot; the rest are not sent
PERIOD = "2027-12"  # the last month before the bench's clock (January 2028): each report revises it


@dataclass
class Soak:
    rate: float
    seconds: float
    sent: int = 0
    accepted: int = 0
    not_sent: int = 0  # still waiting for a slot when the window and its grace had passed
    statuses: Counter[int] = field(default_factory=Counter)
    retried_503: int = 0
    timeouts: int = 0
    by_minute: dict[int, list[float]] = field(default_factory=dict)  # accept latency, ms
    event_ids: set[str] = field(default_factory=set)
    events_seen: int = 0
    rss_mb: dict[str, dict[str, float]] = field(default_factory=dict)  # start/end → service → MB
    rss_by_minute: dict[int, dict[str, float]] = field(default_factory=dict)  # at the end of minute m+1
    origin: float = 0.0  # perf_counter at the first report
    elapsed: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))] if ordered else 0.0


def body(unit: str, serial: int) -> dict[str, Any]:
    n = 1000 + serial % 8000
    values = {"c": {"numerator": n, "denominator": 10000}, "d": {"numerator": n, "denominator": 10000}}
    return {"unit_code": unit, "form": "monthly", "period": PERIOD, "values": values, "confirm": True}


async def _post(
    client: httpx.AsyncClient, url: str, token: str, report: dict[str, Any], soak: Soak, due: float
) -> None:
    started = due  # latency counts from the moment the report was due, a wait for a slot included
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    for _ in range(100):
        try:
            reply = await client.post(url, json=report, headers=headers)
        except httpx.TimeoutException:
            soak.timeouts += 1
            continue
        except httpx.TransportError:
            await asyncio.sleep(1.0)
            continue
        if reply.status_code == 503:
            soak.retried_503 += 1
            await asyncio.sleep(float(reply.headers.get("Retry-After", "1")))
            continue
        soak.statuses[reply.status_code] += 1
        if reply.status_code == 201:
            soak.accepted += 1
            soak.event_ids.add(reply.json()["event_id"])
            minute = int((started - soak.origin) // 60)
            soak.by_minute.setdefault(minute, []).append((time.perf_counter() - started) * 1000)
        return


async def load(intake: str, token: str, units: list[str], soak: Soak, timeout: float = 30.0) -> None:
    """Open loop: report i leaves at start + i / rate, however long the others take."""
    # At most IN_FLIGHT requests: a pipeline slower than the rate makes reports wait for a slot,
    # and their latency (from the moment each was due) shows it; unbounded, thousands of sockets
    # made the load generator itself the bottleneck at 100/s on a busy machine. The bound is ours,
    # not the connection pool's: with httpx's pool full (max_connections) and requests queued on it,
    # a 10-minute soak hung with 249 of 60,000 reports answered and its sockets in CLOSE-WAIT
    # (httpcore 1.0.9 hands a queued request a connection another one is still using, as in
    # encode/httpcore#822), so the pool is never asked for more connections than it may open.
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=IN_FLIGHT)
    slots = asyncio.Semaphore(IN_FLIGHT)
    url = f"{intake}/api/v1/reports"

    async def one(report: dict[str, Any], due: float) -> None:
        async with slots:
            # Bounded in time: an intake slower than the rate would otherwise keep the soak going
            # for as long as the backlog takes (60,000 reports at the 13/s reached at load ~20).
            if time.perf_counter() > soak.origin + soak.seconds + GRACE:
                soak.not_sent += 1
                return
            await _post(client, url, token, report, soak, due)

    async with httpx.AsyncClient(timeout=httpx.Timeout(timeout), limits=limits) as client:
        start = time.perf_counter()
        soak.origin = start
        tasks = []
        total = int(soak.rate * soak.seconds)
        for i in range(total):
            due = start + i / soak.rate
            if (delay := due - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(body(units[i % len(units)], i), due)))
            soak.sent += 1
        await asyncio.gather(*tasks)
        soak.elapsed = time.perf_counter() - start


async def read_rss_each_minute(soak: Soak, processes: Processes) -> None:
    """Each service's RSS at the end of each minute of the load (from its first report) until cancelled."""
    minute = 0
    while True:
        await asyncio.sleep(max(0.0, soak.origin + (minute + 1) * 60 - time.perf_counter()))
        soak.rss_by_minute[minute] = processes.resident_mb()
        minute += 1


async def run_soak(
    intake: str, nats_url: str, token: str, units: list[str], soak: Soak, processes: Processes | None
) -> Soak:
    watcher = KpiWatcher()
    nc = await nats.connect(nats_url)
    reader = None
    try:
        await nc.subscribe("bdhvs.kpi.attainment.>", cb=watcher.on_message)
        soak.rss_mb["start"] = processes.resident_mb() if processes else {}
        soak.origin = time.perf_counter()
        reader = asyncio.create_task(read_rss_each_minute(soak, processes)) if processes else None
        await load(intake, token, units, soak)
        watcher.expect(set(soak.event_ids))
        with contextlib.suppress(TimeoutError):  # the pipeline drains what the load left queued
            await asyncio.wait_for(watcher.arrived.wait(), timeout=max(120.0, soak.seconds))
        soak.events_seen = len(soak.event_ids & watcher.first_seen.keys())
        soak.rss_mb["end"] = processes.resident_mb() if processes else {}
    finally:
        if reader is not None:
            reader.cancel()
        await nc.close()
    return soak


def warm(soak: Soak) -> tuple[str, dict[str, float]]:
    """The baseline of the RSS growth, named: each service at the end of the warm-up (WARM_UP_MINUTES
    of the load), or before the first report when the soak is too short to have a minute after it."""
    if soak.seconds >= (WARM_UP_MINUTES + 1) * 60 and WARM_UP_MINUTES - 1 in soak.rss_by_minute:
        return f"the end of minute {WARM_UP_MINUTES} (warm-up)", soak.rss_by_minute[WARM_UP_MINUTES - 1]
    return "the start (too short a soak for a warm-up)", soak.rss_mb.get("start", {})


def _growth(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {n: (after[n] / before[n] - 1) * 100 for n in sorted(before) if n in after and before[n] > 0}


def rss_growth(soak: Soak) -> dict[str, float]:
    """Each service's RSS growth in %, from the end of the warm-up to the end (after the drain)."""
    return _growth(warm(soak)[1], soak.rss_mb.get("end", {}))


def rss_lines(soak: Soak) -> list[str]:
    """Each service's RSS before the first report (start: cold), at the end of each minute (`m:`, the
    drain's minutes included) and after the drain (end); then its growth from the end of the warm-up
    and from cold: both figures are printed, whichever the last line uses."""
    start, end = soak.rss_mb.get("start", {}), soak.rss_mb.get("end", {})
    out = []
    for name in sorted(start.keys() | end.keys()):
        readings = [("start", start.get(name))]
        readings += [(f"{m + 1}:", r.get(name)) for m, r in sorted(soak.rss_by_minute.items())]
        readings.append(("end", end.get(name)))
        each = " | ".join(f"{label} {mb:.0f}" for label, mb in readings if mb is not None)
        out.append(f"soak: RSS {name} MB: {each}")
    since = warm(soak)[0]
    warmed, cold = rss_growth(soak), _growth(start, end)
    for name in sorted(cold.keys() | warmed.keys()):
        out.append(
            f"soak: RSS growth {name}: from {since} {warmed.get(name, 0.0):+.1f}%,"
            f" from cold (before the first report) {cold.get(name, 0.0):+.1f}%"
        )
    return out


def lines(soak: Soak) -> list[str]:
    out = []
    for minute, latencies in sorted(soak.by_minute.items()):
        p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
        out.append(
            f"soak: minute {minute + 1}: {len(latencies)} accepted, p50 {p50:.0f} ms, p95 {p95:.0f} ms,"
            f" p99 {p99:.0f} ms"
        )
    out.extend(rss_lines(soak))
    growth = max(rss_growth(soak).values(), default=0.0)
    achieved = soak.accepted / soak.elapsed if soak.elapsed else 0.0
    minutes = sorted(soak.by_minute)
    first = percentile(soak.by_minute[minutes[0]], 99) if minutes else 0.0
    last = percentile(soak.by_minute[minutes[-1]], 99) if minutes else 0.0
    out.append(
        f"soak: {soak.sent} sent at {soak.rate:g}/s, {soak.accepted} accepted, statuses"
        f" {dict(sorted(soak.statuses.items()))}, {soak.retried_503} documented 503s retried,"
        f" KPI events seen {soak.events_seen} of {len(soak.event_ids)}, not sent (intake behind by"
        f" more than {GRACE:g} s) {soak.not_sent}"
    )
    if achieved < soak.rate * 0.95:
        out.append(f"soak: intake did not sustain {soak.rate:g} reports/s: {achieved:.1f} reports/s achieved")
    out.append(
        f"soak: {achieved:.1f} reports/s for {soak.elapsed:.0f} s, {soak.server_errors} 5xx,"
        f" {soak.timeouts} timeouts, p99 first minute {first:.0f} ms, last minute {last:.0f} ms,"
        f" RSS growth {growth:.1f}%"
    )
    return out


def run(rate: float, seconds: float) -> int:
    """The soak on a fresh stack of its own (the bench's: January 2028); 1 on a 5xx or a lost event."""
    import shutil
    import signal
    import sys
    from pathlib import Path

    from bdhvs_local.bench.bodies import CLOCK_START, units
    from bdhvs_local.bench.runner import processes_of
    from bdhvs_local.ports import free_port
    from bdhvs_local.stack import Stack

    directory = Path(".run/soak").resolve()
    shutil.rmtree(directory, ignore_errors=True)
    ports = {name: free_port() for name in ("intake", "kpi", "notifier")}
    extra = {"LOG_LEVEL": "WARNING", "BDHVS_CLOCK_START": CLOCK_START}
    stack = Stack(directory, ports=ports, extra_env=extra)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        endpoints = stack.start()
        token = stack.demo_tokens()["operator"]
        soak = Soak(rate, seconds)
        print(f"soak: {rate:g} reports/s for {seconds:g} s on {endpoints.intake_url}", flush=True)
        asyncio.run(
            run_soak(endpoints.intake_url, endpoints.nats_url, token, units(), soak, processes_of(stack))
        )
    finally:
        stack.stop()
    print("\n".join(lines(soak)), flush=True)
    return 0 if soak.server_errors == 0 and soak.events_seen == len(soak.event_ids) else 1
