"""Progress of long work (kpi rebuild and verify, stream backup and restore, large imports).

`progress("dựng lại", total, unit="sự kiện")` is a context manager handing out a `Progress`:
on a terminal a `rich` bar with the count, the rate and the time left; otherwise (a pipe, a log,
a Kubernetes job) one plain line every `interval` seconds and a last one at the end, e.g.

    dựng lại: 1200/5000 sự kiện (24%), 350/s, còn khoảng 0:00:11

The work reports with `update(done, total)` or `advance(n)`; code that may run without anyone
watching takes `NO_PROGRESS`, which does nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol, TextIO


class Progress(Protocol):
    def update(self, done: int, total: int | None = None) -> None:
        """`done` so far (of `total`, when it becomes known or changes)."""

    def advance(self, amount: int = 1) -> None:
        """`amount` more done."""


class _Nothing:
    def update(self, done: int, total: int | None = None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None


NO_PROGRESS: Progress = _Nothing()


def duration(seconds: float) -> str:
    """0:00:11, 1:02:03 — hours, minutes, seconds."""
    whole = max(0, round(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


class LineProgress:
    """Plain lines, at most one per `interval` seconds, and one at the end (`close`)."""

    def __init__(
        self,
        description: str,
        total: int | None,
        out: TextIO,
        unit: str = "",
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.description, self.total, self.out, self.unit = description, total, out, unit
        self.interval, self.clock = interval, clock
        self.done = 0
        self.started = clock()
        self._last_line: float | None = None

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = self.clock()
        if self._last_line is None or now - self._last_line >= self.interval:
            self._write(now)

    def advance(self, amount: int = 1) -> None:
        self.update(self.done + amount)

    def close(self) -> None:
        elapsed = self.clock() - self.started
        counted = f"{self.done} {self.unit}".rstrip()
        self.out.write(f"{self.description}: xong {counted} trong {duration(elapsed)}\n")
        self.out.flush()

    def line(self, now: float) -> str:
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        unit = f" {self.unit}" if self.unit else ""
        if not self.total:
            return f"{self.description}: {self.done}{unit}, {rate:.0f}/s"
        share = 100 * self.done / self.total
        left = f"còn khoảng {duration((self.total - self.done) / rate)}" if rate > 0 else "chưa ước tính được"
        return f"{self.description}: {self.done}/{self.total}{unit} ({share:.0f}%), {rate:.0f}/s, {left}"

    def _write(self, now: float) -> None:
        self.out.write(self.line(now) + "\n")
        self.out.flush()
        self._last_line = now


class RichProgress:
    """A `rich` bar: description, bar, done/total, rate, time left."""

    def __init__(self, description: str, total: int | None, out: TextIO, unit: str = "") -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        self._bar = Bar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(unit),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(file=out),
        )
        self._task = self._bar.add_task(description, total=total, rate="")
        self._bar.start()

    def update(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self._bar.update(self._task, total=total)
        self._bar.update(self._task, completed=done)
        speed = self._bar.tasks[0].speed
        self._bar.update(self._task, rate=f"{speed:.0f}/s" if speed else "")

    def advance(self, amount: int = 1) -> None:
        self.update(int(self._bar.tasks[0].completed) + amount)

    def close(self) -> None:
        self._bar.stop()


@contextmanager
def progress(
    description: str,
    total: int | None = None,
    *,
    unit: str = "",
    out: TextIO | None = None,
    interval: float = 5.0,
) -> Iterator[Progress]:
    """A bar on a terminal, plain lines elsewhere (see the module's text); `out` defaults to stderr, so
    that a command's own output on stdout stays clean for pipes."""
    stream = out if out is not None else sys.stderr
    shown: LineProgress | RichProgress
    if stream.isatty():
        shown = RichProgress(description, total, stream, unit)
    else:
        shown = LineProgress(description, total, stream, unit, interval)
    try:
        yield shown
    finally:
        shown.close()


# What long work takes to show its progress: `progress` (shown) or `silent` (tests, libraries).
Shows = Callable[[str, int | None], AbstractContextManager[Progress]]


@contextmanager
def silent(description: str, total: int | None = None) -> Iterator[Progress]:
    yield NO_PROGRESS
