"""The ledger's tick: plan once a local day, then turn what fell due into notifications.

It waits while the reports consumer has a backlog: a notifier that was down reads the reports
it missed before it chases anyone, so a unit that reported meanwhile is not told it is late.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from zoneinfo import ZoneInfo

from bdhvs_shared.worker import PollingWorker
from notifier.ledger import DeadlineLedger


async def always_caught_up() -> bool:
    return True


class LedgerTick(PollingWorker):
    name = "ledger-tick"

    def __init__(
        self,
        ledger: DeadlineLedger,
        poll_seconds: float,
        dispatchers: Sequence[PollingWorker] = (),
        caught_up: Callable[[], Awaitable[bool]] = always_caught_up,
    ) -> None:
        super().__init__(poll_seconds)
        self._ledger = ledger
        self._dispatchers = dispatchers
        self._caught_up = caught_up
        self._planned_on: date | None = None

    async def run_once(self) -> int:
        today = self._ledger.clock.now().astimezone(ZoneInfo(self._ledger.catalogue.timezone)).date()
        if today != self._planned_on:
            await self._ledger.plan()
            self._planned_on = today
        if not await self._caught_up():
            return 0
        result = await self._ledger.process_due()
        if result.queued:
            for dispatcher in self._dispatchers:
                dispatcher.wake()
        return result.handled
