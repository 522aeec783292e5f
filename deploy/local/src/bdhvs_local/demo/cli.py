"""`python -m bdhvs_local demo`: the steps of `make demo` in order (see runner.py for demo mode)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import httpx
import typer

from bdhvs_local.demo import runner, tour
from bdhvs_local.demo.guard import NotADemoDatabase
from bdhvs_local.demo.plan import Plan, make_plan
from bdhvs_local.stack import Endpoints, Stack


def demo(
    run_dir: Path,
    seed: int,
    months: int | None,
    units: int | None,
    stay: bool,
    ports: dict[str, int],
    youth_weekly: bool = True,
) -> None:
    from bdhvs_local.serving import StopSignals, serve
    from bdhvs_shared.catalogue import load_catalogue

    began, run_dir = time.perf_counter(), run_dir.resolve()
    catalogue = load_catalogue()
    plan = make_plan(catalogue, datetime.now(UTC), seed, months, units, youth_weekly)
    signals = StopSignals()
    stack, started = _stack(run_dir, ports, plan)
    try:
        outcome = runner.fill(stack, plan, catalogue, lambda: signals.stopping)
        assert stack.endpoints is not None
        _summary(outcome, time.perf_counter() - began)
        tokens = json.loads((run_dir / "demo" / "tokens.json").read_text())
        tour.show(stack.endpoints, tokens, plan, run_dir, stack.endpoints.web_url or None)
        if started:
            from bdhvs_local import welcome

            welcome.accounts(stack.endpoints, stack.extra_env, run_dir.resolve())
    except NotADemoDatabase as refused:
        print(f"refused: {refused}")
        if started:
            stack.stop()
        raise typer.Exit(2) from None
    except BaseException:  # e.g. Ctrl-C: the services stop with the terminal, PostgreSQL runs detached
        if started:
            stack.stop()
        raise
    if started and stay:
        serve(stack, run_dir, signals)
    elif started:
        stack.stop()


def _summary(outcome: runner.Outcome, seconds: float) -> None:
    tally = ", ".join(f"{k} {v}" for k, v in sorted(outcome.tally.items()))
    print(f"Demo filled in {outcome.seconds:.0f} s ({seconds:.0f} s with the start): {tally}")
    if outcome.merged:
        print("  the merge was published")
    print(
        f"  the notifier caught up at {outcome.waits} stops of the clock ({outcome.waited:.0f} s); "
        f"the operators acknowledged {outcome.acknowledged} alerts"
        + (f"; {outcome.late_stops} after a minute still behind" if outcome.late_stops else "")
    )
    print(
        f"  where the {outcome.seconds:.0f} s went: the clerks' calls to intake {outcome.submitting:.0f} s, "
        f"waiting at the stops {outcome.waited:.0f} s (outboxes and consumers {outcome.drained:.0f} s, "
        f"kpi's day ticks {outcome.kpi_ticks:.0f} s, "
        f"the notifier's ticks {outcome.waited - outcome.drained - outcome.kpi_ticks:.0f} s), "
        f"asking the notifier {outcome.asking:.0f} s, kpi at the end {outcome.kpi_wait:.0f} s, "
        f"sending the queued mail at the end {outcome.delivering:.0f} s; "
        f"the demo's own CPU {outcome.cpu:.0f} s"
    )
    if outcome.cpu_by:
        print(
            "  "
            + cpu_line(outcome.cpu_by, outcome.machine_busy, outcome.seconds, len(os.sched_getaffinity(0)))
        )
    if outcome.sent_later:
        print(f"  {outcome.sent_later} notifications wait for the next working moment (they go out then)")
    if outcome.unsent:
        print(f"  {outcome.unsent} notifications due were not sent: no dispatcher sent any for a minute")


def cpu_line(by: dict[str, float], machine: float, seconds: float, cores: int) -> str:
    """What the fill cost in CPU, process by process: the fill cannot take less than their sum spread
    over the machine's cores, and a single-threaded service cannot spend more than the wall time."""
    names = {"load generator": "the demo"}
    spent = ", ".join(f"{names.get(k, k)} {v:.0f}" for k, v in sorted(by.items(), key=lambda i: -i[1]))
    return (
        f"CPU seconds of the fill: {spent}; {sum(by.values()):.0f} in all, the machine {machine:.0f} "
        f"of {cores * seconds:.0f} ({cores} cores × {seconds:.0f} s)"
    )


def _stack(run_dir: Path, ports: dict[str, int], plan: Plan) -> tuple[Stack, bool]:
    """The demo's running stack, or a new one started in demo mode (True)."""
    stack = running_demo(run_dir)
    if stack is not None:
        print(f"using the demo stack already running on {run_dir}")
        return stack, False
    stack, sms = runner.demo_stack(run_dir, ports, runner.plan_start(plan))
    stack._exit.callback(sms.stop)
    stack.start()
    (run_dir / "demo" / "stack.json").write_text(json.dumps(stack.extra_env, indent=2))
    return stack, True


def running_demo(run_dir: Path) -> Stack | None:
    """The demo's stack when it is running on this run_dir (started by another `make demo`)."""
    saved, endpoints_file = run_dir / "demo" / "stack.json", run_dir / "endpoints.json"
    if not endpoints_file.exists():
        return None
    known = json.loads(endpoints_file.read_text())
    endpoints = Endpoints(**{f.name: known[f.name] for f in fields(Endpoints) if f.name in known})
    try:
        ready = httpx.get(f"{endpoints.intake_url}/health/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return None
    if not ready:
        return None
    if not saved.exists():
        print(f"`make run` is running on {run_dir}: stop it, then `make demo` starts it in demo mode")
        raise typer.Exit(2)
    stack = Stack(run_dir, extra_env=json.loads(saved.read_text()))
    stack.endpoints = endpoints
    return stack
