"""Keep the stack up (`make run`): a process that dies is started again, with back-off, and says so.

Each watched process (PostgreSQL, nats-server, then the services) is checked on every `tick()`. One
found dead is restarted after a delay that doubles with each failure in a row (0.5 s, 1 s, 2 s … up to
30 s) and goes back to the first once it has stayed up a minute. The embedded servers restart on the
same port with the same data directory; a service restarts with the same port, environment and log.
The others are never touched. `pids.json` in the run directory always names the current processes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bdhvs_local.services import ServiceProcess

if TYPE_CHECKING:
    from bdhvs_local.stack import Stack


@dataclass
class Watched:
    """One supervised process: how to tell it is alive, how to start it again, and its restart state."""

    name: str
    alive: Callable[[], bool]
    restart: Callable[[], None]
    pid: Callable[[], int | None]
    failures: int = 0  # restarts in a row without staying up `stable` seconds
    due: float | None = None  # when the next restart is due, while it is down
    up_since: float = 0.0


@dataclass
class Supervisor:
    watched: list[Watched]
    pids_path: Path | None = None
    say: Callable[[str], None] = print
    clock: Callable[[], float] = time.monotonic
    first_delay: float = 0.5
    max_delay: float = 30.0
    stable: float = 60.0
    restarts: int = 0

    @classmethod
    def of(cls, stack: Stack, say: Callable[[str], None] = print) -> Supervisor:
        """PostgreSQL and nats-server first (when embedded), then the services in their start order."""
        watched = [*_servers(stack), *(_service(stack.services, name) for name in stack.services)]
        return cls(watched, stack.run_dir / "pids.json", say)

    def __post_init__(self) -> None:
        for one in self.watched:
            one.up_since = self.clock()
        self.write_pids()

    def tick(self) -> None:
        """Look at every process once; restart those whose back-off has run out."""
        for one in self.watched:
            self._check(one, self.clock())

    def _check(self, one: Watched, now: float) -> None:
        if one.due is None:
            if one.alive():
                if now - one.up_since >= self.stable:
                    one.failures = 0
                return
            one.due = now + self.delay(one.failures)
            self.say(f"{one.name} stopped unexpectedly; restarting in {one.due - now:.1f} s")
            return
        if now < one.due:
            return
        try:
            one.restart()
        except Exception as error:  # e.g. its port not free yet: try again later
            one.failures += 1
            one.due = now + self.delay(one.failures)
            self.say(f"{one.name} failed to restart ({error}); next try in {one.due - now:.1f} s")
            return
        one.failures += 1
        one.due, one.up_since = None, now
        self.restarts += 1
        self.say(f"{one.name} restarted (pid {one.pid()}, restart {one.failures} in a row)")
        self.write_pids()

    def delay(self, failures: int) -> float:
        return float(min(self.max_delay, self.first_delay * 2**failures))

    def pids(self) -> dict[str, int]:
        return {one.name: pid for one in self.watched if (pid := one.pid()) is not None}

    def write_pids(self) -> None:
        if self.pids_path is not None:
            self.pids_path.write_text(json.dumps(self.pids(), indent=2))


def _servers(stack: Stack) -> list[Watched]:
    servers: list[tuple[str, Server | None]] = [("PostgreSQL", stack.postgres), ("nats-server", stack.nats)]
    return [_server(name, server) for name, server in servers if server is not None]


def _service(services: dict[str, ServiceProcess], name: str) -> Watched:
    """A service restarts as a new process in the stack's table (the stack stops whatever runs)."""

    def restart() -> None:
        old = services[name]
        services[name] = ServiceProcess(old.name, old.port, old.env, old.log_path, old.host).start()

    def pid() -> int | None:
        process = services[name].process
        return None if process is None else process.pid

    return Watched(name, lambda: services[name].alive(), restart, pid)


class Server(Protocol):
    """An embedded server: started again on its own port and data directory."""

    @property
    def pid(self) -> int | None: ...

    def alive(self) -> bool: ...

    def start(self) -> object: ...


def _server(name: str, server: Server) -> Watched:
    def restart() -> None:
        server.start()

    return Watched(name, server.alive, restart, lambda: server.pid)


def run_dir_pids(run_dir: Path) -> dict[str, int]:
    """The processes a running `make run` supervises right now (from its pids.json)."""
    return {k: int(v) for k, v in json.loads((run_dir / "pids.json").read_text()).items()}
