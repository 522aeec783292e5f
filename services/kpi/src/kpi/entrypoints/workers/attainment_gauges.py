"""KPI attainment as Prometheus gauges, for the dashboards (the province's attainment, units by status).

Read from the projection table every `poll_seconds`: the numbers change at most a few times a month,
and reading them keeps the metrics out of the report path. Every replica exports the same values, so
dashboards take max() over instances.

`/metrics` takes no token, so it carries no unit's own figure: a commune's attainment is read
through the API (`/api/v1/attainment`, where a commune sees only its own unit and the province).
The attainment gauge has the province's series only (unit="24"); the status counts are totals
per indicator.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Gauge

from bdhvs_shared.worker import PollingWorker
from kpi.service_layer import reads
from kpi.service_layer.apply_report import KpiService


@dataclass
class AttainmentMetrics:
    attainment: Gauge
    units_by_status: Gauge


def attainment_metrics(registry: CollectorRegistry) -> AttainmentMetrics:
    return AttainmentMetrics(
        attainment=Gauge(
            "bdhvs_kpi_attainment_ratio",
            "Current attainment (numerator / denominator) of the province (unit 24) per indicator; "
            "no other unit's figures are exported",
            ["unit", "indicator"],
            registry=registry,
        ),
        units_by_status=Gauge(
            "bdhvs_kpi_units_by_status",
            "Units per indicator and status (achieved, on_track, at_risk, off_track, ...)",
            ["indicator", "status"],
            registry=registry,
        ),
    )


class AttainmentGauges(PollingWorker):
    name = "attainment-gauges"

    def __init__(
        self,
        service: KpiService,
        metrics: AttainmentMetrics,
        province: str,
        poll_seconds: float = 30.0,
    ) -> None:
        super().__init__(poll_seconds)
        self._service = service
        self._metrics = metrics
        self._province = province

    async def run_once(self) -> int:
        rows = await reads.statuses(self._service)
        counts: dict[tuple[str, str], int] = {}
        for row in rows:
            if row.unit_code == self._province and row.attainment is not None:
                self._metrics.attainment.labels(unit=row.unit_code, indicator=row.indicator).set(
                    row.attainment
                )
            counts[(row.indicator, row.status)] = counts.get((row.indicator, row.status), 0) + 1
        self._metrics.units_by_status.clear()  # a status no unit has any more must read 0, not its old count
        for (indicator, status), n in counts.items():
            self._metrics.units_by_status.labels(indicator=indicator, status=status).set(n)
        return 0  # idle until the next poll
