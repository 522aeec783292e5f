"""The demo's clock (BDHVS_CLOCK_START=file:…): the instant written in the file, moving on from there or
standing still, and waking the services' ticks when it is written."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bdhvs_shared.clock import FileClock, SystemClock, clock_from_iso, on_file_clock_change


def test_the_file_clock_follows_the_file_and_moves_on_with_the_wall_clock(tmp_path: Path) -> None:
    path = tmp_path / "clock"
    clock = clock_from_iso(f"file:{path}")
    assert isinstance(clock, FileClock)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)  # no file yet: the system's
    FileClock.write(path, datetime(2025, 3, 1, 9, tzinfo=UTC))
    first = clock.now()
    assert datetime(2025, 3, 1, 9, tzinfo=UTC) <= first < datetime(2025, 3, 1, 9, 1, tzinfo=UTC)
    FileClock.write(path, datetime(2026, 1, 5, 9, tzinfo=UTC))
    assert datetime(2026, 1, 5, 9, tzinfo=UTC) <= clock.now() < datetime(2026, 1, 5, 9, 1, tzinfo=UTC)
    assert isinstance(clock_from_iso(None), SystemClock)


def test_a_clock_written_still_stands_still_until_written_again(tmp_path: Path) -> None:
    path = tmp_path / "clock"
    clock = FileClock(path)
    FileClock.write(path, datetime(2025, 3, 1, 9, tzinfo=UTC), still=True)
    first = clock.now()
    time.sleep(0.05)
    assert clock.now() == first == datetime(2025, 3, 1, 9, tzinfo=UTC)  # not a microsecond on
    FileClock.write(path, datetime(2025, 3, 2, 8, tzinfo=UTC))  # moving again from there
    time.sleep(0.05)
    assert clock.now() > datetime(2025, 3, 2, 8, tzinfo=UTC)


async def test_the_services_ticks_are_woken_each_time_the_file_clock_is_written(tmp_path: Path) -> None:
    path = tmp_path / "clock"
    FileClock.write(path, datetime(2025, 3, 1, 9, tzinfo=UTC), still=True)
    woken: list[datetime] = []
    clock = FileClock(path)
    watch = asyncio.create_task(on_file_clock_change(clock, [lambda: woken.append(clock.now())]))
    try:
        await asyncio.sleep(0.05)
        assert woken == []  # not written since the watch began
        FileClock.write(path, datetime(2025, 3, 1, 16, tzinfo=UTC), still=True)
        for _ in range(200):
            if woken:
                break
            await asyncio.sleep(0.01)
        assert woken == [datetime(2025, 3, 1, 16, tzinfo=UTC)]
    finally:
        watch.cancel()
    assert (
        await on_file_clock_change(SystemClock(), [lambda: woken.append(clock.now())]) is None
    )  # production
