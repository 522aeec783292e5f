"""`make bench`: throughput and latency of the running pipeline, the CPU and memory each process
spends on it, rebuild throughput, and the raw JetStream and PostgreSQL baselines, all measured in
one run on a stack of its own.

It prints figures; it asserts nothing (tests/e2e/test_bench.py runs the same functions on tiny
sizes). The parts: `bodies` (what is sent), `load` (the load generator and what it waits for),
`resources` (CPU and memory per process, psutil), `pipeline` (the throughput and latency runs),
`baselines` and `rebuild`, `report` (the printed text), `runner` (the stack and the order of runs);
`country` (`--units`: a synthetic catalogue of N units, published) and `replicas` (`--kpi-replicas`).
"""

from bdhvs_local.bench.bodies import CLOCK_START, Bodies, units
from bdhvs_local.bench.pipeline import Pipeline, Sizes, pipeline
from bdhvs_local.bench.report import report
from bdhvs_local.bench.runner import run

__all__ = ["CLOCK_START", "Bodies", "Pipeline", "Sizes", "pipeline", "report", "run", "units"]
