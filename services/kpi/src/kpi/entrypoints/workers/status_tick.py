"""The daily status tick: once per local day, re-judge the statuses the date may have changed."""

from __future__ import annotations

from datetime import date

from bdhvs_shared.worker import PollingWorker
from kpi.service_layer.apply_report import KpiService
from kpi.service_layer.rejudge import rejudge


class StatusTick(PollingWorker):
    """Checks every poll interval whether the service's local day changed (injectable clock).

    The first check after start always runs, so a service that was down at midnight
    catches up. Every replica may run it: each recomputation holds the unit's
    advisory lock and publishes only a real change, so two replicas publish it once.
    """

    name = "status-tick"

    def __init__(self, service: KpiService, relay: PollingWorker, poll_seconds: float) -> None:
        super().__init__(poll_seconds)
        self._service = service
        self._relay = relay
        self.last_day: date | None = None

    async def run_once(self) -> int:
        today = self._service.today()
        if today == self.last_day:
            return 0
        changed = await rejudge(self._service, self.last_day)
        self.last_day = today
        if changed:
            self._relay.wake()
        return 0  # the day is done: wait for the next poll whatever changed
