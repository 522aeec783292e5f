"""The chaos campaign's mid-send fault and its count C (issue 16): the kill lands while a delivery is
held open at a receiver, and C counts the delivery attempts a kill cut, by the notifier's own state in
PostgreSQL (an attempt open at the kill that never committed).

The stand-in notifier is a child process running the notifier's own Delivery (claim FOR UPDATE, send
by its WebhookChannel, record the result in the same transaction) against a real database and the
loopback webhook receiver; it is killed by the same Injector the campaign uses."""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import asyncpg
import pytest

from bdhvs_local.chaos import check, mid_send
from bdhvs_local.chaos.faults import Injector, _stopped, _until_stopped
from bdhvs_local.chaos.receivers import HttpReceiver, SmtpReceiver
from bdhvs_local.supervisor import Supervisor, Watched
from support.databases import dsn

# One delivery by the notifier's code: claim the due webhook notification, send it, record the result.
NOTIFIER = """
import asyncio, sys
import httpx
from prometheus_client import CollectorRegistry, Counter
from pydantic import SecretStr
from bdhvs_shared.clock import SystemClock
from bdhvs_shared.db.engine import PoolSettings, make_engine, make_sessionmaker
from notifier.adapters import stores
from notifier.adapters.webhook import WebhookChannel
from notifier.domain.rate_limit import TokenBucket
from notifier.domain.retry import RetryPolicy
from notifier.service_layer.deliver import Delivery, DeliveryCounters
from notifier.settings.channels import WebhookSettings

async def main(url):
    engine = make_engine(url, PoolSettings(size=1))
    registry = CollectorRegistry()
    counters = DeliveryCounters(*(Counter(n, n, ["channel"], registry=registry) for n in "abc"))
    async with httpx.AsyncClient() as client:
        channel = WebhookChannel(WebhookSettings(SecretStr("chaos-test-secret"), 60.0, 10.0), client)
        delivery = Delivery(stores.transactions(make_sessionmaker(engine)), channel, TokenBucket(10, 1, 0),
                            RetryPolicy(3, 0.1, 0.1), SystemClock(), counters)
        print(await delivery.deliver_next(), flush=True)
    await engine.dispose()

asyncio.run(main(sys.argv[1]))
"""


@pytest.fixture
def receivers() -> Iterator[tuple[SmtpReceiver, HttpReceiver, HttpReceiver]]:
    smtp, sms, webhook = (
        SmtpReceiver().start(),
        HttpReceiver("sms", 2.0).start(),
        HttpReceiver("webhook", 2.0).start(),
    )
    yield smtp, sms, webhook
    for receiver in (smtp, sms, webhook):
        receiver.stop()


async def _pending_webhook(database_url: str, url: str) -> str:
    """A due webhook notification to `url`; its id."""
    nid, now = uuid.uuid4(), datetime.now(UTC)
    db = await asyncpg.connect(dsn(database_url))
    try:
        await db.execute(
            "INSERT INTO notifier.notifications (id, idempotency_key, unit_code, kind, channel, recipient, "
            "subject, body_text, status, attempts, created_at, next_attempt_at, source_event_id, "
            "correlation_id) VALUES ($1, $2, '09313', 'kpi_alerts', 'webhook', $3, 'Cảnh báo', 'x', "
            "'pending', 0, $4, $4, $5, $5)",
            nid,
            f"key-{nid}",
            url,
            now,
            uuid.uuid4(),
        )
    finally:
        await db.close()
    return str(nid)


def _notifier(database_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", NOTIFIER, database_url], stdout=subprocess.PIPE, text=True)


def _delivered(notifier: subprocess.Popen[str]) -> bool:
    """Whether the stand-in notifier found a due row and went through with it (its last line)."""
    return notifier.communicate(timeout=120)[0].strip().splitlines()[-1] == "True"


def _injector(
    receivers: tuple[SmtpReceiver, HttpReceiver, HttpReceiver],
    sender: list[subprocess.Popen[str]],
    database_url: str,
) -> Injector:
    """An Injector whose "notifier" is whatever process `sender` holds when the fault looks."""
    watched = Watched(
        "notifier", lambda: bool(sender) and sender[0].poll() is None, lambda: None, lambda: sender[0].pid
    )
    injector = Injector(Supervisor([watched]), *receivers, 1.0, random.Random(0), log=lambda _: None)
    injector.open_attempts = lambda: mid_send.open_attempts(database_url)
    injector.mid_send_wait = 90.0  # a child python importing the notifier on a busy machine
    return injector


def _cut(database_url: str, injector: Injector) -> Counter[str]:
    kills = injector.kills_during_attempts
    return mid_send.cut_per_notification(kills, asyncio.run(mid_send.never_committed(database_url, kills)))


def test_the_mid_send_kill_cuts_the_held_attempt_and_its_one_re_send_is_accounted_for(
    receivers: tuple[SmtpReceiver, HttpReceiver, HttpReceiver], database_url: str
) -> None:
    webhook, sender = receivers[2], list[subprocess.Popen[str]]()
    nid = asyncio.run(_pending_webhook(database_url, webhook.url))
    injector, injected = _injector(receivers, sender, database_url), []
    fault = threading.Thread(target=lambda: injected.append(injector._inject("kill notifier mid-send")))
    fault.start()
    while not webhook.holding:  # the fault is waiting for a delivery to hold
        time.sleep(0.01)
    sender.append(_notifier(database_url))
    try:
        fault.join(timeout=120)
        assert injected == [True]
        assert sender[0].wait(timeout=10) == -9  # killed while its request was held open
    finally:
        sender[0].kill()
    assert [list(seen.values()) for seen in injector.kills_during_attempts] == [[nid]]
    deadline = time.monotonic() + 5
    while webhook.in_flight and time.monotonic() < deadline:  # released: the receiver finishes it
        time.sleep(0.05)
    # Received (a real receiver acts on it though its answer never reached the dead sender); the
    # notifier, started again, finds the row still pending and sends it once more.
    key = f"key-{nid}"
    assert webhook.accepted[key] == 1
    again = _notifier(database_url)
    assert _delivered(again)
    assert webhook.duplicates() == 1
    cut = _cut(database_url, injector)
    assert cut == Counter({nid: 1})
    ids = {("webhook", key): nid}
    assert check.unexplained_duplicates({"webhook": webhook.accepted}, ids, cut) == 0
    # without the cut attempt, the same second delivery would be unexplained
    assert check.unexplained_duplicates({"webhook": webhook.accepted}, ids, Counter()) == 1


def test_an_attempt_that_committed_after_the_look_is_not_cut(
    receivers: tuple[SmtpReceiver, HttpReceiver, HttpReceiver], database_url: str
) -> None:
    webhook = receivers[2]
    nid = asyncio.run(_pending_webhook(database_url, webhook.url))
    webhook.hold()
    sender = _notifier(database_url)
    try:
        deadline = time.monotonic() + 90
        while not webhook.held and time.monotonic() < deadline:
            time.sleep(0.01)
        seen = mid_send.open_attempts(database_url)
        assert list(seen.values()) == [nid]  # open while its delivery is held at the receiver
    finally:
        webhook.release()
    assert _delivered(sender)  # answered, recorded, committed
    assert asyncio.run(mid_send.never_committed(database_url, [seen])) == set()


@pytest.mark.parametrize("paused_before", [False, True])
def test_the_notifier_is_stopped_while_the_look_is_made_and_goes_on_after_a_kill_of_postgresql(
    receivers: tuple[SmtpReceiver, HttpReceiver, HttpReceiver], paused_before: bool
) -> None:
    """Stopped, the notifier can neither start an attempt unseen nor commit one between the look and
    the kill; after a kill of PostgreSQL it goes on, unless a pause fault had stopped it already."""
    sleep = [sys.executable, "-c", "import time; time.sleep(60)"]
    notifier, postgres = subprocess.Popen(sleep), subprocess.Popen(sleep)
    try:
        watched = [
            Watched("notifier", lambda: notifier.poll() is None, lambda: None, lambda: notifier.pid),
            Watched("PostgreSQL", lambda: postgres.poll() is None, lambda: None, lambda: postgres.pid),
        ]
        injector = Injector(Supervisor(watched), *receivers, 1.0, random.Random(0), log=lambda _: None)
        states: list[bool] = []
        injector.open_attempts = lambda: states.append(_stopped(notifier.pid)) or {}
        if paused_before:  # a pause fault in effect (its SIGSTOP lands when the process is next scheduled)
            notifier.send_signal(signal.SIGSTOP)
            assert _until_stopped(notifier.pid)
        assert injector._inject("restart PostgreSQL")
        assert postgres.wait(timeout=10) == -9
        assert states == [True]  # looked at while stopped
        assert _stopped(notifier.pid) == paused_before and notifier.poll() is None
    finally:
        notifier.kill()
        postgres.kill()


def test_a_kill_with_no_attempt_open_is_not_a_crash_mid_send(
    receivers: tuple[SmtpReceiver, HttpReceiver, HttpReceiver], database_url: str
) -> None:
    asyncio.run(_pending_webhook(database_url, receivers[2].url))  # due, but nobody has claimed it
    sender = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], text=True)]
    try:
        injector = _injector(receivers, sender, database_url)
        assert injector._inject("kill notifier")
        assert sender[0].wait(timeout=10) == -9
        assert injector.kills_during_attempts == []
    finally:
        sender[0].kill()


def test_no_delivery_to_hold_means_no_mid_send_fault_and_no_kill(
    receivers: tuple[SmtpReceiver, HttpReceiver, HttpReceiver], database_url: str
) -> None:
    sender = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], text=True)]
    try:
        injector = _injector(receivers, sender, database_url)
        injector.mid_send_wait = 0.5
        assert not injector._inject("kill notifier mid-send")
        assert sender[0].poll() is None and injector.kills_during_attempts == []
        assert not any(r.holding for r in receivers)  # released: later deliveries go through
    finally:
        sender[0].kill()


def test_the_look_sees_a_claim_still_running_when_the_notifier_was_stopped(database_url: str) -> None:
    """Found by CI: a claim the notifier sent just before its SIGSTOP took its row lock after the look;
    the kill of PostgreSQL then cut an attempt no look had seen (a duplicate nothing accounted for).
    The look waits until no statement of the notifier is running."""
    nid = asyncio.run(_pending_webhook(database_url, "http://127.0.0.1:9/unused"))

    async def claim_while_looking() -> dict[str, str]:
        notifier = await asyncpg.connect(dsn(database_url), server_settings={"application_name": "notifier"})
        try:
            claim = notifier.transaction()
            await claim.start()
            slow_claim = asyncio.ensure_future(  # the lock is taken 0.5 s after the statement is sent
                notifier.fetch(
                    "SELECT x.id FROM notifier.notifications x, pg_sleep(0.5) WHERE x.status = 'pending' "
                    "FOR UPDATE OF x"
                )
            )
            await asyncio.sleep(0.05)  # sent and running in its backend
            seen = await asyncio.to_thread(mid_send.open_attempts, database_url)
            await slow_claim
            await claim.rollback()
            return seen
        finally:
            await notifier.close()

    assert list(asyncio.run(claim_while_looking()).values()) == [nid]
