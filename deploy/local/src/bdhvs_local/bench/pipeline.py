"""The pipeline runs: throughput after a warm-up, then accept → first KPI event latency at a paced
rate; with the CPU each process spent on each run and each service's memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import nats

from bdhvs_local.bench import country, group_counts
from bdhvs_local.bench.bodies import Bodies
from bdhvs_local.bench.group_counts import GroupCounts
from bdhvs_local.bench.load import RETRIES, KpiWatcher, paced_latency, settled, throughput
from bdhvs_local.bench.profiles import Profiler
from bdhvs_local.bench.resources import CpuSpent, CpuWatch, Processes


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
    units: int = 0  # 0: the packaged catalogue; N: the country's N units, one report each (`--units`)


# `bench --units`: every unit reports this month (the warm-up reports January of the same year, the
# paced run 2027, so each of its reports still moves a unit's latest observation).
COUNTRY_MONTH = "2026-12"
COUNTRY_SECONDS = 60.0  # the goal: every unit's monthly report applied within a minute


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
    dropped: int  # of the retries, those after a dropped connection (the others after a 503)
    cpu: list[CpuSpent] = field(default_factory=list)  # per run: CPU ms per report of each process
    memory_mb: dict[str, dict[str, float]] = field(default_factory=dict)  # when → service → MB
    units: int = 0  # `--units`: the throughput run was one report per unit of COUNTRY_MONTH
    seconds: float = 0.0  # the throughput run, first request → kpi applied the last report
    group_commit: GroupCounts = field(default_factory=GroupCounts)  # intake's, in the throughput run


async def pipeline(
    intake: str,
    nats_url: str,
    token: str,
    sizes: Sizes,
    processes: Processes | None = None,
    profiler: Profiler | None = None,
) -> Pipeline:
    """Throughput (after a warm-up), then accept → first KPI event latency at a paced rate.

    Each run's CPU is read from before it starts until every consumer has finished its work;
    `profiler` samples the services during the throughput run."""
    watcher = KpiWatcher()
    codes = country.unit_codes(sizes.units) if sizes.units else None
    memory: dict[str, dict[str, float]] = {}
    _memory(processes, memory, "idle")
    nc = await nats.connect(nats_url)
    try:
        await nc.subscribe("bdhvs.kpi.attainment.>", cb=watcher.on_message)
        js = nc.jetstream()
        result, spent, groups = await _throughput_run(intake, token, js, sizes, processes, profiler, codes)
        _memory(processes, memory, "after the throughput run")
        paced = Bodies(2027, codes).take(max(1, int(sizes.rate * sizes.seconds)))
        cpu = CpuWatch(processes, f"paced {sizes.rate:g}/s", len(paced))
        cpu.start()
        latencies = await paced_latency(intake, token, watcher, paced, sizes.rate)
        await settled(js)
        spent.append(cpu.stop())
        _memory(processes, memory, "end")
    finally:
        await nc.close()
    return Pipeline(
        int(result["reports"]),
        sizes.concurrency,
        result["accepted_per_s"],
        result["end_to_end_per_s"],
        sizes.rate,
        latencies,
        len(paced),
        RETRIES["count"],
        RETRIES["dropped"],
        spent if processes else [],
        memory,
        sizes.units,
        result["seconds"],
        groups,
    )


async def _throughput_run(
    intake: str,
    token: str,
    js: Any,
    sizes: Sizes,
    processes: Processes | None,
    profiler: Profiler | None,
    codes: list[str] | None,
) -> tuple[dict[str, float], list[CpuSpent], GroupCounts]:
    """The warm-up, then the throughput run (`--units`: every unit's report of COUNTRY_MONTH), with
    intake's group commit during the run alone."""
    bodies = Bodies(2026, codes)
    if sizes.warmup:
        await throughput(intake, token, js, bodies.take(sizes.warmup), sizes.concurrency)
        await settled(js)
    sent = bodies.every_unit(codes, COUNTRY_MONTH) if codes else bodies.take(sizes.reports)
    before = await group_counts.read(intake)
    result, spent = await measured_run(intake, token, js, sent, sizes.concurrency, processes, profiler)
    return result, [spent], await group_counts.read(intake) - before


async def measured_run(
    intake: str,
    token: str,
    js: Any,
    sent: list[dict[str, Any]],
    concurrency: int,
    processes: Processes | None,
    profiler: Profiler | None = None,
) -> tuple[dict[str, float], CpuSpent]:
    """One throughput run with its CPU read until every consumer is idle (and the services profiled)."""
    profiler = profiler or Profiler(None, {})
    cpu = CpuWatch(processes, "throughput", len(sent))
    cpu.start()
    profiler.start()
    result = await throughput(intake, token, js, sent, concurrency)
    await settled(js)
    spent = cpu.stop()
    profiler.stop()
    return result, spent


def _memory(processes: Processes | None, memory: dict[str, dict[str, float]], when: str) -> None:
    if processes:
        memory[when] = processes.resident_mb()
