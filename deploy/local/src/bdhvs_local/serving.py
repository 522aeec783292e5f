"""Keep a started stack running until Ctrl-C or SIGTERM (`make run`, `make demo`), then stop it."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from bdhvs_local.stack import Stack
from bdhvs_local.supervisor import Supervisor


class StopSignals:
    """Set by SIGTERM or SIGINT; installed before the stack starts, so a stop during start is kept."""

    def __init__(self) -> None:
        self.stopping = False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, _: object) -> None:
        self.stopping = True


def serve(stack: Stack, run_dir: Path, signals: StopSignals) -> None:
    """Keep the stack up until told to stop: a process that dies is restarted (Supervisor)."""
    supervisor = Supervisor.of(stack, say=lambda line: print(f"{line}; see {run_dir / 'logs'}", flush=True))
    print("Press Ctrl-C to stop.", flush=True)
    try:
        while not signals.stopping:
            supervisor.tick()
            time.sleep(0.5)
    finally:
        print("Stopping…", flush=True)
        stack.stop()
        print("Stopped.")
