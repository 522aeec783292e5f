"""`make authz`: every commune token against every other unit on every endpoint that names one,
on a stack of its own, then the other checks; the last line says how many requests were allowed.

`sweep_stack` is what the end-to-end test calls on its own running services with a sample of pairs.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bdhvs_local.authz import checks, identities, seed, sweep, web
from bdhvs_local.authz.covered import documents, operations
from bdhvs_local.authz.probes import CLOCK_START, PROBES, WHOLE_PROVINCE
from bdhvs_local.ports import free_port

ROOT = Path(__file__).resolve().parents[5]


@dataclass
class Outcome:
    pairs: int
    tally: sweep.Tally
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0  # the sweep's own time (not the seeding's nor the other checks')
    load: float = 0.0  # the 1-minute load average when the sweep ended
    cpu_seconds: float = 0.0  # CPU the sweep and its stack (this process's tree) spent on the sweep

    def lines(self) -> list[str]:
        t = self.tally
        return [
            f"authz: statuses {dict(sorted(t.statuses.items()))}",
            *(f"authz: ALLOWED {a}" for a in t.allowed[:20]),
            *(f"authz: UNEXPECTED {u}" for u in t.unexpected[:20]),
            *(f"authz: PROBLEM {p}" for p in self.problems),
            f"authz: {self.pairs} pairs, {len(t.unexpected)} answers neither refused nor allowed,"
            f" {len(self.problems)} other problems",
            f"authz: {t.tried} requests in {self.seconds:.0f} s ({t.tried / max(self.seconds, 1e-9):.1f}/s),"
            f" {1000 * self.cpu_seconds / max(t.tried, 1):.1f} ms CPU each (sweep and stack),"
            f" load average {self.load:.2f}",
            f"authz: {t.tried} pairs x endpoints tried, {len(t.allowed)} allowed",
        ]


def pairs_of(units: list[str], sample: int | None, seed_value: int = 16) -> list[tuple[str, str]]:
    every = [(mine, other) for mine in units for other in units if mine != other]
    return every if sample is None else random.Random(seed_value).sample(every, sample)


async def sweep_stack(
    urls: seed.Urls, env: dict[str, str], units: list[str], sample: int | None, concurrency: int = 16
) -> Outcome:
    """Tokens for every unit (and their web sessions when the web runs: `env` has its WEB_SECRET); the
    units of the chosen pairs seeded; the sweep; the other checks."""
    tokens = seed.tokens(units, env)
    sessions = web.sessions(tokens, env["WEB_SECRET"]) if urls.web else None
    pairs = pairs_of(units, sample)
    involved = sorted({u for pair in pairs for u in pair})
    targets = await seed.targets(urls, involved, tokens)
    print(f"authz: {len(pairs)} pairs of {len(involved)} units seeded", flush=True)
    work = sweep.jobs(tokens, targets, pairs, sessions)
    began, cpu = time.monotonic(), _tree_cpu()
    tally = await sweep.run(urls, work, concurrency, progress=sample is None)
    seconds, load, cpu = time.monotonic() - began, os.getloadavg()[0], _tree_cpu() - cpu
    problems = await _other_checks(urls, env, tokens, targets, involved, sessions)
    return Outcome(len(pairs), tally, problems, seconds, load, cpu)


def _tree_cpu() -> float:
    """CPU seconds of this process and its children (the stack's services when it started them): a
    figure that does not depend on what else the machine runs, unlike requests/s."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


async def _other_checks(
    urls: seed.Urls,
    env: dict[str, str],
    tokens: dict[str, str],
    targets: dict[str, seed.Target],
    involved: list[str],
    sessions: dict[str, web.WebSession] | None,
) -> list[str]:
    opened = await seed.violations_now(urls, tokens["operator"])
    with_violation = [u for u in involved if u in opened]
    control = targets[with_violation[0]] if with_violation else targets[involved[-1]]
    problems = [] if with_violation else ["no violation opened: the violation probes' controls 404"]
    problems += await checks.controls(urls, tokens, control, [*PROBES, *WHOLE_PROVINCE])
    if sessions is not None:
        problems += await checks.controls(urls, sessions, control, [*web.WEB_PROBES, *web.WEB_WHOLE_PROVINCE])
    problems += await checks.without_token(urls, operations(documents(ROOT)))
    unit = involved[0]
    problems += await checks.own_list_only(urls, tokens[f"commune:{unit}"], unit)
    problems += (await identities.all_refused(urls, env, tokens["admin"], unit))[1]
    secrets = [*tokens.values(), *env.values()]
    problems += await checks.scrapes(urls, [s for s in secrets if "://" not in s] + _passwords(env))
    return problems


def _passwords(env: dict[str, str]) -> list[str]:
    from sqlalchemy.engine import make_url

    password = make_url(env["DATABASE_URL"]).password if env.get("DATABASE_URL") else None
    return [password] if password else []


def run(concurrency: int, sample: int | None) -> int:
    """The full sweep (or a sample of pairs) on a fresh stack of its own; 1 if anything was allowed."""
    from bdhvs_local.bench.bodies import units
    from bdhvs_local.stack import Stack

    directory = Path(".run/authz").resolve()
    shutil.rmtree(directory, ignore_errors=True)
    ports = {name: free_port() for name in ("intake", "kpi", "notifier", "web")}
    web_secret = secrets.token_hex(24)  # the sweep seals its clerks' web sessions with it
    extra = {"LOG_LEVEL": "WARNING", "BDHVS_CLOCK_START": CLOCK_START, "WEB_SECRET": web_secret}
    stack = Stack(directory, ports=ports, extra_env=extra)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        endpoints = stack.start()
        urls = seed.Urls(endpoints.intake_url, endpoints.kpi_url, endpoints.notifier_url, endpoints.web_url)
        env = {
            "DATABASE_URL": endpoints.database_url,
            "NATS_URL": endpoints.nats_url,
            "BDHVS_CLOCK_START": CLOCK_START,
            "WEB_SECRET": web_secret,
        }
        outcome = asyncio.run(sweep_stack(urls, env, units(), sample, concurrency))
    finally:
        stack.stop()
    print("\n".join(outcome.lines()), flush=True)
    return 0 if not outcome.tally.allowed and not outcome.tally.unexpected and not outcome.problems else 1
