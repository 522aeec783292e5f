"""The KPI use case: apply an accepted report, refresh the unit's and the province's projections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.catalogue import Catalogue
from bdhvs_shared.clock import Clock
from bdhvs_shared.db.idempotency import first_time
from bdhvs_shared.db.outbox import stage
from bdhvs_shared.events import ReportAccepted, subjects
from bdhvs_shared.nats.reliable import PoisonMessage
from kpi.adapters import locks, observations, projections, receipts, rollups
from kpi.adapters.tables import outbox, processed_events
from kpi.domain.admission import future_reason
from kpi.domain.projection import ProjectionRules
from kpi.domain.projector import Projector
from kpi.domain.publications import Staged, publications
from kpi.domain.reporting import ReportingQueryError, reporting_event, reporting_view, resolve
from kpi.domain.snapshot import Snapshot

CONSUMER = "kpi-reports"


class FutureReport(PoisonMessage):
    """Figures dated in the future: dead-lettered with the reason, nothing applied (domain.admission)."""


@dataclass
class KpiService:
    sessions: async_sessionmaker[AsyncSession]
    catalogue: Catalogue
    clock: Clock
    tz: ZoneInfo
    rules: ProjectionRules
    deadline_inclusive: bool = False
    early_days: int = 0  # REPORT_EARLY_DAYS, as intake's: how early a period opens

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
        async with self.sessions() as session, session.begin():
            if not await first_time(session, processed_events, CONSUMER, event.event_id):
                return False
            staged: list[Staged] = []
            for indicator, value in sorted(event.values.items()):
                if indicator not in self.catalogue.indicators:
                    continue  # an indicator this catalogue version does not know: keep the rest
                await locks.lock(session, event.unit_code, indicator)
                await observations.upsert(session, event, indicator, value)
                staged += await self.refresh(session, event.unit_code, indicator, now, event.correlation_id)
                await rollups.mark_dirty(session, indicator, event.correlation_id, now)
            staged += await self.record_receipt(session, event, now)
            await stage(session, outbox, staged)
        return True

    async def record_receipt(
        self, session: AsyncSession, event: ReportAccepted, now: datetime
    ) -> list[Staged]:
        """Count the report for completeness; the form and period's new state when it is a new report."""
        # Taken last in the transaction (after the unit locks), so it cannot close a cycle.
        await locks.lock(session, f"reporting:{event.form}", event.period)
        if not await receipts.record(session, event):
            return []  # a correction of a report already counted: completeness unchanged
        try:
            form, period = resolve(self.catalogue, event.form, event.period)
        except ReportingQueryError:
            return []  # a form or period this catalogue version does not know: counted, not published
        received = await receipts.for_period(session, event.form, event.period)
        view = reporting_view(self.catalogue, form, period, received, self.tz, self.deadline_inclusive)
        published = reporting_event(view, len(received), now, event.correlation_id)
        return [(published, subjects.kpi_reporting(form.code))]

    async def compute(self, session: AsyncSession, unit_code: str, indicator: str, today: date) -> Snapshot:
        """The snapshot recomputed from every stored observation."""
        if unit_code == self.catalogue.province.code:
            by_unit = await observations.series_by_unit(session, indicator)
            return self.projector.province_snapshot(indicator, by_unit, today)
        series = await observations.unit_series(session, unit_code, indicator)
        return self.projector.unit_snapshot(unit_code, indicator, series, today)

    async def refresh(
        self,
        session: AsyncSession,
        unit_code: str,
        indicator: str,
        now: datetime,
        correlation_id: UUID,
    ) -> list[Staged]:
        """Recompute, store if changed, and return the events to stage (none if unchanged)."""
        await locks.lock(session, unit_code, indicator)  # one writer per unit and indicator (re-entrant)
        snapshot = await self.compute(session, unit_code, indicator, now.astimezone(self.tz).date())
        stored = await projections.current(session, unit_code, indicator)
        if stored is not None and stored[0] == snapshot:
            return []
        previous = stored[0].status if stored else None
        sequence = (stored[1] if stored else 0) + 1
        staged = publications(snapshot, previous, sequence, now, correlation_id)
        await projections.save(session, snapshot, sequence, now, staged[0][0].event_id)
        return staged
