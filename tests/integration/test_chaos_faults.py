"""The chaos campaign's mid-send fault and its count C (issue 16): the kill lands while a delivery is
held open at a receiver, and C counts only kills that really landed mid-send.

A stand-in sender (a child process posting to the loopback webhook receiver, as the notifier does)
is killed by the same Injector the campaign uses; no services, no database."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from bdhvs_local.chaos.faults import Injector
from bdhvs_local.chaos.receivers import HttpReceiver, SmtpReceiver
from bdhvs_local.supervisor import Supervisor, Watched

SENDER = """
import sys, httpx
httpx.post(sys.argv[1], json={}, headers={"Idempotency-Key": "k-1"}, timeout=30)
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


def _injector(
    receivers: tuple[SmtpReceiver, HttpReceiver, HttpReceiver], sender: list[subprocess.Popen[bytes]]
) -> Injector:
    """An Injector whose "notifier" is whatever process `sender` holds when the fault looks."""
    watched = Watched(
        "notifier", lambda: bool(sender) and sender[0].poll() is None, lambda: None, lambda: sender[0].pid
    )
    injector = Injector(Supervisor([watched]), *receivers, 1.0, random.Random(0), log=lambda _: None)
    injector.mid_send_wait = 90.0  # a child python importing httpx on a busy machine
    return injector


def test_the_mid_send_kill_lands_while_a_delivery_is_held_and_counts_one_crash(
    receivers: tuple[SmtpReceiver, HttpReceiver, HttpReceiver],
) -> None:
    webhook, sender = receivers[2], list[subprocess.Popen[bytes]]()
    injector, injected = _injector(receivers, sender), []
    fault = threading.Thread(target=lambda: injected.append(injector._inject("kill notifier mid-send")))
    fault.start()
    while not webhook.holding:  # the fault is waiting for a delivery to hold
        time.sleep(0.01)
    sender.append(subprocess.Popen([sys.executable, "-c", SENDER, webhook.url]))
    try:
        fault.join(timeout=120)
        assert injected == [True]
        assert sender[0].wait(timeout=10) == -9  # killed while its request was held open
        assert injector.crashes_mid_send == 1
    finally:
        sender[0].kill()
    deadline = time.monotonic() + 5
    while webhook.in_flight and time.monotonic() < deadline:  # released: the receiver finishes it
        time.sleep(0.05)
    # Received (a real receiver acts on it though its answer never reached the dead sender); the
    # sender, started again, sends it once more: the one duplicate this crash allows.
    assert webhook.accepted["k-1"] == 1
    httpx.post(webhook.url, json={}, headers={"Idempotency-Key": "k-1"})
    assert webhook.duplicates() == 1 <= injector.crashes_mid_send


def test_a_kill_with_no_delivery_in_progress_is_not_a_crash_mid_send(
    receivers: tuple[SmtpReceiver, HttpReceiver, HttpReceiver],
) -> None:
    sender = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])]
    try:
        injector = _injector(receivers, sender)
        assert injector._inject("kill notifier")
        assert sender[0].wait(timeout=10) == -9
        assert injector.crashes_mid_send == 0
    finally:
        sender[0].kill()


def test_no_delivery_to_hold_means_no_mid_send_fault_and_no_kill(
    receivers: tuple[SmtpReceiver, HttpReceiver, HttpReceiver],
) -> None:
    sender = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])]
    try:
        injector = _injector(receivers, sender)
        injector.mid_send_wait = 0.5
        assert not injector._inject("kill notifier mid-send")
        assert sender[0].poll() is None and injector.crashes_mid_send == 0
        assert not any(r.holding for r in receivers)  # released: later deliveries go through
    finally:
        sender[0].kill()
