"""Read an uploaded .xlsx in a child process with a memory and a time limit (a CSV in the service).

openpyxl builds every cell of an XML row before the reader can drop it, and XML compresses well:
a 100 KB .xlsx holding one row of 4.5 million empty cells took 47 s and 2.7 GB in-process, and
4 million empty row elements 21 s. Bounded reading (`ReadLimits`) cannot stop that; a process can.
Each .xlsx gets a fresh Python process (`python -I -m intake.adapters.isolation_child`, which imports
little more than openpyxl) that limits its own address space (RLIMIT_AS) and CPU time (RLIMIT_CPU)
before it reads a byte, and is killed when it takes longer than allowed in wall-clock time. The
service's event loop only awaits pipes.

A CSV is read in the service (in a worker thread): no compression or XML can make it larger than
the body intake accepts, and the `csv` module's work is linear in it. Its child cost 0.7 s of CPU
(start-up and importing openpyxl) for a two-line file — what made the authz sweep's imports slow.

The file goes in on stdin, the answer comes back as JSON on stdout (never pickle: the child handles
hostile input). The child's environment carries no secrets. A child that runs out of memory or time
is a refusal (`file.too_complex`, 413); any other failure is a defect, logged with its stderr.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any, Literal

import structlog

from intake.adapters.isolation_child import OUT_OF_MEMORY
from intake.adapters.spreadsheets import ReadLimits, Table, UnreadableFile, read_csv

log = structlog.get_logger(__name__)

CHILD = "intake.adapters.isolation_child"


class FileReader:
    """Reads imported files in child processes, at most `concurrency` at a time (others wait)."""

    def __init__(self, memory_mb: int, seconds: float, concurrency: int) -> None:
        self.memory_mb, self.seconds = memory_mb, seconds
        self._slots = asyncio.Semaphore(concurrency)

    async def read(self, kind: Literal["xlsx", "csv"], data: bytes, limits: ReadLimits) -> Table:
        arguments = [
            kind,
            str(self.memory_mb),
            str(self.seconds),
            str(limits.max_rows),
            str(limits.max_columns),
        ]
        async with self._slots:
            if kind == "csv":  # no decompression, no XML: linear in its (capped) size, read here
                return await asyncio.to_thread(read_csv, data, limits)
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-I",
                "-m",
                CHILD,
                *arguments,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"},
            )
            try:
                out, err = await asyncio.wait_for(child.communicate(data), self.seconds)
            except TimeoutError:
                raise self._too_complex() from None
            finally:
                if child.returncode is None:  # timed out, or the request was cancelled
                    child.kill()
                    await child.wait()
        if child.returncode == OUT_OF_MEMORY or (child.returncode or 0) < 0:  # < 0: killed (SIGXCPU)
            raise self._too_complex()
        if child.returncode != 0:
            log.error(
                "file_reader_failed", status=child.returncode, stderr=err.decode(errors="replace")[-4000:]
            )
            raise RuntimeError(f"the file reader exited with status {child.returncode}")
        return _decoded(json.loads(out))

    def _too_complex(self) -> UnreadableFile:
        return UnreadableFile("file.too_complex", memory=self.memory_mb, seconds=f"{self.seconds:g}")


def _decoded(answer: dict[str, Any]) -> Table:
    if "refused" in answer:
        refused = answer["refused"]
        raise UnreadableFile(refused["code"], **refused["params"])
    table = answer["table"]
    rows = [(number, cells) for number, cells in table["rows"]]
    return Table(table["sheet"], table["form"], table["period"], table["keys"], rows)
