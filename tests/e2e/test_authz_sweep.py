"""Every commune token is refused every other unit's data on every endpoint naming one (issue 16,
item 4): the sweep of `make authz` on a sample of pairs (all endpoints), against the running
services with real tokens, sessions and seeded reports, violations, contacts and accounts — and the
web's pages, forms and exports with each clerk's web session (bdhvs_local/authz/web.py).
`make authz` runs it on every pair (99 x 98)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bdhvs_local.authz import runner, seed
from bdhvs_local.authz.probes import CLOCK_START, PROBES
from bdhvs_local.authz.web import WEB_PROBES
from bdhvs_local.bench.bodies import units
from bdhvs_local.ports import free_port
from bdhvs_local.services import ServiceProcess
from support.processes import RunningSystem

PAIRS = 8
WEB_SECRET = "authz-web-secret-52c1e8f0"
pytestmark = pytest.mark.timeout(1800)  # seeding the pairs' units and waiting for their violations


@pytest.fixture
def system_env(system_env: dict[str, str]) -> dict[str, str]:
    """In December 2026, before the campaign's targets fall due: figures far below one open violations."""
    return {**system_env, "BDHVS_CLOCK_START": CLOCK_START}


@pytest.fixture
def web_url(system: RunningSystem, tmp_path: Path) -> Iterator[str]:
    env = {**system.env, **{f"{s.upper()}_URL": system.url(s) for s in ("intake", "kpi", "notifier")}}
    web = ServiceProcess("web", free_port(), {**env, "WEB_SECRET": WEB_SECRET}, tmp_path / "web.log").start()
    try:
        web.wait_ready()
        yield web.url
    finally:
        web.stop()


async def test_no_commune_token_reaches_another_units_data(system: RunningSystem, web_url: str) -> None:
    urls = seed.Urls(system.url("intake"), system.url("kpi"), system.url("notifier"), web_url)
    env = {**system.env, "WEB_SECRET": WEB_SECRET}
    outcome = await runner.sweep_stack(urls, env, units(), PAIRS, concurrency=8)
    print("\n".join(outcome.lines()))
    assert outcome.tally.allowed == []
    assert outcome.tally.unexpected == []
    assert outcome.problems == []
    assert outcome.tally.tried >= PAIRS * (len(PROBES) + len(WEB_PROBES))
