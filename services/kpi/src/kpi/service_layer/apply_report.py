"""The KPI use case: apply an accepted report, refresh the unit's and the province's projections.

It works on the stores of one transaction (`service_layer.ports.ReportStores`): PostgreSQL in
production (`adapters.report_stores`), an in-memory fake in the unit tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Catalogue, Form, Period, Workdays, form_deadline
from bdhvs_shared.clock import Clock
from bdhvs_shared.events import ReportAccepted, subjects
from bdhvs_shared.nats.poison import PoisonMessage
from kpi.domain.admission import future_reason
from kpi.domain.observation import Observation
from kpi.domain.projection import ProjectionRules
from kpi.domain.projector import Projector
from kpi.domain.publications import Staged, publications
from kpi.domain.reporting import (
    ExpectedReporting,
    Receipt,
    ReportingQueryError,
    ReportingView,
    expected_reporting,
    reporting_event,
    reporting_view,
    resolve,
)
from kpi.domain.snapshot import Snapshot
from kpi.service_layer.kept_rollups import fold_unit_changes
from kpi.service_layer.ports import ReportStores, Transactions

CONSUMER = "kpi-reports"


class FutureReport(PoisonMessage):
    """Figures dated in the future: dead-lettered with the reason, nothing applied (domain.admission)."""


@dataclass
class KpiService:
    transactions: Transactions  # the stores of one transaction per call (every use case's)
    catalogue: Catalogue
    clock: Clock
    tz: ZoneInfo
    rules: ProjectionRules
    deadline_inclusive: bool = False
    early_days: int = 0  # REPORT_EARLY_DAYS, as intake's: how early a period opens
    deadline_working_day: bool = True  # DEADLINE_WORKING_DAY, as intake's

    @property
    def deadline_workdays(self) -> Workdays | None:
        """The calendar deadlines follow (None: they never move)."""
        return self.catalogue.workdays if self.deadline_working_day else None

    def reporting(self, form: Form, period: Period, received: Mapping[str, Receipt]) -> ReportingView:
        """A form and period's reporting, judged by this service's deadline rule (domain.reporting)."""
        return reporting_view(
            self.catalogue, form, period, received, self.tz, self.deadline_inclusive, self.deadline_workdays
        )

    def expected_reporting(self, form: Form, period: Period) -> ExpectedReporting:
        """Who is expected to file `form` for `period` and by when, by this service's deadline rule."""
        deadline = form_deadline(form, period, self.tz, self.deadline_inclusive, self.deadline_workdays)
        return expected_reporting(self.catalogue, form, period, deadline)

    @property
    def projector(self) -> Projector:
        return Projector(self.catalogue, self.rules)

    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    def admit(self, event: ReportAccepted, today: date) -> None:
        """Raises FutureReport for a report whose figures are dated in the future (domain.admission)."""
        reason = future_reason(event.as_of, today, self.early_days)
        if reason is not None:
            raise FutureReport(f"{reason} (event {event.event_id}, unit {event.unit_code}, {event.period})")

    async def apply(self, event: ReportAccepted) -> bool:
        """Apply one accepted report exactly once; False if it was a redelivery."""
        now = self.clock.now()
        self.admit(event, now.astimezone(self.tz).date())
        async with self.transactions() as stores:
            if not await stores.first_time(event.event_id):
                return False
            staged: list[Staged] = []
            for indicator, value in sorted(event.values.items()):
                if indicator not in self.catalogue.indicators:
                    continue  # an indicator this catalogue version does not know: keep the rest
                await stores.lock(event.unit_code, indicator)
                before = await stores.observations.unit_series(event.unit_code, indicator)
                await stores.observations.upsert(event, indicator, value)
                staged += await self.refresh(stores, event.unit_code, indicator, now, event.correlation_id)
                await stores.mark_dirty(indicator, event.correlation_id, now)
                await self._roll_up(stores, event.unit_code, indicator, before)
            staged += await self.record_receipt(stores, event, now)
            await stores.stage(staged)
        return True

    async def _roll_up(
        self, stores: ReportStores, unit_code: str, indicator: str, before: list[Observation]
    ) -> None:
        """Fold the unit's change into the province roll-up (the agency's own figures are not in it)."""
        if unit_code != self.catalogue.province.code:
            after = await stores.observations.unit_series(unit_code, indicator)
            await fold_unit_changes(stores, {indicator: [(before, after)]})

    async def record_receipt(
        self, stores: ReportStores, event: ReportAccepted, now: datetime
    ) -> list[Staged]:
        """Count the report for completeness; the form and period's new state when it is a new report."""
        # Taken last in the transaction (after the unit locks), so it cannot close a cycle.
        await stores.lock(f"reporting:{event.form}", event.period)
        if not await stores.receipts.record(event):
            return []  # a correction of a report already counted: completeness unchanged
        try:
            form, period = resolve(self.catalogue, event.form, event.period)
        except ReportingQueryError:
            return []  # a form or period this catalogue version does not know: counted, not published
        received = await stores.receipts.for_period(event.form, event.period)
        published = reporting_event(
            self.expected_reporting(form, period), received, now, event.correlation_id
        )
        return [(published, subjects.kpi_reporting(form.code))]

    async def compute(self, stores: ReportStores, unit_code: str, indicator: str, today: date) -> Snapshot:
        """The snapshot recomputed from every stored observation."""
        if unit_code == self.catalogue.province.code:
            return await self._province(stores, indicator, today)
        series = await stores.observations.unit_series(unit_code, indicator)
        return self.projector.unit_snapshot(unit_code, indicator, series, today)

    async def _province(self, stores: ReportStores, indicator: str, today: date) -> Snapshot:
        """An agency's own series when it has one, else the stored roll-up (recomputed when not built)."""
        direct = await stores.observations.unit_series(unit_code := self.catalogue.province.code, indicator)
        if direct:
            return self.projector.province_snapshot(indicator, {unit_code: direct}, today)
        kept = (await stores.rollups.days([indicator])).get(indicator)
        if kept is None:
            by_unit = await stores.observations.series_by_unit(indicator)
            return self.projector.province_snapshot(indicator, by_unit, today)
        return self.projector.rollup_snapshot(indicator, [d.point() for d in kept], today)

    async def refresh(
        self,
        stores: ReportStores,
        unit_code: str,
        indicator: str,
        now: datetime,
        correlation_id: UUID,
    ) -> list[Staged]:
        """Recompute, store if changed, and return the events to stage (none if unchanged)."""
        await stores.lock(unit_code, indicator)  # one writer per unit and indicator (re-entrant)
        snapshot = await self.compute(stores, unit_code, indicator, now.astimezone(self.tz).date())
        stored = await stores.projections.current(unit_code, indicator)
        if stored is not None and stored[0] == snapshot:
            return []
        previous = stored[0].status if stored else None
        sequence = (stored[1] if stored else 0) + 1
        staged = publications(snapshot, previous, sequence, now, correlation_id)
        await stores.projections.save(snapshot, sequence, now, staged[0][0].event_id)
        return staged
