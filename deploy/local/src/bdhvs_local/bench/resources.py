"""CPU time and resident memory of each process of the stack (psutil), read between the runs.

A process is counted with its descendants (PostgreSQL's backends, a service's child) and the
children it has already reaped, so the difference of two readings is what the tree spent between
them. The load generator is this process alone: the stack's servers are its children too.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import psutil

if TYPE_CHECKING:
    from bdhvs_local.stack import Stack


@dataclass(frozen=True)
class Watched:
    name: str
    pid: int
    tree: bool = True  # with its descendants
    service: bool = False  # a product service: its memory is reported


def _cpu(process: psutil.Process, tree: bool) -> float:
    times = process.cpu_times()
    total = times.user + times.system
    if not tree:
        return total
    total += times.children_user + times.children_system
    for child in process.children(recursive=True):
        try:
            t = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


@dataclass
class Processes:
    """The stack's processes by name; a process that is gone reads as absent."""

    watched: list[Watched] = field(default_factory=list)

    @classmethod
    def of(cls, services: dict[str, int], servers: dict[str, int]) -> Processes:
        return cls(
            [Watched(name, pid, service=True) for name, pid in services.items()]
            + [Watched(name, pid, tree=name != "nats-server") for name, pid in servers.items()]
            + [Watched("load generator", os.getpid(), tree=False)]
        )

    def cpu_seconds(self) -> dict[str, float]:
        readings: dict[str, float] = {}
        for w in self.watched:
            try:
                readings[w.name] = _cpu(psutil.Process(w.pid), w.tree)
            except psutil.Error:
                continue
        return readings

    def spent_since(self, before: dict[str, float]) -> dict[str, float]:
        """CPU seconds each process spent since the `before` reading (`cpu_seconds`); one gone since
        is left out."""
        after = self.cpu_seconds()
        return {name: after[name] - spent for name, spent in before.items() if name in after}

    def resident_mb(self) -> dict[str, float]:
        """Each service's resident memory (with its children), in MB."""
        readings: dict[str, float] = {}
        for w in self.watched:
            if not w.service:
                continue
            try:
                process = psutil.Process(w.pid)
                rss = process.memory_info().rss + sum(
                    c.memory_info().rss for c in process.children(recursive=True)
                )
            except psutil.Error:
                continue
            readings[w.name] = rss / 2**20
        return readings


def processes_of(stack: Stack) -> Processes:
    """The stack's running services (by their name in `stack.services`) and servers."""
    services = {name: s.process.pid for name, s in stack.services.items() if s.process is not None}
    return Processes.of(services, stack.servers)


@dataclass(frozen=True)
class CpuSpent:
    """CPU milliseconds per report that each process spent during one run."""

    run: str
    reports: int
    ms_per_report: dict[str, float]
    seconds: float  # wall time of the run
    machine_busy: float  # cores the whole machine kept busy meanwhile (other work included)

    @property
    def total(self) -> float:
        return sum(self.ms_per_report.values())


class CpuWatch:
    """One run's CPU: read at `start`, and again at `stop`."""

    def __init__(self, processes: Processes | None, run: str, reports: int) -> None:
        self._processes, self._run, self._reports = processes, run, reports

    def start(self) -> None:
        self._before = self._processes.cpu_seconds() if self._processes else {}
        self._machine = machine_busy_seconds()
        self._at = time.perf_counter()

    def stop(self) -> CpuSpent:
        spent = self._processes.spent_since(self._before) if self._processes else {}
        seconds = time.perf_counter() - self._at
        per = {name: cpu * 1000 / max(1, self._reports) for name, cpu in spent.items()}
        busy = (machine_busy_seconds() - self._machine) / seconds if seconds else 0.0
        return CpuSpent(self._run, self._reports, per, seconds, busy)


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has been busy (any process, this stack's or not)."""
    t = psutil.cpu_times()
    return float(sum(t) - t.idle - getattr(t, "iowait", 0.0))
