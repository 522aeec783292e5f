"""`bench --kpi-replicas 1,2,3`: the throughput run with 1, 2, 3… kpi processes on the same durable
consumer (`kpi-reports`, as `tests/integration/test_kpi_replicas.py` runs two), each run's
throughput and the CPU per report of each kpi process and of them all.

The extra processes are started like the stack's own kpi (same environment, a port and a log of
their own: `logs/kpi-2.log`…) and named `kpi 2`, `kpi 3` in the figures; they are stopped with the
stack. Only the throughput run is repeated (after a warm-up each time, so a new process is warm);
the paced run, the baselines and the rebuild are not part of this mode.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import nats

from bdhvs_local.bench.bodies import Bodies
from bdhvs_local.bench.load import settled, throughput
from bdhvs_local.bench.pipeline import Sizes, measured_run
from bdhvs_local.bench.resources import CpuSpent, Processes
from bdhvs_local.ports import free_port
from bdhvs_local.services import ServiceProcess


@dataclass(frozen=True)
class ReplicaRun:
    replicas: int
    reports: int
    accepted_per_s: float
    end_to_end_per_s: float
    cpu: CpuSpent

    @property
    def kpi_ms(self) -> dict[str, float]:
        """CPU ms per report of each kpi process (`kpi`, `kpi 2`, …)."""
        return {n: ms for n, ms in self.cpu.ms_per_report.items() if n == "kpi" or n.startswith("kpi ")}


def scale_kpi(services: dict[str, ServiceProcess], count: int) -> None:
    """Start or stop kpi processes (`services` holds them) until `count` of them consume `kpi-reports`."""
    first = services["kpi"]
    for i in range(2, max(count, _kpi_count(services)) + 1):
        name = f"kpi {i}"
        if i > count and name in services:
            services.pop(name).stop()
        elif i <= count and name not in services:
            log = first.log_path.with_name(f"kpi-{i}.log")
            services[name] = ServiceProcess("kpi", free_port(), first.env, log, first.host).start()
            services[name].wait_ready()


def _kpi_count(services: dict[str, ServiceProcess]) -> int:
    return sum(1 for name in services if name == "kpi" or name.startswith("kpi "))


async def measure(
    services: dict[str, ServiceProcess],
    servers: dict[str, int],
    nats_url: str,
    token: str,
    sizes: Sizes,
    counts: list[int],
    codes: list[str] | None = None,
) -> list[ReplicaRun]:
    """One throughput run per count of kpi processes, in the order given; `services` are the running
    services by name (the extra kpi processes are added to it), `servers` the servers' process ids."""
    bodies = Bodies(2026, codes)  # one sequence: each run sends reports no other run sent
    runs = []
    for count in counts:
        await asyncio.to_thread(scale_kpi, services, count)  # waits for a new process to be ready
        pids = {name: s.process.pid for name, s in services.items() if s.process is not None}
        processes = Processes.of(pids, servers)
        sent, accepted, end_to_end, cpu = await _run(
            services["intake"].url, nats_url, token, sizes, bodies, processes
        )
        runs.append(ReplicaRun(count, sent, accepted, end_to_end, cpu))
        print(f"{count} kpi process(es): {end_to_end:.1f} reports/s end to end", flush=True)
    return runs


async def _run(
    intake: str, nats_url: str, token: str, sizes: Sizes, bodies: Bodies, processes: Processes
) -> tuple[int, float, float, CpuSpent]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        if sizes.warmup:
            await throughput(intake, token, js, bodies.take(sizes.warmup), sizes.concurrency)
            await settled(js)
        sent = bodies.take(sizes.reports)
        result, spent = await measured_run(intake, token, js, sent, sizes.concurrency, processes)
    finally:
        await nc.close()
    return len(sent), result["accepted_per_s"], result["end_to_end_per_s"], spent
