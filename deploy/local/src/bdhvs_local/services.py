"""The three services as separate processes, as production runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SERVICES = ("intake", "kpi", "notifier")


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    host: str = "127.0.0.1"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServiceProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env, "HTTP_HOST": self.host, "HTTP_PORT": str(self.port)}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.name, "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return self

    # 4 services importing at once on a busy machine: at load 40 on 2 cores, kpi took 169 s to answer
    # ready (5 CPU-seconds of it), and `make soak` gave up on intake after 180 s
    def wait_ready(self, timeout: float = 600.0) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0) as client:  # one client: each new one loads the CA store (20 ms)
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    code = self.process.returncode
                    raise RuntimeError(f"{self.name} exited with {code}; see {self.log_path}")
                try:
                    if client.get(f"{self.url}/health/ready").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready after {timeout}s; see {self.log_path}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks run, as in a crash."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def migrate_all(env: dict[str, str]) -> None:
    """Apply each service's migrations, as its own `migrate` command does."""
    for name in SERVICES:
        result = subprocess.run(
            [sys.executable, "-m", name, "migrate"], env={**os.environ, **env}, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"{name} migrate failed: {result.stderr[-3000:]}")
