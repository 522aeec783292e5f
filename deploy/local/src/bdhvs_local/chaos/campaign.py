"""The campaign: its own stack under the runner's supervisor, a steady load, faults at random moments,
then the drain and the invariants."""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx

from bdhvs_local.bench.baselines import asyncpg_dsn
from bdhvs_local.bench.bodies import units
from bdhvs_local.chaos import attribution, check, mid_send
from bdhvs_local.chaos.faults import Injector
from bdhvs_local.chaos.load import CLOCK_START, Outcomes, Reports, open_loop
from bdhvs_local.chaos.receivers import HttpReceiver, SmtpReceiver
from bdhvs_local.ports import free_port
from bdhvs_local.stack import Stack
from bdhvs_local.supervisor import Supervisor
from bdhvs_shared.clock import FILE_PREFIX, FileClock

ACK_WAIT = 4.0  # the services' ack_wait in the campaign: a pause is longer


@dataclass
class Plan:
    faults: int = 200
    seed: int = 16
    rate: float = 10.0  # reports a second
    gap: tuple[float, float] = (0.3, 2.0)  # seconds between two faults
    drain_seconds: float = 300.0
    # Before a fault, at most this long for every service to answer ready: a service started again
    # took 150-170 s to answer at load 35-40 (5 CPU-seconds, mostly imports); with 30 s, faults kept
    # landing on a service still starting (intake killed three times in 4 minutes, never up between).
    ready_wait: float = 240.0


def _wait_ready(stack: Stack, timeout: float) -> float:
    """Wait until every service answers ready (at most `timeout`); the seconds it took."""
    start = time.monotonic()
    urls = [s.url for s in stack.services.values()]
    while time.monotonic() < start + timeout and not all(_ready(url) for url in urls):
        time.sleep(0.2)
    return time.monotonic() - start


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/ready", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def _say(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)


def stack_env(clock: Path, smtp: SmtpReceiver, sms: HttpReceiver, webhook: HttpReceiver) -> dict[str, str]:
    # One clock for every process, read from a file written once: with BDHVS_CLOCK_START=<instant> each
    # process started again began at that instant anew, so a notifier restarted 60 s into the campaign
    # was 60 s behind the rows it had queued and left them (a crash's re-send too) waiting a minute.
    FileClock.write(clock, datetime.fromisoformat(CLOCK_START))
    return {
        "BDHVS_CLOCK_START": f"{FILE_PREFIX}{clock}",
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "SMTP_TIMEOUT_SECONDS": "3",
        "SMS_GATEWAY_URL": sms.url,
        "SMS_API_KEY": "chaos-sms-key-0000",
        "SMS_SECRET_KEY": "chaos-sms-secret-0000",
        "SMS_TIMEOUT_SECONDS": str(sms.timeout_seconds),
        "SMS_QUIET_HOURS": "",
        "SMS_RATE_PER_SECOND": "50",
        "WEBHOOK_SECRET": "chaos-webhook-secret-0000",
        "WEBHOOK_TIMEOUT_SECONDS": str(webhook.timeout_seconds),
        "ACK_WAIT_SECONDS": str(ACK_WAIT),
        "MAX_SEND_ATTEMPTS": "6",
        "RETRY_BASE_SECONDS": "0.5",
        "RETRY_MAX_SECONDS": "4",
        "ALERT_GROUP_WAIT_SECONDS": "0",
        "ALERT_TICK_SECONDS": "0.5",
        "LEDGER_ENABLED": "false",  # deadline reminders would swamp the count; alerts carry the sends
        "LOG_FORMAT": "json",
    }


async def route_everything(database_url: str, webhook: HttpReceiver) -> None:
    """Every contact gets a phone and the webhook receiver; every rule allows all three channels."""
    db = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await db.execute(
            "UPDATE notifier.contacts SET phone = '8490' || lpad(id::text, 7, '0'), webhook_url = $1, "
            "channels = 'email,sms,webhook'",
            webhook.url,
        )
        await db.execute("UPDATE notifier.routing_rules SET channels = 'email,sms,webhook'")
    finally:
        await db.close()


def run(plan: Plan, run_dir: Path) -> bool:
    """The whole campaign; prints what it saw and, last, the chaos line. True when every invariant held."""
    for name in ("NATS_URL", "DATABASE_URL", "SMTP_HOST", "SMTP_PORT"):  # its own servers, always
        os.environ.pop(name, None)
    rng = random.Random(plan.seed)
    smtp, sms, webhook = (
        SmtpReceiver().start(),
        HttpReceiver("sms", 2.0).start(),
        HttpReceiver("webhook", 2.0).start(),
    )
    ports = {name: free_port() for name in ("intake", "kpi", "notifier")}
    run_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(run_dir, ports=ports, extra_env=stack_env(run_dir / "clock", smtp, sms, webhook))
    try:
        endpoints = stack.start()
        asyncio.run(route_everything(endpoints.database_url, webhook))
        token = stack.demo_tokens()["operator"]
        supervisor = Supervisor.of(stack, say=lambda line: _say(f"  runner: {line}"))
        supervisor.stable, supervisor.max_delay = 5.0, 4.0  # killed every few seconds: come back fast
        injector = Injector(supervisor, smtp, sms, webhook, ACK_WAIT + 2.0, rng, log=_say)
        injector.open_attempts = lambda: mid_send.open_attempts(endpoints.database_url)
        return _campaign(plan, stack, supervisor, injector, token)
    finally:
        stack.stop()
        for receiver in (smtp, sms, webhook):
            receiver.stop()


def _campaign(plan: Plan, stack: Stack, supervisor: Supervisor, injector: Injector, token: str) -> bool:
    assert stack.endpoints is not None
    stop_supervising = threading.Event()

    def supervise() -> None:
        while not stop_supervising.wait(0.2):
            supervisor.tick()

    def inject() -> None:
        while sum(injector.injected.values()) < plan.faults:
            time.sleep(injector.rng.uniform(*plan.gap))
            # each fault hits a serving system, not a restarting one
            recovery.append(_wait_ready(stack, plan.ready_wait))
            injector.one()

    recovery: list[float] = []  # seconds until every service answered ready again, before each fault

    threading.Thread(target=supervise, daemon=True).start()
    faults = threading.Thread(target=inject, daemon=True)
    faults.start()
    out = Outcomes()
    reports = Reports(random.Random(plan.seed + 1), units()[:32])
    asyncio.run(
        open_loop(stack.endpoints.intake_url, token, reports, plan.rate, lambda: not faults.is_alive(), out)
    )
    time.sleep(injector.pause_seconds + 4.0)  # the last pause ended, the receivers are back to normal
    recovery.sort()
    if recovery:
        _say(
            f"  back to ready before a fault: median {recovery[len(recovery) // 2]:.1f} s, max "
            f"{recovery[-1]:.1f} s, {sum(r >= plan.ready_wait for r in recovery)} waits cut at "
            f"{plan.ready_wait:g} s"
        )
    try:
        return _verdict(plan, stack, injector, out)
    finally:
        stop_supervising.set()


def _verdict(plan: Plan, stack: Stack, injector: Injector, out: Outcomes) -> bool:
    assert stack.endpoints is not None
    database_url, nats_url = stack.endpoints.database_url, stack.endpoints.nats_url
    busy = asyncio.run(check.drain(database_url, nats_url, plan.drain_seconds))
    received = {
        "email": injector.smtp.accepted,
        "sms": injector.sms.accepted,
        "webhook": injector.webhook.accepted,
    }
    found = asyncio.run(check.findings(database_url, nats_url, out.unknown, received))
    found.verify_ok, found.verify_tail = check.kpi_verify(stack.services["kpi"].env)
    duplicates = sum(r.duplicates() for r in (injector.smtp, injector.sms, injector.webhook))
    sends = asyncio.run(attribution.resends(database_url, injector.kills_during_attempts, received))
    faults, accepted = sum(injector.injected.values()), len(out.accepted) + found.found_unknown
    print(f"  faults: {dict(sorted(injector.injected.items()))}")
    print(
        f"  reports sent {out.sent}, answers {dict(sorted(out.statuses.items()))}, client retries "
        f"{out.retries}, gave up after 120 s {len(out.unknown)} (found stored {found.found_unknown}), "
        f"refused {len(out.refused)} {out.refused[:3]}"
    )
    print(f"  5xx other than 503: {out.errors_5xx()}; still busy after the drain: {busy or 'nothing'}")
    print(
        f"  intake stored {found.stored} revisions, {found.stored - accepted} more than accepted (a client "
        f"without an Idempotency-Key retried after a dropped connection); kpi verify: {found.verify_tail}"
    )
    print(
        f"  notification intents {dict(found.intents or {})}; deliveries received: smtp "
        f"{sum(injector.smtp.accepted.values())}, sms {sum(injector.sms.accepted.values())}, webhook "
        f"{sum(injector.webhook.accepted.values())}; marked sent but never received "
        f"{found.sent_not_received}"
    )
    for line in attribution.explained(injector, sends.ids, stack.run_dir / "logs" / "notifier.log"):
        print(line)
    print(
        f"  crashes mid-send: {sends.kills} kills of the notifier or PostgreSQL cut {sends.cut} delivery "
        f"attempts; duplicates no cut attempt of their own notification accounts for: {sends.unexplained}"
    )
    print(
        f"chaos: {faults} faults, {accepted} reports accepted, {found.lost} lost, {found.applied_twice} "
        f"applied twice, projections == recompute: {'yes' if found.verify_ok else 'no'}, intents lost "
        f"{found.intents_lost}, duplicate deliveries {duplicates} "
        f"(crashes mid-send {sends.cut})",
        flush=True,
    )
    return bool(
        faults >= plan.faults
        and found.lost == 0
        and found.applied_twice == 0
        and found.verify_ok
        and found.intents_lost == 0
        and found.sent_not_received == 0
        and duplicates <= sends.cut
        and sends.unexplained == 0
        and out.errors_5xx() == 0
        and not out.refused
        and not busy
    )
