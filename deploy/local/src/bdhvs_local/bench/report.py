"""The text `make bench` prints: each figure beside its baseline and the ratio."""

from __future__ import annotations

import statistics

from bdhvs_local.bench import group_counts
from bdhvs_local.bench.baselines import Baselines
from bdhvs_local.bench.pipeline import COUNTRY_MONTH, COUNTRY_SECONDS, Pipeline, Sizes
from bdhvs_local.bench.rebuild import RebuildFigures
from bdhvs_local.bench.replicas import ReplicaRun


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ratio(figure: float, baseline: float) -> str:
    return f"{figure / baseline:.4f}" if baseline else "n/a"


def report(p: Pipeline, b: Baselines, r: RebuildFigures | None) -> str:
    lines = [*_pipeline(p), *_resources(p)]
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


def _pipeline(p: Pipeline) -> list[str]:
    lat = p.latencies_ms or [float("nan")]
    return [
        *_country(p),
        f"end to end ({p.reports} reports, {p.concurrency} concurrent clients)",
        f"  accepted by intake              {p.accepted_per_s:10.1f} reports/s",
        f"  applied by kpi (end to end)     {p.end_to_end_per_s:10.1f} reports/s",
        "  " + group_counts.line(p.group_commit, p.reports),
        f"accept → first KPI event at a paced {p.rate:.0f} reports/s ({p.paced} reports, "
        f"{p.paced - len(p.latencies_ms)} without a KPI event)",
        f"  p50 {_pct(lat, 0.50):8.1f} ms   p99 {_pct(lat, 0.99):8.1f} ms   "
        f"max {max(lat):8.1f} ms   mean {statistics.fmean(lat):8.1f} ms",
        f"  requests retried under the same Idempotency-Key: {p.retries} "
        f"({p.retries - p.dropped} after a 503, {p.dropped} after a dropped connection)",
    ]


def _country(p: Pipeline) -> list[str]:
    if not p.units:
        return []
    within = "yes" if p.seconds <= COUNTRY_SECONDS else "no"
    return [
        f"the country: {p.units} units, one monthly report each ({COUNTRY_MONTH}), as the throughput run",
        f"  every unit's monthly report within {COUNTRY_SECONDS:.0f} s: {within} ({p.seconds:.1f} s, "
        "first request to kpi applying the last)",
    ]


def replicas_report(runs: list[ReplicaRun], sizes: Sizes) -> str:
    """`--kpi-replicas`: throughput and CPU ms per report of each kpi process, per count of them."""
    catalogue = f"{sizes.units} units" if sizes.units else "the packaged catalogue"
    lines = [
        f"kpi processes on one durable consumer (kpi-reports): a throughput run of {sizes.reports} "
        f"reports, {sizes.concurrency} concurrent clients, {catalogue}, after {sizes.warmup} warm-up each",
        f"  {'kpi':>3} {'accepted/s':>11} {'end to end/s':>13} {'kpi summed':>11} {'all':>8} "
        f"{'busy':>6}  kpi ms/report of each process",
    ]
    for r in runs:
        each = "  ".join(f"{name} {ms:.2f}" for name, ms in r.kpi_ms.items())
        lines.append(
            f"  {r.replicas:>3} {r.accepted_per_s:11.1f} {r.end_to_end_per_s:13.1f} "
            f"{sum(r.kpi_ms.values()):11.2f} {r.cpu.total:8.2f} {r.cpu.machine_busy:6.2f}  {each}"
        )
    lines.append(
        "  (CPU ms per report, read until every consumer was idle; `all`: every process of the stack and "
        "the load generator; `busy`: the machine's busy cores, others' work included)"
    )
    for r in runs:
        cells = ", ".join(f"{name} {ms:.2f}" for name, ms in r.cpu.ms_per_report.items())
        lines.append(f"  {r.replicas} kpi: {cells}")
    return "\n".join(lines)


def _resources(p: Pipeline) -> list[str]:
    """CPU ms per report of each process in each run (until every consumer was idle again), and
    each service's resident memory."""
    if not p.cpu:
        return []
    names = list(p.cpu[0].ms_per_report)
    lines = ["CPU per report (ms; each run read until every consumer was idle again)"]
    lines.append("  " + f"{'process':<16}" + "".join(f"{c.run:>16}" for c in p.cpu))
    for name in names:
        cells = "".join(f"{c.ms_per_report.get(name, float('nan')):16.2f}" for c in p.cpu)
        lines.append(f"  {name:<16}{cells}")
    lines.append(f"  {'all together':<16}" + "".join(f"{c.total:16.2f}" for c in p.cpu))
    lines.append(f"  {'run (s)':<16}" + "".join(f"{c.seconds:16.1f}" for c in p.cpu))
    lines.append(
        f"  {'machine busy':<16}"
        + "".join(f"{c.machine_busy:10.2f} cores" for c in p.cpu)
        + "  (every process on the machine, others' work included)"
    )
    if p.memory_mb:
        services = list(next(iter(p.memory_mb.values())))
        lines.append("resident memory (MB)")
        lines.append("  " + f"{'when':<26}" + "".join(f"{s:>10}" for s in services))
        for when, readings in p.memory_mb.items():
            cells = "".join(f"{readings.get(s, float('nan')):10.1f}" for s in services)
            lines.append(f"  {when:<26}{cells}")
    return lines
