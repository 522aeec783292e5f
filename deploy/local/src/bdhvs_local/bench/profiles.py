"""Optional sampling profiles of the services during the throughput run (`bench --profile-dir`).

py-spy (PyPI) samples each service from outside; its raw output (collapsed stacks, one line
per stack with its count) is written to the directory given, outside the repository. Not a
dependency of the project: without py-spy on PATH the bench says so and profiles nothing.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path


class Profiler:
    def __init__(self, directory: Path | None, pids: dict[str, int], rate: int = 100) -> None:
        self._directory = directory
        self._pids = pids
        self._rate = rate
        self._running: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        if self._directory is None:
            return
        py_spy = shutil.which("py-spy")
        if py_spy is None:
            print("--profile-dir: py-spy is not on PATH (pip install py-spy); no profiles", flush=True)
            return
        self._directory.mkdir(parents=True, exist_ok=True)
        for name, pid in self._pids.items():
            out = self._directory / f"{name}.txt"
            command = [
                py_spy,
                "record",
                "--pid",
                str(pid),
                "-r",
                str(self._rate),
                "-f",
                "raw",
                "-o",
                str(out),
            ]
            log = (self._directory / f"{name}.py-spy.log").open("wb")
            self._running.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))

    def stop(self) -> None:
        """py-spy writes its profile when interrupted."""
        for process in self._running:
            process.send_signal(signal.SIGINT)
        for process in self._running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if self._running:
            print(f"profiles of the throughput run: {self._directory}", flush=True)
        self._running = []
