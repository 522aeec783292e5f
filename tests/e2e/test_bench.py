"""`make bench`'s measuring functions on tiny sizes: they run and count what they should.

A benchmark's figures depend on the machine, so nothing here is timed; the test proves
that one bench run can work end to end (pipeline, baselines, synthetic events, rebuild).
"""

from __future__ import annotations

import asyncpg
import nats
import pytest

from bdhvs_local.bench import CLOCK_START, Sizes, pipeline, report, units
from bdhvs_local.bench import baselines as bench_baselines
from bdhvs_local.bench import rebuild as bench_rebuild
from bdhvs_local.bench.resources import Processes
from support.processes import RunningSystem

SIZES = Sizes(
    reports=6, concurrency=3, warmup=2, rate=20.0, seconds=0.25, baseline_messages=50, baseline_rows=20
)


@pytest.fixture
def system_env(system_env: dict[str, str]) -> dict[str, str]:
    """As the bench runs its stack: in January 2028, when every month it reports (up to 2027) is past."""
    return {**system_env, "BDHVS_CLOCK_START": CLOCK_START}


async def test_the_bench_measures_the_pipeline_the_baselines_and_a_rebuild(
    system: RunningSystem, clean_nats: str, db: asyncpg.Connection
) -> None:
    token = system.cli("intake", "token", "create", "--role", "operator", "--label", "bench")
    services = {name: s.process.pid for name, s in system.services.items() if s.process is not None}
    processes = Processes.of(services, {})
    measured = await pipeline(system.url("intake"), clean_nats, token, SIZES, processes)
    assert measured.accepted_per_s > 0 and measured.end_to_end_per_s > 0
    # Each run's CPU per report for every service and the load generator; memory at three moments.
    assert [c.run for c in measured.cpu] == ["throughput", "paced 20/s"]
    for run in measured.cpu:
        assert set(run.ms_per_report) == {"intake", "kpi", "notifier", "load generator"}
        assert run.ms_per_report["intake"] > 0 and run.ms_per_report["kpi"] > 0
    assert list(measured.memory_mb) == ["idle", "after the throughput run", "end"]
    assert all(0 < mb < 1000 for readings in measured.memory_mb.values() for mb in readings.values())
    assert measured.paced == 5 and len(measured.latencies_ms) == 5  # each with its first KPI event
    assert all(ms > 0 for ms in measured.latencies_ms)

    for name in ("kpi", "notifier"):  # as the bench does: the rebuild runs with kpi stopped
        system.services[name].stop()
    baselines = await bench_baselines.measure(clean_nats, system.env["DATABASE_URL"], 50, 20)
    assert min(vars(baselines).values()) > 0
    assert not await db.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = 'bench_baseline'")

    rebuilt = await bench_rebuild.measure(clean_nats, system.env, 120, units()[:3], 50)
    assert rebuilt.published == 120
    assert rebuilt.stored == 120 + 2 + 6 + 5  # the synthetic reports and the pipeline's
    # 3 units × 24 months: the 120 revisions fold into 72 reports of two indicators each.
    assert await db.fetchval("SELECT count(*) FROM kpi.observations WHERE form = 'monthly'") >= 72 * 2
    processed = await db.fetchval("SELECT count(*) FROM kpi.processed_events WHERE consumer = 'kpi-reports'")
    assert processed == rebuilt.stored
    async with await nats.connect(clean_nats) as nc:
        assert (await nc.jetstream().stream_info("REPORTS")).state.messages == rebuilt.stored
    printed = report(measured, baselines, rebuilt)
    assert "rebuild" in printed and "CPU per report" in printed and "resident memory" in printed
