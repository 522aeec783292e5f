"""`bench --demo` (`make bench-demo`): the bench on the demo province instead of an empty stack.

The stack starts in demo mode and `make demo`'s plan fills it first (the same seeded province: every
unit and form, two years or the last `months`, through intake's API with the clock stepping and the
notifier catching up), so the pipeline's figures are measured with kpi's projections, the notifier's
ledger and the web's dashboard holding 99 units × 24 months. Then the demo's clock jumps to the
bench's instant (`CLOCK_START`: the bench's reports cover 2025-2027) and the usual runs follow.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from bdhvs_local.bench.bodies import CLOCK_START
from bdhvs_local.bench.pipeline import Sizes
from bdhvs_local.bench.runner import measure
from bdhvs_local.demo import runner as demo
from bdhvs_local.demo.plan import make_plan
from bdhvs_local.ports import free_port
from bdhvs_local.stack import Stack
from bdhvs_shared.clock import FileClock


def seed(stack: Stack, months: int | None, units: int | None, seed: int = 2025) -> int:
    """Fill a demo-mode stack with the demo's plan, then move its clock to the bench's instant;
    returns how many reports the plan filed."""
    from bdhvs_shared.catalogue import load_catalogue

    catalogue = load_catalogue()
    plan = make_plan(catalogue, datetime.now(UTC), seed, months, units)
    outcome = demo.fill(stack, plan, catalogue)
    print(
        f"seeded with the demo province: {len(plan.reports)} reports in {outcome.seconds:.0f} s "
        f"(the notifier waited for at {outcome.waits} stops, {outcome.waited:.0f} s)",
        flush=True,
    )
    FileClock.write(stack.run_dir / "demo" / "clock", datetime.fromisoformat(CLOCK_START))
    return len(plan.reports)


def demo_stack(directory: Path, months: int | None, units: int | None) -> Stack:
    """A demo-mode stack (not started) whose clock starts the day before the plan's first report."""
    from bdhvs_shared.catalogue import load_catalogue

    plan = make_plan(load_catalogue(), datetime.now(UTC), months=months, units=units)
    ports = {"intake": free_port(), "kpi": free_port(), "notifier": free_port()}
    stack, sms = demo.demo_stack(directory, ports, demo.plan_start(plan))
    stack._exit.callback(sms.stop)
    return stack


def run_on_demo(sizes: Sizes, profile_dir: Path | None, months: int | None, units: int | None) -> None:
    directory = Path(".run/bench-demo").resolve()  # fresh each run, kept afterwards for its logs
    shutil.rmtree(directory, ignore_errors=True)
    stack = demo_stack(directory, months, units)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        stack.start()
        seed(stack, months, units)
        print()
        print(asyncio.run(measure(stack, sizes, profile_dir)))
    finally:
        stack.stop()
