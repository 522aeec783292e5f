"""`make soak`'s short form (issue 16, item 3): a steady open-loop load for 60 s against the
running services. Machine-dependent figures (rate, latency, RSS growth) are printed, not asserted;
what is asserted cannot depend on the machine: no 5xx but the documented 503s (retried, counted
apart), and the `soak:` line with its figures. `make soak` runs 100 reports/s for 10 minutes."""

from __future__ import annotations

import re

import pytest

from bdhvs_local.bench import CLOCK_START, units
from bdhvs_local.bench.resources import Processes
from bdhvs_local.soak import Soak, lines, run_soak
from support.processes import RunningSystem

pytestmark = pytest.mark.timeout(600)  # 60 s of load, then the pipeline drains what is queued
LINE = re.compile(
    r"^soak: [\d.]+ reports/s for \d+ s, 0 5xx, \d+ timeouts, p99 first minute \d+ ms,"
    r" last minute \d+ ms, RSS growth -?[\d.]+%$"
)


@pytest.fixture
def system_env(system_env: dict[str, str]) -> dict[str, str]:
    """As the bench runs its stack: in January 2028, so December 2027 is the latest month."""
    return {**system_env, "BDHVS_CLOCK_START": CLOCK_START}


async def test_a_minute_of_steady_load_gets_no_server_error(system: RunningSystem, clean_nats: str) -> None:
    token = system.cli("intake", "token", "create", "--role", "operator", "--label", "soak")
    services = {name: s.process.pid for name, s in system.services.items() if s.process is not None}
    soak = await run_soak(
        system.url("intake"), clean_nats, token, units(), Soak(20.0, 60.0), Processes.of(services, {})
    )
    printed = lines(soak)
    print("\n".join(printed))
    assert soak.sent == 1200 and soak.accepted == 1200
    assert soak.server_errors == 0, soak.statuses
    assert LINE.match(printed[-1]), printed[-1]
    assert any(line.startswith("soak: minute 1:") for line in printed)
