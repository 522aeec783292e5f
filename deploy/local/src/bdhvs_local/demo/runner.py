"""`make demo`: start the stack in demo mode (or find the demo's running one), fill it, say where to look.

Demo mode: the services read the time from `.run/demo/clock` (BDHVS_CLOCK_START=file:…), which the
runner moves along the plan's timeline (timeline.py: the day's reports, and stops at 08:00 and 16:00
where the notifier catches up, notifier_wait.py), never backwards, so each report is judged as if it
arrived then and the reminders and alerts go out on their days; the
notifier delivers only to the local mail catcher and the loopback SMS gateway (SMTP_HOST,
WEBHOOK_SECRET and SMS_* from the environment are ignored). Progress (the clock's high-water mark)
is kept in `.run/demo/progress.json`: a rerun replays every call under the same Idempotency-Keys at
that time, so it stores nothing new.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from bdhvs_local.bench.resources import machine_busy_seconds, processes_of
from bdhvs_local.demo import clerks, guard, sms_contacts, submit
from bdhvs_local.demo.acknowledge import acknowledge_some
from bdhvs_local.demo.notifier_wait import FAST_TICKS, NotifierWatch, Stopped
from bdhvs_local.demo.plan import Merge, Plan, Report
from bdhvs_local.demo.sms_gateway import LoopbackSmsGateway
from bdhvs_local.demo.timeline import STOPS, Batch, Stop, periods_on, timeline
from bdhvs_local.stack import Endpoints, Stack
from bdhvs_shared.catalogue import Catalogue, PeriodError, PeriodType
from bdhvs_shared.clock import FILE_PREFIX, FileClock

LOCAL_ONLY = (
    *("SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD"),
    *("WEBHOOK_SECRET", "SMS_GATEWAY_URL", "SMS_API_KEY", "SMS_SECRET_KEY"),
)


@dataclass
class Outcome:
    tally: Counter[str] = field(default_factory=Counter)
    merged: bool = False
    seconds: float = 0.0
    waits: int = 0  # stops at which the notifier was waited for
    waited: float = 0.0  # seconds spent waiting for it
    late_stops: int = 0  # stops it had not caught up with after a minute
    acknowledged: int = 0  # alerts the demo's operators acknowledged
    # where the fill's time went (the profile `make demo` prints)
    submitting: float = 0.0  # the clerks' calls to intake (and the merge)
    drained: float = 0.0  # of `waited`: until the outboxes and consumers were idle
    kpi_ticks: float = 0.0  # of `waited`: until kpi's day ticks had run (on a new day)
    asking: float = 0.0  # the stops' questions to the notifier (is anything due, what to acknowledge)
    kpi_wait: float = 0.0  # at the end, until kpi showed the last month
    delivering: float = 0.0  # at the end, until the notifier had made and sent everything due
    unsent: int = 0  # notifications due that no dispatcher sent within a minute (0: all sent)
    sent_later: int = 0  # queued for a later moment (the next working moment, SMS quiet hours)
    cpu: float = 0.0  # the demo's own process, on a CPU
    # CPU seconds each process of the stack spent during the fill (this process as "load generator"),
    # and what the whole machine spent: the fill's floor on this machine is their sum over its cores
    cpu_by: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0


def demo_stack(run_dir: Path, ports: dict[str, int], start: datetime) -> tuple[Stack, LoopbackSmsGateway]:
    """The stack as `make run` starts it, in demo mode (not started yet: `stack.start()`)."""
    for name in LOCAL_ONLY:  # the demo never mails, texts or calls anyone
        os.environ.pop(name, None)
    clock = run_dir.resolve() / "demo" / "clock"
    clock.parent.mkdir(parents=True, exist_ok=True)
    if not clock.exists():
        FileClock.write(clock, start)
    sms = LoopbackSmsGateway(run_dir.resolve() / "sms").start()
    extra = {
        "BDHVS_CLOCK_START": f"{FILE_PREFIX}{clock}",
        "SMS_GATEWAY_URL": sms.url,
        "SMS_API_KEY": "demo-loopback",
        "SMS_SECRET_KEY": "demo-loopback-secret",
        "CATALOGUE_POLL_SECONDS": "1",
        **FAST_TICKS,
        "LOG_LEVEL": "WARNING",
    }
    return Stack(run_dir.resolve(), ports=ports, extra_env=extra), sms


def fill(stack: Stack, plan: Plan, catalogue: Catalogue, stop: Callable[[], bool] = lambda: False) -> Outcome:
    """Guard, clerks, then the plan's timeline with the clock at each instant (the notifier catching up
    at each stop); kpi caught up at the end. `stop` (Ctrl-C) ends it between two instants."""
    assert stack.endpoints is not None
    began, cpu, endpoints = time.perf_counter(), time.process_time(), stack.endpoints
    processes = processes_of(stack)  # none when the demo fills a stack another process started
    cpu_before, machine_before = processes.cpu_seconds(), machine_busy_seconds()
    asyncio.run(guard.check(endpoints.database_url))
    env = {"DATABASE_URL": endpoints.database_url, "NATS_URL": "nats://unused:4222", **_clock_env(stack)}
    tokens = clerks.tokens(stack.run_dir / "demo" / "tokens.json", plan.filers(), catalogue, env)
    asyncio.run(_give_phones(endpoints, tokens["admin"], list(plan.profiles)))
    tz = ZoneInfo(catalogue.timezone)
    instants = timeline(plan, tz)
    types = {form.period_type for form in catalogue.forms.values()}
    outcome = asyncio.run(
        _steps(stack.run_dir / "demo", endpoints, instants, tokens, stop, plan.seed, Calendar(tz, types))
    )
    kpi_began = time.perf_counter()
    last = max(plan.until, _high_water(stack.run_dir / "demo"))
    try:
        asyncio.run(wait_for_kpi(endpoints, tokens["operator"], plan, stop=stop))
        outcome.kpi_wait = time.perf_counter() - kpi_began
        delivering = time.perf_counter()
        outcome.unsent, outcome.sent_later = asyncio.run(
            deliver_all(stack.run_dir / "demo", endpoints, last, stop)
        )
        outcome.delivering = time.perf_counter() - delivering
    except Stopped:
        raise KeyboardInterrupt from None
    outcome.seconds, outcome.cpu = time.perf_counter() - began, time.process_time() - cpu
    outcome.cpu_by = processes.spent_since(cpu_before)
    outcome.machine_busy = machine_busy_seconds() - machine_before
    return outcome


async def _give_phones(endpoints: Endpoints, admin: str, units: list[str]) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        await sms_contacts.give_phones(client, endpoints.notifier_url, admin, units)


async def deliver_all(
    folder: Path, endpoints: Endpoints, last: datetime, stop: Callable[[], bool] = lambda: False
) -> tuple[int, int]:
    """The services catch up with the clock's last instant, then the notifier's dispatchers send
    everything due: the run's mail is then what the plan makes, whatever the machine's load. Then the
    clock moves on with the wall clock from there (the stack lives on). Returns (unsent, sent_later).
    `stop` (Ctrl-C) ends the wait for the dispatchers."""
    clock = folder / "clock"
    async with httpx.AsyncClient(timeout=60) as client:
        watch = await _watch(client, endpoints, clock)
        try:
            moved = time.time()
            FileClock.write(clock, last, still=True)
            await watch.caught_up(moved, new_day=True)
            return await watch.delivered(FileClock(clock), stop)
        finally:
            FileClock.write(clock, last)
            await watch.close()


async def _watch(client: httpx.AsyncClient, endpoints: Endpoints, clock: Path) -> NotifierWatch:
    watch = NotifierWatch(client, endpoints.notifier_url, endpoints.kpi_url, clock)
    return await watch.open(endpoints.database_url, endpoints.nats_url)


def _clock_env(stack: Stack) -> dict[str, str]:
    return {k: v for k, v in stack.extra_env.items() if k == "BDHVS_CLOCK_START"}


async def _steps(
    folder: Path,
    endpoints: Endpoints,
    instants: list[Stop | Batch],
    tokens: dict[str, str],
    stop: Callable[[], bool],
    seed: int,
    calendar: Calendar,
) -> Outcome:
    """The clock stands still at each instant: first the services act on what is due there (on a new
    local day, or when the notifier has something due), then the batch of reports is filed and the
    pipeline drained, so that everything is dated as it would have been and two runs agree."""
    outcome, done, clock = Outcome(), 0, folder / "clock"
    confirmations = submit.Confirmations(folder / "confirmed.txt")
    high_water = _high_water(folder)
    bar = Progress(sum(isinstance(s, Report) for b in instants if isinstance(b, Batch) for s in b.steps))
    async with httpx.AsyncClient(timeout=60) as client:
        watch = await _watch(client, endpoints, clock)
        try:
            for instant in instants:
                if stop():
                    raise KeyboardInterrupt
                if isinstance(instant, Stop) and instant.when <= high_water:
                    continue  # a rerun: the services saw this stop the first time
                if instant.when > high_water:
                    moved, (new_day, new_period) = time.time(), calendar.news(high_water, instant.when)
                    high_water = instant.when
                    FileClock.write(clock, high_water, still=True)
                    await _catch_up(client, endpoints, tokens["operator"], watch, instant, moved, new_day,
                                    new_period, outcome, seed)  # fmt: skip
                if isinstance(instant, Batch):
                    asked = time.perf_counter()
                    done += await _batch(client, endpoints, tokens, instant, outcome, confirmations)
                    outcome.submitting += time.perf_counter() - asked
                    outcome.late_stops += not await watch.drained()
                bar.show(done, high_water)
                (folder / "progress.json").write_text(json.dumps({"clock": high_water.isoformat()}))
        finally:
            await watch.close()
    outcome.waits, outcome.waited, outcome.drained = watch.waits, watch.seconds, watch.drain_seconds
    outcome.kpi_ticks = watch.kpi_seconds
    bar.close()
    return outcome


async def _catch_up(
    client: httpx.AsyncClient,
    endpoints: Endpoints,
    operator: str,
    watch: NotifierWatch,
    instant: Stop | Batch,
    moved: float,
    new_day: bool,
    new_period: bool,
    outcome: Outcome,
    seed: int,
) -> None:
    """The services act on what is due at this instant, when something can be (kpi on a new local day;
    the notifier's ticks when one of its items is due or the ledger has a new period to plan); at
    the morning stop, the operators acknowledge some alerts."""
    asked = time.perf_counter()
    due = new_period or await watch.due_by(instant.when)
    outcome.asking += time.perf_counter() - asked
    if not (due or new_day):
        return
    outcome.late_stops += not await watch.caught_up(moved, new_day, ticks=due)
    if not due:
        return
    if isinstance(instant, Stop) and instant.when.time() == STOPS[0]:
        asked = time.perf_counter()
        outcome.acknowledged += await acknowledge_some(
            client, endpoints.notifier_url, operator, instant.when, seed
        )
        outcome.asking += time.perf_counter() - asked


async def _batch(
    client: httpx.AsyncClient,
    endpoints: Endpoints,
    tokens: dict[str, str],
    batch: Batch,
    outcome: Outcome,
    confirmations: submit.Confirmations,
) -> int:
    for step in (s for s in batch.steps if isinstance(s, Merge)):
        outcome.merged |= await submit.merge(client, endpoints.intake_url, tokens["admin"], step)
    reports = [s for s in batch.steps if isinstance(s, Report)]
    await submit.submit_all(client, endpoints.intake_url, tokens, reports, outcome.tally, confirmations)
    return len(reports)


def _high_water(folder: Path) -> datetime:
    path = folder / "progress.json"
    if not path.exists():
        return datetime(2000, 1, 1, tzinfo=UTC)
    return datetime.fromisoformat(json.loads(path.read_text())["clock"])


async def wait_for_kpi(
    endpoints: Endpoints,
    token: str,
    plan: Plan,
    timeout: float = 120.0,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Until kpi has every monthly report of the plan's last month (its consumers run behind intake);
    `stop` (Ctrl-C) ends it."""
    last = max((r for r in plan.reports if r.body["form"] == "monthly"), key=lambda r: r.body["period"])
    period = last.body["period"]
    expected = {r.body["unit_code"] for r in plan.reports if r.body["period"] == period}
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=30) as client:
        while time.monotonic() < deadline:
            if stop():
                raise Stopped
            reply = await client.get(
                f"{endpoints.kpi_url}/api/v1/completeness",
                params={"form": "monthly", "period": period},
                headers={"Authorization": f"Bearer {token}"},
            )
            if reply.status_code == 200:
                missing = {u["unit_code"] for u in reply.json()["missing"]}
                if not expected & missing:
                    return
            await asyncio.sleep(0.5)
    raise TimeoutError(f"kpi has not seen every monthly report of {period} after {timeout:.0f}s")


@dataclass(frozen=True)
class Calendar:
    """What a move of the clock changes for the services: a new local day (kpi re-judges), a new
    period of some form (the notifier's ledger plans its items)."""

    tz: ZoneInfo
    types: set[PeriodType]

    def news(self, before: datetime, after: datetime) -> tuple[bool, bool]:
        day, next_day = before.astimezone(self.tz).date(), after.astimezone(self.tz).date()
        try:
            return day != next_day, periods_on(day, self.types) != periods_on(next_day, self.types)
        except PeriodError:  # `before` is the start's "never" (year 2000): everything is new
            return True, True


class Progress:
    """A one-line progress bar on stderr: reports filed, the demo's date, reports per second."""

    def __init__(self, total: int) -> None:
        self.total, self.began = total, time.perf_counter()

    def show(self, done: int, when: datetime) -> None:
        width, share = 30, done / self.total if self.total else 1.0
        rate = done / max(time.perf_counter() - self.began, 1e-6)
        bar = "#" * round(width * share) + "-" * (width - round(width * share))
        sys.stderr.write(f"\r[{bar}] {done}/{self.total} reports, at {when:%Y-%m-%d}, {rate:.0f}/s ")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")


def until_now() -> datetime:
    return datetime.now(UTC)


def plan_start(plan: Plan) -> datetime:
    return (plan.steps[0].when if plan.steps else plan.until) - timedelta(days=1)
