"""`make run` keeps the system up: a process killed under it comes back; Ctrl-C still stops everything."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import nats
import pytest

from bdhvs_local.postgres_server import EmbeddedPostgres
from bdhvs_local.stack import Stack
from bdhvs_local.supervisor import run_dir_pids
from support.runner import OUTSIDE, Runner, alive, processes_using

STARTUP = 600.0  # seconds: a fresh stack (initdb, migrations, accounts) on a loaded 2-core machine
REPORT = {
    "unit_code": "09313",
    "form": "monthly",
    "period": "2026-10",
    "values": {
        "c": {"numerator": 5000, "denominator": 10000},
        "d": {"numerator": 4000, "denominator": 10000},
    },
    "confirm": True,
}


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    started = Runner.start(tmp_path / "run")
    try:
        started.wait_for_line("Press Ctrl-C to stop.", timeout=STARTUP)
        yield started
    finally:
        started.kill()


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def post_report(runner: Runner, period: str) -> int:
    token = json.loads((runner.run_dir / "tokens.json").read_text())["operator"]
    try:
        reply = httpx.post(
            f"{runner.url('intake')}/api/v1/reports",
            json={**REPORT, "period": period},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
    except httpx.HTTPError:
        return 0
    return reply.status_code


async def streams(url: str) -> dict[str, int]:
    nc = await nats.connect(url, max_reconnect_attempts=0)
    try:
        return {s.config.name: s.state.messages for s in await nc.jetstream().streams_info()}
    finally:
        await nc.close()


def settled_streams(url: str) -> dict[str, int]:
    """The streams' counts once the report and the KPI events it causes are all stored: kpi publishes a
    moment after intake, and a count taken before that would differ after the restart for that reason."""
    last: dict[str, int] = {}

    def unchanged() -> bool:
        nonlocal last
        now = asyncio.run(streams(url))
        done = now == last and now.get("REPORTS", 0) >= 1 and now.get("KPI", 0) >= 1
        last = now
        if not done:
            time.sleep(0.8)  # with wait's 0.2 s: compared over one second
        return done

    wait(unchanged)
    return last


def test_the_runner_restarts_what_dies_and_ctrl_c_stops_everything(runner: Runner) -> None:
    """One stack for all of it (starting one is the slow part): a service, then nats-server, then
    PostgreSQL killed; then Ctrl-C."""
    a_killed_service_comes_back_and_the_others_never_stop(runner)
    nats_and_postgres_come_back_on_their_port_with_their_data_and_ctrl_c_stops_all(runner)


def a_killed_service_comes_back_and_the_others_never_stop(runner: Runner) -> None:
    before = run_dir_pids(runner.run_dir)
    os.kill(before["kpi"], signal.SIGKILL)
    while alive(before["kpi"]):
        time.sleep(0.05)
    assert ready(runner.url("intake")) and ready(runner.url("notifier"))  # serving while kpi is down
    runner.wait_for_line("kpi restarted", timeout=30)
    wait(lambda: ready(runner.url("kpi")))
    after = run_dir_pids(runner.run_dir)
    assert after["kpi"] != before["kpi"]
    assert {k: v for k, v in after.items() if k != "kpi"} == {k: v for k, v in before.items() if k != "kpi"}
    assert all(alive(pid) for pid in after.values())
    assert not any("restarted" in line for line in runner.lines if not line.startswith("kpi"))


def nats_and_postgres_come_back_on_their_port_with_their_data_and_ctrl_c_stops_all(runner: Runner) -> None:
    nats_url = json.loads((runner.run_dir / "endpoints.json").read_text())["nats_url"]
    assert post_report(runner, "2026-09") == 201
    stored = settled_streams(nats_url)

    os.kill(run_dir_pids(runner.run_dir)["nats-server"], signal.SIGKILL)
    runner.wait_for_line("nats-server restarted", timeout=30)
    assert asyncio.run(streams(nats_url)) == stored  # same port, same streams, same messages
    wait(lambda: post_report(runner, "2026-08") == 201, timeout=90)  # intake publishes again

    os.kill(run_dir_pids(runner.run_dir)["PostgreSQL"], signal.SIGKILL)
    runner.wait_for_line("PostgreSQL restarted", timeout=60)
    wait(lambda: post_report(runner, "2026-07") == 201, timeout=90)  # same data: the token still works
    wait(lambda: asyncio.run(streams(nats_url))["REPORTS"] >= stored["REPORTS"] + 2)

    pids = run_dir_pids(runner.run_dir)
    assert runner.ctrl_c() == 0
    assert runner.lines[-1] == "Stopped."
    assert [name for name, pid in pids.items() if alive(pid)] == []
    assert processes_using(runner.run_dir) == []  # nothing of the embedded servers left either


def test_ctrl_c_while_the_runner_still_prepares_leaves_nothing_running(tmp_path: Path) -> None:
    """Defect: Ctrl-C after the stack started but before "Press Ctrl-C" (demo tokens, accounts) left
    PostgreSQL running: pg_ctl detaches it, and nothing stopped the stack on that path."""
    runner = Runner.start(tmp_path / "run")
    try:
        wait(lambda: (runner.run_dir / "endpoints.json").exists(), timeout=STARTUP)
        runner.ctrl_c()
    finally:
        runner.kill()
    assert not any(line.startswith("Press Ctrl-C") for line in runner.lines)
    wait(lambda: processes_using(runner.run_dir) == [], timeout=30)


def test_ctrl_c_while_postgresql_starts_leaves_nothing_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect (`make run` and `make demo`): a Ctrl-C while PostgreSQL started — pg_ctl had launched it,
    detached, and the product's database was not made yet — left it running: the stack registered
    its stop only once it had started."""
    for name in OUTSIDE:
        monkeypatch.delenv(name, raising=False)  # the stack's own embedded servers

    def ctrl_c(self: EmbeddedPostgres, user: str | None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(EmbeddedPostgres, "_ensure_database", ctrl_c)
    run_dir = tmp_path / "run"
    try:
        with pytest.raises(KeyboardInterrupt):
            Stack(run_dir, ports={}).start()
        wait(lambda: processes_using(run_dir) == [], timeout=30)
    finally:
        EmbeddedPostgres(run_dir / "postgres").stop()  # when the test fails: nothing left behind


pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]
