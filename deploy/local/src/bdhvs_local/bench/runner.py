"""A bench run: a fresh stack of its own (`--units`: the country's catalogue published on it), the
pipeline runs, then (kpi and the notifier stopped) the baselines and the rebuild; the report printed
at the end. `--kpi-replicas` runs only the throughput run, once per count of kpi processes."""

from __future__ import annotations

import asyncio
import shutil
import signal
import sys
from pathlib import Path

from bdhvs_local.bench import baselines, country, rebuild, replicas
from bdhvs_local.bench.bodies import CLOCK_START, units
from bdhvs_local.bench.pipeline import Sizes, pipeline
from bdhvs_local.bench.profiles import Profiler
from bdhvs_local.bench.report import replicas_report, report
from bdhvs_local.bench.resources import processes_of
from bdhvs_local.ports import free_port
from bdhvs_local.stack import Stack

__all__ = ["measure", "processes_of", "run"]


async def measure(stack: Stack, sizes: Sizes, profile_dir: Path | None = None) -> str:
    assert stack.endpoints is not None
    endpoints = stack.endpoints
    token = stack.demo_tokens()["operator"]
    processes = processes_of(stack)
    print("processes: " + ", ".join(f"{w.name} {w.pid}" for w in processes.watched), flush=True)
    profiler = Profiler(profile_dir, {w.name: w.pid for w in processes.watched if w.service})
    p = await pipeline(endpoints.intake_url, endpoints.nats_url, token, sizes, processes, profiler)
    print(f"pipeline done: {p.end_to_end_per_s:.1f} reports/s end to end", flush=True)
    # The rebuild runs with kpi stopped, as the runbook says; the notifier also reads REPORTS.
    for name in ("kpi", "notifier"):
        stack.services[name].stop()
    b = await baselines.measure(
        endpoints.nats_url, endpoints.database_url, sizes.baseline_messages, sizes.baseline_rows
    )
    r = None
    if sizes.rebuild_reports:
        env = stack.services["kpi"].env
        codes = country.unit_codes(sizes.units) if sizes.units else units()
        r = await rebuild.measure(endpoints.nats_url, env, sizes.rebuild_reports, codes, sizes.rebuild_batch)
    return report(p, b, r)


def run(sizes: Sizes, profile_dir: Path | None = None, kpi_replicas: list[int] | None = None) -> None:
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
        endpoints = stack.start()
        if sizes.units:
            country.publish(stack, sizes.units)
        print()
        if kpi_replicas:
            codes = country.unit_codes(sizes.units) if sizes.units else None
            token = stack.demo_tokens()["operator"]
            runs = asyncio.run(
                replicas.measure(
                    stack.services, stack.servers, endpoints.nats_url, token, sizes, kpi_replicas, codes
                )
            )
            print(replicas_report(runs, sizes))
        else:
            print(asyncio.run(measure(stack, sizes, profile_dir)))
    finally:
        stack.stop()
