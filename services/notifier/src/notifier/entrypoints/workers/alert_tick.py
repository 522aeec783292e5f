"""The alert tick: every few seconds, queue the repeats that fell due and send the alert groups that
waited out the group wait (service_layer/alert_groups.py), then wake the dispatchers."""

from __future__ import annotations

from collections.abc import Sequence

from bdhvs_shared.worker import PollingWorker
from notifier.service_layer.alert_groups import AlertGroups


class AlertTick(PollingWorker):
    name = "alert-tick"

    def __init__(
        self, groups: AlertGroups, poll_seconds: float, dispatchers: Sequence[PollingWorker] = ()
    ) -> None:
        super().__init__(poll_seconds)
        self.groups = groups
        self._dispatchers = dispatchers

    async def run_once(self) -> int:
        await self.groups.repeat_due()
        sent = await self.groups.send_due()
        if sent:
            for dispatcher in self._dispatchers:
                dispatcher.wake()
        return sent
