"""The demo's clock (BDHVS_CLOCK_START=file:…): the instant written in the file, moving on from there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bdhvs_shared.clock import FileClock, SystemClock, clock_from_iso


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
