"""The three services as processes against the test's servers (the end-to-end tier)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bdhvs_local.ports import free_port
from bdhvs_local.services import SERVICES, ServiceProcess
from support.auth_server import NO_AUTH_URL


@dataclass
class RunningSystem:
    services: dict[str, ServiceProcess]
    env: dict[str, str]

    def url(self, name: str) -> str:
        return self.services[name].url

    def cli(self, service: str, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", service, *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def restart(self, name: str) -> None:
        old = self.services[name]
        self.services[name] = ServiceProcess(name, old.port, old.env, old.log_path).start()
        self.services[name].wait_ready()


@contextmanager
def running_system(
    env: dict[str, str], log_dir: Path, names: tuple[str, ...] = SERVICES
) -> Iterator[RunningSystem]:
    ports = {name: free_port() for name in names}
    # kpi and notifier ask intake who a token belongs to; without intake, nothing answers there
    auth_url = f"http://127.0.0.1:{ports['intake']}" if "intake" in ports else NO_AUTH_URL
    env = {"AUTH_URL": auth_url, **env}
    system = RunningSystem({}, env)
    try:
        for name in names:
            system.services[name] = ServiceProcess(name, ports[name], env, log_dir / f"{name}.log").start()
        for service in system.services.values():
            service.wait_ready()
        yield system
    finally:
        for service in system.services.values():
            service.stop()
