"""The faults, each injected at a random (seeded) moment into the running stack and its receivers.

Processes are killed with SIGKILL and left to the runner's supervisor to restart, as under `make run`.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bdhvs_local.chaos.receivers import Counting, HttpReceiver, SmtpReceiver
from bdhvs_local.supervisor import Supervisor

SERVICES = ("intake", "kpi", "notifier")
KINDS = (
    *(f"kill {s}" for s in SERVICES),
    "kill notifier mid-send",
    *(f"pause {s}" for s in SERVICES),
    "restart nats-server",
    "restart PostgreSQL",
    "smtp refuse",
    "smtp slow",
    "sms 5xx",
    "sms 429",
    "sms timeout",
    "webhook down",
)


@dataclass(frozen=True)
class Fault:
    """A fault that happened: from when until when (wall clock; a kill's moment, a pause's or a
    receiver mode's whole span), to line up with the receivers' arrivals."""

    at: float
    until: float
    kind: str


@dataclass
class Injector:
    supervisor: Supervisor
    smtp: SmtpReceiver
    sms: HttpReceiver
    webhook: HttpReceiver
    pause_seconds: float  # longer than the services' ack_wait
    rng: random.Random
    injected: Counter[str] = field(default_factory=Counter)
    # the notifier's delivery attempts open when it or PostgreSQL was killed: transaction -> notification
    open_attempts: Callable[[], dict[str, str]] = dict
    kills_during_attempts: list[dict[str, str]] = field(default_factory=list)
    mid_send_wait: float = 20.0  # seconds the mid-send fault waits for a delivery to hold
    log: Callable[[str], None] = print
    timeline: list[Fault] = field(default_factory=list)
    _span: float = 0.0  # how long the fault being injected lasts (a pause, a receiver's mode)

    def one(self) -> None:
        """Inject one fault chosen at random; count it only if it really happened."""
        kind = self.rng.choice(KINDS)
        self._span = 0.0
        if self._inject(kind):
            at = time.time()
            self.timeline.append(Fault(at, at + self._span, kind))
            self.injected[kind] += 1
            self.log(f"fault {sum(self.injected.values())}: {kind}")

    def _inject(self, kind: str) -> bool:
        verb, target = kind.split(" ", 1)
        if verb in ("kill", "restart"):
            if target == "notifier mid-send":
                return self._kill_mid_send()
            return self._kill(target)
        if verb == "pause":
            return self._pause(target)
        receiver: Counting = {"smtp": self.smtp, "sms": self.sms, "webhook": self.webhook}[verb]
        self._for_a_while(receiver, target, self.rng.uniform(1.0, 4.0))
        return True

    def _pid(self, name: str) -> int | None:
        return self.supervisor.pids().get(name)

    def _signal(self, name: str, signum: int) -> bool:
        pid = self._pid(name)
        alive = pid is not None and any(w.name == name and w.alive() for w in self.supervisor.watched)
        if not alive or pid is None:
            return False
        os.kill(pid, signum)
        return True

    def _kill_mid_send(self) -> bool:
        """Hold the next delivery open at whichever receiver gets one, and SIGKILL the notifier while
        it is held: a crash mid-send for certain. No delivery within `mid_send_wait`: no fault."""
        receivers = (self.smtp, self.sms, self.webhook)
        for receiver in receivers:
            receiver.hold()
        try:
            deadline = time.monotonic() + self.mid_send_wait
            while not any(r.held for r in receivers) and time.monotonic() < deadline:
                time.sleep(0.01)
            return any(r.held for r in receivers) and self._kill("notifier")
        finally:
            for receiver in receivers:
                receiver.release()

    def _kill(self, name: str) -> bool:
        """SIGKILL. Before a kill of the notifier or of its database the notifier is stopped (SIGSTOP)
        and its open delivery attempts noted (mid_send.py): stopped, it can neither start one unseen
        nor commit one between the look and the kill (a look without it missed an attempt claimed in
        those milliseconds). Those that never commit make this kill a crash mid-send."""
        if name not in ("notifier", "PostgreSQL"):
            return self._signal(name, signal.SIGKILL)
        pid = self._pid("notifier")
        was_stopped = _stopped(pid)  # a pause fault in progress: leave it paused
        frozen = self._signal("notifier", signal.SIGSTOP)
        if frozen:
            _until_stopped(pid)
        try:
            attempts = self.open_attempts() if frozen else {}
            killed = self._signal(name, signal.SIGKILL)
        finally:
            if frozen and name != "notifier" and not was_stopped:
                _cont(pid)
        if killed and attempts:
            self.kills_during_attempts.append(attempts)
        return killed

    def _pause(self, name: str) -> bool:
        if not self._signal(name, signal.SIGSTOP):
            return False
        pid = self._pid(name)
        _until_stopped(pid)  # a later kill's look must see this pause as one in progress
        self._span = self.pause_seconds
        timer = threading.Timer(self.pause_seconds, lambda: _cont(pid))
        timer.daemon = True
        timer.start()
        return True

    def _for_a_while(self, receiver: Counting, mode: str, seconds: float) -> None:
        if isinstance(receiver, HttpReceiver) and mode == "down":
            receiver.down()
            restore: Callable[[], None] = receiver.up
        else:
            receiver.mode = mode

            def restore() -> None:
                receiver.mode = "ok"

        self._span = seconds
        timer = threading.Timer(seconds, restore)
        timer.daemon = True
        timer.start()


def _stopped(pid: int | None) -> bool:
    """Whether the process is stopped (SIGSTOP): its state in /proc is T."""
    try:
        return pid is not None and open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "T"
    except OSError:
        return False


def _until_stopped(pid: int | None, seconds: float = 2.0) -> bool:
    """Wait for a SIGSTOP to take effect: the process stops only when it is next scheduled, which on a
    loaded machine can be milliseconds later. True once it is stopped."""
    deadline = time.monotonic() + seconds
    while not _stopped(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.001)
    return True


def _cont(pid: int | None) -> None:
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):  # killed while paused
            os.kill(pid, signal.SIGCONT)
