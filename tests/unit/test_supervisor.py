"""The runner's supervisor: a dead process is restarted after back-off, the others are never touched."""

from __future__ import annotations

from dataclasses import dataclass

from bdhvs_local.supervisor import Supervisor, Watched


@dataclass
class FakeProcess:
    name: str
    up: bool = True
    starts: int = 0
    refuse: int = 0  # the next N restarts fail (e.g. its port still taken)

    def restart(self) -> None:
        if self.refuse:
            self.refuse -= 1
            raise OSError("address in use")
        self.starts += 1
        self.up = True

    def watched(self) -> Watched:
        return Watched(self.name, lambda: self.up, self.restart, lambda: 100 + self.starts)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def supervisor(*processes: FakeProcess) -> tuple[Supervisor, list[str], Clock]:
    lines: list[str] = []
    clock = Clock()
    return Supervisor([p.watched() for p in processes], None, lines.append, clock), lines, clock


def test_a_dead_service_is_restarted_after_its_delay_and_the_others_are_left_alone() -> None:
    kpi, intake = FakeProcess("kpi"), FakeProcess("intake")
    sup, lines, clock = supervisor(intake, kpi)
    kpi.up = False
    sup.tick()
    assert lines == ["kpi stopped unexpectedly; restarting in 0.5 s"]
    assert kpi.starts == 0
    clock.now = 0.6
    sup.tick()
    assert (kpi.starts, kpi.up, intake.starts) == (1, True, 0)
    assert lines[-1] == "kpi restarted (pid 101, restart 1 in a row)"
    assert sup.restarts == 1


def test_back_off_doubles_while_it_keeps_dying_and_resets_once_it_stays_up() -> None:
    kpi = FakeProcess("kpi")
    sup, lines, clock = supervisor(kpi)
    delays = []
    for _ in range(8):
        kpi.up = False
        sup.tick()
        delays.append(float(lines[-1].split("in ")[1].split(" s")[0]))
        clock.now += 31
        sup.tick()
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    clock.now += 61  # up a minute: the next crash is restarted quickly again
    sup.tick()
    kpi.up = False
    sup.tick()
    assert lines[-1].endswith("restarting in 0.5 s")


def test_a_failed_restart_is_tried_again_later() -> None:
    nats = FakeProcess("nats-server", refuse=1)
    sup, lines, clock = supervisor(nats)
    nats.up = False
    sup.tick()
    clock.now = 1.0
    sup.tick()
    assert "failed to restart (address in use); next try in 1.0 s" in lines[-1]
    clock.now = 2.5
    sup.tick()
    assert nats.up and nats.starts == 1


def test_a_paused_process_is_not_restarted() -> None:
    """SIGSTOP leaves a process alive: only death is a reason to start another."""
    notifier = FakeProcess("notifier")
    sup, lines, clock = supervisor(notifier)
    for step in range(10):
        clock.now = step * 10.0
        sup.tick()
    assert lines == [] and notifier.starts == 0
