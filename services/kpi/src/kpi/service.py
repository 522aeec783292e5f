"""The KPI use case: apply an accepted report, refresh the unit's and the province's projections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.catalogue import Catalogue
from bdhvs_shared.clock import Clock
from bdhvs_shared.db.idempotency import first_time
from bdhvs_shared.db.outbox import stage
from bdhvs_shared.events import ReportAccepted, subjects
from bdhvs_shared.nats.reliable import PoisonMessage
from kpi.adapters import observations, projections, receipts, rollups
from kpi.adapters.tables import outbox, processed_events
from kpi.domain.admission import future_reason
from kpi.domain.projection import ProjectionRules
from kpi.projector import Projector
from kpi.publications import Staged, publications
from kpi.rejudging import needs_rejudging
from kpi.reporting import ReportingQueryError, reporting_event, reporting_view, resolve
from kpi.snapshot import Snapshot

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
                await _lock(session, event.unit_code, indicator)
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
        await _lock(session, f"reporting:{event.form}", event.period)
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

    async def refresh_rollups(self) -> int:
        """Recompute the province projection of every stale indicator; returns how many."""
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            dirty = await rollups.claim_dirty(session)
            staged: list[Staged] = []
            for indicator, correlation_id in dirty:
                staged += await self.refresh(
                    session, self.catalogue.province.code, indicator, now, correlation_id
                )
                await rollups.clear(session, indicator)
            await stage(session, outbox, staged)
        return len(dirty)

    async def rejudge(self) -> int:
        """Recompute the projections whose status the date alone may have changed; returns how many changed.

        Run by the daily status tick: a target date that passed, or the new year's
        target from 1 January, changes a status without any new report.
        """
        now = self.clock.now()
        today = now.astimezone(self.tz).date()
        async with self.sessions() as session:
            stored = await projections.all_snapshots(session)
        candidates = [
            s
            for s in stored
            if s.indicator in self.catalogue.indicators
            and needs_rejudging(s, self.projector.target(s.indicator, today), today)
        ]
        changed = 0
        for snapshot in candidates:  # one short transaction each: the consumer is not held up
            async with self.sessions() as session, session.begin():
                staged = await self.refresh(
                    session, snapshot.unit_code, snapshot.indicator, now, _date_correlation(today)
                )
                await stage(session, outbox, staged)
                changed += bool(staged)
        return changed

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
        await _lock(session, unit_code, indicator)  # one writer per unit and indicator (re-entrant)
        snapshot = await self.compute(session, unit_code, indicator, now.astimezone(self.tz).date())
        stored = await projections.current(session, unit_code, indicator)
        if stored is not None and stored[0] == snapshot:
            return []
        previous = stored[0].status if stored else None
        sequence = (stored[1] if stored else 0) + 1
        staged = publications(snapshot, previous, sequence, now, correlation_id)
        await projections.save(session, snapshot, sequence, now, staged[0][0].event_id)
        return staged


async def _lock(session: AsyncSession, unit_code: str, indicator: str) -> None:
    # Serialises updates of one unit and indicator: two replicas, two revisions, the roll-up
    # worker and the status tick. Transaction-scoped; taking it twice in one transaction is fine.
    key = f"kpi:{unit_code}:{indicator}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))


def _date_correlation(today: date) -> UUID:
    # A change caused by the date alone has no report behind it: one stable id per day.
    return uuid5(NAMESPACE_URL, f"bdhvs:kpi:date:{today.isoformat()}")
