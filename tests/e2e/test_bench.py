"""`make bench`'s measuring functions on tiny sizes: they run and count what they should.

A benchmark's figures depend on the machine, so nothing here is timed; the test proves
that one bench run can work end to end (pipeline, baselines, synthetic events, rebuild).
"""

from __future__ import annotations

import asyncpg
import httpx
import nats
import pytest

from bdhvs_local.bench import CLOCK_START, Sizes, country, pipeline, report, units
from bdhvs_local.bench import baselines as bench_baselines
from bdhvs_local.bench import rebuild as bench_rebuild
from bdhvs_local.bench import replicas as bench_replicas
from bdhvs_local.bench.pipeline import COUNTRY_MONTH
from bdhvs_local.bench.report import replicas_report
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


@pytest.mark.timeout(600)  # three services, a catalogue of 150 units, 150 reports, a second kpi
async def test_the_country_and_kpi_replicas(
    system: RunningSystem, clean_nats: str, db: asyncpg.Connection
) -> None:
    """`bench --units` publishes a synthetic catalogue through intake and sends one monthly report per
    unit; `--kpi-replicas` runs the throughput run with 1, then 2 kpi processes on one consumer."""
    admin = system.cli("intake", "token", "create", "--role", "admin", "--label", "bench admin")
    token = system.cli("intake", "token", "create", "--role", "operator", "--label", "bench")
    codes = country.unit_codes(150)
    assert len(set(codes)) == 150 and codes == country.unit_codes(150)  # deterministic
    assert set(units()) < set(codes)  # the packaged province's units, then synthetic ones
    version = await country.publish_catalogue(system.url("intake"), clean_nats, admin, 150)
    for name in ("kpi", "notifier"):  # they read the published catalogue at start
        system.services[name].stop()
        system.restart(name)
    async with httpx.AsyncClient() as client:
        described = await client.get(
            f"{system.url('intake')}/api/v1/catalogue", headers={"Authorization": f"Bearer {token}"}
        )
    assert described.json()["version"] == version and described.json()["units"] == 150

    sizes = Sizes(reports=6, concurrency=8, warmup=2, rate=20.0, seconds=0.25, units=150)
    measured = await pipeline(system.url("intake"), clean_nats, token, sizes)
    assert measured.units == 150 and measured.reports == 150 and measured.seconds > 0
    reported = await db.fetch(
        "SELECT DISTINCT unit_code FROM kpi.observations WHERE form = 'monthly' AND period = $1",
        COUNTRY_MONTH,
    )
    assert {r["unit_code"] for r in reported} == set(codes)  # kpi applied every unit's report
    assert "every unit's monthly report within 60 s: " in report(
        measured, bench_baselines.Baselines(1.0, 1.0, 1.0, 1.0, 1.0, 8), None
    )

    runs = await bench_replicas.measure(
        system.services, {}, clean_nats, token, Sizes(reports=8, concurrency=4, warmup=2), [1, 2], codes
    )
    assert [r.replicas for r in runs] == [1, 2]
    assert list(runs[0].kpi_ms) == ["kpi"] and list(runs[1].kpi_ms) == ["kpi", "kpi 2"]
    assert all(r.reports == 8 and r.end_to_end_per_s > 0 for r in runs)
    assert sum(runs[1].kpi_ms.values()) > 0
    assert "kpi 2" in replicas_report(runs, Sizes(reports=8))
