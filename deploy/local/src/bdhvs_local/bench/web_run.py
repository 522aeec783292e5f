"""The web bench's run: a fresh stack with the web service (`.run/bench-web`), an operator's account,
the seed, the page times (profiled with `--profile-dir`), then the report-to-dashboard times."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import signal
import sys
from pathlib import Path

import nats

from bdhvs_local.bench.bodies import CLOCK_START, units
from bdhvs_local.bench.load import settled
from bdhvs_local.bench.profiles import Profiler
from bdhvs_local.bench.web import (
    MISSING,
    WebFigures,
    live_of,
    months_before,
    page_times,
    report_lines,
    seed,
    signed_in,
    visibility,
)
from bdhvs_local.ports import free_port
from bdhvs_local.stack import Stack, _cli

USERNAME = "bench.operator"
VISIBILITY_REPORTS = 5  # of the MISSING communes, reported one after the other


def operator_account(stack: Stack) -> str:
    """An operator's account with a password of its own (no change needed at the first sign-in)."""
    assert stack.endpoints is not None
    password = secrets.token_urlsafe(16)
    env = {
        "DATABASE_URL": stack.endpoints.database_url,
        "NATS_URL": "nats://unused:4222",
        "BDHVS_CLOCK_START": CLOCK_START,
        "INTAKE_ACCOUNT_PASSWORD": password,
    }
    args = ["accounts", "create", "--username", USERNAME, "--role", "operator"]
    _cli("intake", [*args, "--display-name", "Bench (vận hành)"], env)
    return password


async def measure(stack: Stack, requests: int, profile_dir: Path | None = None) -> WebFigures:
    assert stack.endpoints is not None
    intake, web = stack.endpoints.intake_url, stack.endpoints.web_url
    token = stack.demo_tokens()["operator"]
    client = await signed_in(web, USERNAME, operator_account(stack))
    try:
        live = await live_of(client)
        communes = [u for u in units() if len(u) == 5]
        stored, seconds = await seed(intake, token, communes, months_before(live.period, 24))
        async with await nats.connect(stack.endpoints.nats_url) as nc:
            await settled(nc.jetstream(), timeout=300)
        pids = {n: s.process.pid for n, s in stack.services.items() if s.process is not None}
        profiler = Profiler(profile_dir, pids)
        profiler.start()
        pages = [
            await page_times(client, "/tong-quan", requests),
            await page_times(client, f"/don-vi/{communes[0]}", requests),
        ]
        profiler.stop()
        late = communes[-MISSING:][:VISIBILITY_REPORTS]
        visible = await visibility(client, intake, token, late)
    finally:
        await client.aclose()
    return WebFigures(stored, seconds, pages, visible, live.poll_seconds)


def run(requests: int, profile_dir: Path | None = None) -> None:
    directory = Path(".run/bench-web").resolve()
    shutil.rmtree(directory, ignore_errors=True)
    ports = {name: free_port() for name in ("intake", "kpi", "notifier", "web")}
    # The seed's imports are not what is measured: a busy machine may need more than 10 s to read one.
    extra = {"LOG_LEVEL": "WARNING", "BDHVS_CLOCK_START": CLOCK_START, "IMPORT_READ_SECONDS": "120"}
    stack = Stack(directory, ports=ports, extra_env=extra)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        stack.start()
        figures = asyncio.run(measure(stack, requests, profile_dir))
        print()
        print("\n".join(report_lines(figures)), flush=True)
    finally:
        stack.stop()
