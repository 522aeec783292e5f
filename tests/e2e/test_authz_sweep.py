"""Every commune token is refused every other unit's data on every endpoint naming one (issue 16,
item 4): the sweep of `make authz` on a sample of pairs (all endpoints), against the running
services with real tokens, sessions and seeded reports, violations, contacts and accounts.
`make authz` runs it on every pair (99 x 98)."""

from __future__ import annotations

import pytest

from bdhvs_local.authz import runner, seed
from bdhvs_local.authz.probes import CLOCK_START, PROBES
from bdhvs_local.bench.bodies import units
from support.processes import RunningSystem

PAIRS = 8
pytestmark = pytest.mark.timeout(600)  # seeding the pairs' units and waiting for their violations


@pytest.fixture
def system_env(system_env: dict[str, str]) -> dict[str, str]:
    """In December 2026, before the campaign's targets fall due: figures far below one open violations."""
    return {**system_env, "BDHVS_CLOCK_START": CLOCK_START}


async def test_no_commune_token_reaches_another_units_data(system: RunningSystem) -> None:
    urls = seed.Urls(system.url("intake"), system.url("kpi"), system.url("notifier"))
    outcome = await runner.sweep_stack(urls, system.env, units(), PAIRS, concurrency=8)
    print("\n".join(outcome.lines()))
    assert outcome.tally.allowed == []
    assert outcome.tally.unexpected == []
    assert outcome.problems == []
    assert outcome.tally.tried >= PAIRS * len(PROBES)
