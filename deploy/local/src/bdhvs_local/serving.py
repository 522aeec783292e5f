"""Keep a started stack running until Ctrl-C or SIGTERM (`make run`, `make demo`), then stop it."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import typer

from bdhvs_local.stack import Stack


class StopSignals:
    """Set by SIGTERM or SIGINT; installed before the stack starts, so a stop during start is kept."""

    def __init__(self) -> None:
        self.stopping = False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, _: object) -> None:
        self.stopping = True


def serve(stack: Stack, run_dir: Path, signals: StopSignals) -> None:
    """Watch the services until told to stop; a service that dies ends it (exit code 1)."""
    print("Press Ctrl-C to stop.", flush=True)
    try:
        while not signals.stopping:
            dead = [s.name for s in stack.services.values() if not s.alive()]
            if dead:
                print(f"service(s) stopped unexpectedly: {', '.join(dead)}; see {run_dir / 'logs'}")
                raise typer.Exit(1)
            time.sleep(0.5)
    finally:
        print("Stopping…", flush=True)
        stack.stop()
        print("Stopped.")
