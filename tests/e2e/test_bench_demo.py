"""`make bench-demo`: the bench on the demo province. The demo's plan (one month, three units here)
fills a demo-mode stack, the clock jumps to the bench's instant, and the bench's runs then measure a
stack that holds the demo's reports (slow: the demo and the bench, each on tiny sizes)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import asyncpg
import pytest

from bdhvs_local.bench import CLOCK_START, Sizes
from bdhvs_local.bench.demo_data import demo_stack, seed
from bdhvs_local.bench.runner import measure

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
SIZES = Sizes(
    reports=6,
    concurrency=3,
    warmup=2,
    rate=20.0,
    seconds=0.25,
    rebuild_reports=60,
    rebuild_batch=50,
    baseline_messages=50,
    baseline_rows=20,
)


async def test_the_bench_runs_on_a_stack_the_demo_filled(
    database_url: str,
    clean_nats: str,
    db: asyncpg.Connection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NATS_URL", clean_nats)
    stack = demo_stack(tmp_path, months=1, units=3)
    stack.start()
    try:
        filed = await asyncio.to_thread(seed, stack, 1, 3)
        demo_reports = await db.fetchval("SELECT count(*) FROM intake.reports")
        clock = (tmp_path / "demo" / "clock").read_text()
        printed = await measure(stack, SIZES, None)
        after = await db.fetchval("SELECT count(*) FROM intake.reports")
    finally:
        stack.stop()
    assert filed > 10 and demo_reports > 10  # every form of three units for a month, the agencies'
    assert datetime.fromisoformat(clock) == datetime.fromisoformat(CLOCK_START)
    assert after > demo_reports  # the bench's reports (2025-2027) were accepted at the bench's instant
    assert "reports/s" in printed
