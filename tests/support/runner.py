"""`python -m bdhvs_local run` as a person starts it (its own embedded servers), read line by line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bdhvs_local.ports import free_port

OUTSIDE = ("NATS_URL", "DATABASE_URL", "SMTP_HOST", "SMTP_PORT")  # the runner starts its own


@dataclass
class Runner:
    run_dir: Path
    process: subprocess.Popen[str]
    ports: dict[str, int]
    lines: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, run_dir: Path) -> Runner:
        ports = {name: free_port() for name in ("intake", "kpi", "notifier", "web")}
        env = {k: v for k, v in os.environ.items() if k not in OUTSIDE}
        env |= {f"{name.upper()}_PORT": str(port) for name, port in ports.items()}
        process = subprocess.Popen(
            [sys.executable, "-m", "bdhvs_local", "run", "--run-dir", str(run_dir)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, as a terminal gives it: Ctrl-C = killpg
        )
        runner = cls(run_dir, process, ports)
        threading.Thread(target=runner._read, daemon=True).start()
        return runner

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, starts: str, timeout: float = 180.0, after: int = 0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if line.startswith(starts):
                    return line
            if self.process.poll() is not None:
                raise AssertionError(f"runner exited {self.process.returncode}:\n" + "\n".join(self.lines))
            time.sleep(0.1)
        raise AssertionError(f"no line {starts!r} after {timeout}s:\n" + "\n".join(self.lines[-40:]))

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def ctrl_c(self, timeout: float = 90.0) -> int:
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """Last resort at the end of a failed test: nothing of it left running."""
        if self.process.poll() is None:
            self.ctrl_c()


def alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def processes_using(path: Path) -> list[int]:
    """Processes whose command line names `path` (the embedded servers' data directories)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(path) in cmdline and alive(int(entry.name)):
                found.append(int(entry.name))
    return found
