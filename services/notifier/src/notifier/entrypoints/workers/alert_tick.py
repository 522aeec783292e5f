"""The alert tick: every few seconds, queue the repeats that fell due and send the alert groups that
waited out the group wait (service_layer/alert_groups.py), then wake the dispatchers."""

from __future__ import annotations

from collections.abc import Sequence

from bdhvs_shared.worker import PollingWorker
from notifier.entrypoints.workers.precedence import TicksFirst
from notifier.service_layer.alert_groups import BATCH, AlertGroups


class AlertTick(PollingWorker):
    name = "alert-tick"

    def __init__(
        self,
        groups: AlertGroups,
        poll_seconds: float,
        dispatchers: Sequence[PollingWorker] = (),
        batch: int = BATCH,
        precedence: TicksFirst | None = None,
    ) -> None:
        super().__init__(poll_seconds)
        self.groups = groups
        self._dispatchers = dispatchers
        self._batch = batch
        self._precedence = precedence or TicksFirst()
        self._full = False  # the last run filled one of its batches: more may be due

    async def run_once(self) -> int:
        with self._precedence.ticking():
            repeated = await self.groups.repeat_due(self._batch)
            grouped = await self.groups.send_due(self._batch)
        self._full = max(repeated, grouped) >= self._batch
        if grouped:
            for dispatcher in self._dispatchers:
                dispatcher.wake()
        return repeated + grouped

    def more_after(self, done: int) -> bool:
        return self._full
