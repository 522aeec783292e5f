"""`make bench`'s printed figures: CPU per report of each process per run, memory per service."""

from __future__ import annotations

import pytest

from bdhvs_local.bench.baselines import Baselines
from bdhvs_local.bench.pipeline import Pipeline
from bdhvs_local.bench.report import report
from bdhvs_local.bench.resources import CpuSpent, CpuWatch, Processes

BASELINES = Baselines(
    jetstream_msgs_per_s=1000.0,
    pg_commits_per_s_1conn=100.0,
    pg_commits_per_s_concurrent=400.0,
    connections=8,
    pg_executemany_rows_per_s=1000.0,
    pg_copy_rows_per_s=2000.0,
)


def test_the_report_prints_each_process_cpu_per_run_and_each_service_memory() -> None:
    cpu = [
        CpuSpent("throughput", 100, {"intake": 2.5, "PostgreSQL": 1.25}, 10.0, 1.5),
        CpuSpent("paced 100/s", 50, {"intake": 3.0, "PostgreSQL": 2.0}, 5.0, 0.5),
    ]
    memory = {"idle": {"intake": 90.0}, "end": {"intake": 101.5}}
    p = Pipeline(100, 4, 50.0, 49.0, 100.0, [5.0, 7.0], 2, 3, 1, cpu, memory)
    lines = report(p, BASELINES, None).splitlines()
    assert any(line.split() == ["intake", "2.50", "3.00"] for line in lines)
    assert any(line.split() == ["PostgreSQL", "1.25", "2.00"] for line in lines)
    assert any(line.split() == ["all", "together", "3.75", "5.00"] for line in lines)
    assert any(line.split() == ["idle", "90.0"] for line in lines)
    assert any(line.split() == ["end", "101.5"] for line in lines)
    assert any("3 (2 after a 503, 1 after a dropped connection)" in line for line in lines)


class _Readings(Processes):
    """Processes whose CPU readings are given, not read from the system."""

    def __init__(self, readings: dict[str, float]) -> None:
        super().__init__()
        self.readings = readings

    def cpu_seconds(self) -> dict[str, float]:
        return dict(self.readings)


def test_cpu_spent_is_each_process_since_the_reading_before_and_a_process_gone_is_left_out() -> None:
    processes = _Readings({"kpi": 10.0, "notifier": 4.0, "web": 1.0})
    before = processes.cpu_seconds()
    processes.readings = {"kpi": 12.5, "notifier": 4.0}  # web exited meanwhile
    assert processes.spent_since(before) == {"kpi": 2.5, "notifier": 0.0}
    watch = CpuWatch(processes, "throughput", reports=5)
    processes.readings = {"kpi": 0.0, "notifier": 0.0}
    watch.start()
    processes.readings = {"kpi": 0.1, "notifier": 0.02}
    spent = watch.stop()
    assert spent.ms_per_report == pytest.approx({"kpi": 20.0, "notifier": 4.0})
