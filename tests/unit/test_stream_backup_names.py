"""A stream backup's directory: named by its UTC second; a second backup in the same second gets
its own name (three backups within one second collided: `FileExistsError`, CI 2026-12-04)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from bdhvs_shared.nats.stream_backup import new_target

NOW = datetime(2026, 12, 4, 16, 32, 37, 512000, tzinfo=UTC)


def test_a_backup_is_named_by_its_utc_second(tmp_path: Path) -> None:
    hanoi = NOW.astimezone(timezone(timedelta(hours=7)))
    assert new_target(tmp_path, hanoi).name == "streams-20261204T163237Z"


def test_backups_within_one_second_get_names_of_their_own_that_sort_by_time(tmp_path: Path) -> None:
    names = []
    for _ in range(3):
        target = new_target(tmp_path, NOW)
        target.mkdir()
        names.append(target.name)
    later = new_target(tmp_path, NOW + timedelta(seconds=1)).name
    assert names == ["streams-20261204T163237Z", "streams-20261204T163237Z-2", "streams-20261204T163237Z-3"]
    assert sorted([*names, later]) == [*names, later]
