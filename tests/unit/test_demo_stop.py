"""Ctrl-C during the demo's last wait (the dispatchers sending what is due) ends it at once, not after
the minute a stalled sender is given."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bdhvs_local.demo.notifier_wait import NotifierWatch, Stopped
from bdhvs_shared.clock import FixedClock


class Stuck(NotifierWatch):
    """Five notifications due that no dispatcher sends."""

    async def queued(self, now: datetime) -> tuple[int, int]:
        return 5, 0


async def test_a_stop_ends_the_wait_for_the_dispatchers() -> None:
    asks: list[bool] = []

    def stop() -> bool:
        asks.append(True)
        return len(asks) > 2  # Ctrl-C after a second

    async with httpx.AsyncClient() as client:
        watch = Stuck(client, "http://notifier", "http://kpi", Path("clock"))
        with pytest.raises(Stopped):
            await asyncio.wait_for(watch.delivered(FixedClock(datetime(2026, 3, 1, tzinfo=UTC)), stop), 10)
    assert len(asks) == 3


async def test_without_a_stop_a_stalled_sender_is_given_up_on() -> None:
    async with httpx.AsyncClient() as client:
        watch = Stuck(client, "http://notifier", "http://kpi", Path("clock"))
        clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
        assert await watch.delivered(clock, stalled_after=0.6) == (5, 0)
