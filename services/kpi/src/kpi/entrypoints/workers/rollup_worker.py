"""Recomputes province roll-ups marked stale by applied reports, then lets the relay publish."""

from __future__ import annotations

from bdhvs_shared.worker import PollingWorker
from kpi.service_layer.apply_report import KpiService
from kpi.service_layer.roll_up import refresh_rollups


class RollupWorker(PollingWorker):
    name = "rollup-worker"

    def __init__(
        self, service: KpiService, relay: PollingWorker, poll_seconds: float, pause_after_work: float
    ) -> None:
        super().__init__(poll_seconds, pause_after_work)
        self._service = service
        self._relay = relay

    async def run_once(self) -> int:
        done = await refresh_rollups(self._service)
        if done:
            self._relay.wake()
        return done
