"""The ticks before the dispatchers, in one process: while a tick runs, the dispatchers claim no new
notification (a send already begun finishes).

Why: a tick decides what falls due at an instant and holds the rows it claimed meanwhile; sending
is what can wait a moment. In one event loop, eight senders' claims, SMTP round trips and marks
interleave with every statement of a tick and stretch it (the demo's clock waits for the ticks at
each instant, so their run is its time). Between two runs of a tick the dispatchers' waiting senders
go on, so a tick that keeps finding work never starves them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


class TicksFirst:
    def __init__(self) -> None:
        self._running = 0
        self._clear = asyncio.Event()
        self._clear.set()

    @contextmanager
    def ticking(self) -> Iterator[None]:
        """Around a tick's run."""
        self._running += 1
        self._clear.clear()
        try:
            yield
        finally:
            self._running -= 1
            if not self._running:
                self._clear.set()

    async def give_way(self) -> None:
        """A dispatcher's sender, before it claims: returns once no tick runs."""
        await self._clear.wait()
