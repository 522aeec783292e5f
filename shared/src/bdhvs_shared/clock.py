"""Injectable time: production reads the system clock, tests and demos set it."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock:
    """The system clock shifted by a fixed offset (a demo can live in March 2026)."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class FileClock:
    """Demo only: the instant written in a file, moving on with the wall clock from when it was written,
    or standing still there when written with `still=True` (`make demo` during its fill: each of its
    instants lasts as long as the services need, and two runs see the same times).

    `make demo` steps it through two years so that a report dated in the past is judged as if it had
    arrived then; every service of the demo reads the same file. No file yet: the system clock.
    """

    STILL = " still"  # the file's suffix for a clock standing still

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, datetime, bool] | None = None

    def now(self) -> datetime:
        if not (modified := self.changed()):
            return datetime.now(UTC)
        if self._seen is None or self._seen[0] != modified:
            text = self.path.read_text().strip()
            still = text.endswith(self.STILL)
            self._seen = (modified, datetime.fromisoformat(text.removesuffix(self.STILL)), still)
        if self._seen[2]:
            return self._seen[1]
        return self._seen[1] + timedelta(seconds=time.time() - modified / 1e9)

    def changed(self) -> int:
        """A stamp that changes whenever the file is written (0: no file)."""
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    @staticmethod
    def write(path: Path, when: datetime, still: bool = False) -> None:
        """Set the demo's clock (atomically: a reader never sees half an instant)."""
        if when.tzinfo is None:
            raise ValueError("FileClock needs an aware datetime")
        partial = path.with_name(path.name + ".partial")
        partial.write_text(when.isoformat() + (FileClock.STILL if still else ""))
        os.replace(partial, path)


async def on_file_clock_change(
    clock: Clock, wakes: Sequence[Callable[[], None]], every: float = 0.01
) -> None:
    """Demo only: call each of `wakes` each time a `FileClock`'s file is written (the services' ticks then run
    at the demo's new instant at once, not at their next poll). Any other clock: returns at once."""
    if not isinstance(clock, FileClock):
        return
    seen = clock.changed()
    while True:
        await asyncio.sleep(every)
        stamp = clock.changed()
        if stamp != seen:
            seen = stamp
            for wake in wakes:
                wake()


FILE_PREFIX = "file:"


def clock_from_iso(start: str | None) -> Clock:
    """BDHVS_CLOCK_START=2026-03-10T08:00:00+07:00 runs the service as if it were that time now;
    BDHVS_CLOCK_START=file:/path (the demo) reads the instant from that file (`FileClock`)."""
    if not start:
        return SystemClock()
    if start.startswith(FILE_PREFIX):
        return FileClock(Path(start.removeprefix(FILE_PREFIX)))
    return OffsetClock(datetime.fromisoformat(start) - datetime.now(UTC))
