"""The consolidated report made automatically on the 24th: the tick that runs `consolidate.produce`."""

from __future__ import annotations

from dataclasses import dataclass

from bdhvs_shared.worker import PollingWorker
from kpi.domain.consolidation import due_month
from kpi.service_layer.apply_report import KpiService
from kpi.service_layer.consolidate import produce
from kpi.service_layer.ports import ReportFiles


@dataclass(frozen=True)
class ConsolidationSchedule:
    day: int = 24
    hour: int = 8
    public_base_url: str = ""  # "" → the event carries kpi's paths only


class ConsolidationTick(PollingWorker):
    """Makes the month's report once it is due; every replica may run it (the period is a key)."""

    name = "consolidation-tick"

    def __init__(
        self,
        service: KpiService,
        files: ReportFiles,
        relay: PollingWorker,
        schedule: ConsolidationSchedule,
        poll_seconds: float,
    ) -> None:
        super().__init__(poll_seconds)
        self._service, self._files, self._relay, self._schedule = service, files, relay, schedule
        self.done: set[str] = set()  # months this process has seen made: no query per poll

    async def run_once(self) -> int:
        local_now = self._service.clock.now().astimezone(self._service.tz)
        workdays = self._service.catalogue.workdays
        period = due_month(local_now, self._schedule.day, self._schedule.hour, workdays)
        if period is None or period in self.done:
            return 0
        made = await produce(self._service, period, self._files, self._schedule.public_base_url)
        self.done.add(period)
        if made:
            self._relay.wake()
        return 0
