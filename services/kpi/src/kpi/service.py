"""The KPI use case: apply an accepted report, refresh the unit's and the province's projections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.catalogue import Catalogue
from bdhvs_shared.clock import Clock
from bdhvs_shared.db.idempotency import first_time
from bdhvs_shared.db.outbox import stage
from bdhvs_shared.events import AttainmentUpdated, Event, ReportAccepted, TargetInfo, subjects
from kpi.adapters import observations, projections, rollups
from kpi.adapters.tables import outbox, processed_events
from kpi.domain.observation import Observation
from kpi.domain.projection import ProjectionRules, project
from kpi.domain.rollup import as_observations, rollup_series
from kpi.domain.target import Comparator, Target
from kpi.snapshot import Snapshot

CONSUMER = "kpi-reports"


@dataclass
class KpiService:
    sessions: async_sessionmaker[AsyncSession]
    catalogue: Catalogue
    clock: Clock
    tz: ZoneInfo
    rules: ProjectionRules

    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    def target(self, indicator: str, today: date) -> Target | None:
        spec = self.catalogue.indicators[indicator].target_for(today)
        if spec is None:
            return None
        return Target(value=spec.value, comparator=Comparator(spec.comparator.value), due=spec.due)

    def units_expected(self, indicator: str) -> int:
        """Units whose forms carry the indicator (the province's coverage denominator)."""
        codes = {
            unit.code
            for form in self.catalogue.forms.values()
            if indicator in form.indicators
            for unit in self.catalogue.expected_reporters(form)
            if unit.code != self.catalogue.province.code  # agencies' reports are not part of the roll-up
        }
        return len(codes)

    async def apply(self, event: ReportAccepted) -> bool:
        """Apply one accepted report exactly once; False if it was a redelivery."""
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            if not await first_time(session, processed_events, CONSUMER, event.event_id):
                return False
            staged: list[tuple[Event, str]] = []
            for indicator, value in sorted(event.values.items()):
                if indicator not in self.catalogue.indicators:
                    continue  # an indicator this catalogue version does not know: keep the rest
                # Serialise updates of one unit and indicator (two replicas, two revisions at once).
                lock = f"kpi:{event.unit_code}:{indicator}"
                await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(lock))))
                await observations.upsert(session, event, indicator, value)
                staged += await self.refresh(session, event.unit_code, indicator, now, event.correlation_id)
                await rollups.mark_dirty(session, indicator, event.correlation_id, now)
            await stage(session, outbox, staged)
        return True

    async def refresh_rollups(self) -> int:
        """Recompute the province projection of every stale indicator; returns how many."""
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            dirty = await rollups.claim_dirty(session)
            staged: list[tuple[Event, str]] = []
            for indicator, correlation_id in dirty:
                staged += await self.refresh(
                    session, self.catalogue.province.code, indicator, now, correlation_id
                )
                await rollups.clear(session, indicator)
            await stage(session, outbox, staged)
        return len(dirty)

    async def compute(self, session: AsyncSession, unit_code: str, indicator: str, today: date) -> Snapshot:
        """The snapshot recomputed from every stored observation (used live and by verify)."""
        target = self.target(indicator, today)
        if unit_code == self.catalogue.province.code:
            by_unit = await observations.series_by_unit(session, indicator)
            # An agency's own figure for the province (police, a department) is the province's
            # series; otherwise the province is the roll-up of its communes and wards.
            direct = by_unit.pop(unit_code, None)
            points = rollup_series(by_unit)
            series: Sequence[Observation] = direct or as_observations(points)
            reporting = points[-1].units_reporting if points else 0
            expected = self.units_expected(indicator)
            if direct:
                reporting, expected = 1, 1
        else:
            series = await observations.unit_series(session, unit_code, indicator)
            reporting, expected = (1 if series else 0), 1
        projection = project(series, target, today, self.rules) if target else None
        if projection is None:
            projection = project(series, _no_target(today), today, self.rules)
        return Snapshot.of(unit_code, indicator, projection, target, reporting, expected)

    async def refresh(
        self,
        session: AsyncSession,
        unit_code: str,
        indicator: str,
        now: datetime,
        correlation_id: UUID,
    ) -> list[tuple[Event, str]]:
        """Recompute, store if changed, and return the event to stage (none if unchanged)."""
        snapshot = await self.compute(session, unit_code, indicator, now.astimezone(self.tz).date())
        stored = await projections.current(session, unit_code, indicator)
        if stored is not None and stored[0] == snapshot:
            return []
        previous = stored[0].status if stored else None
        sequence = (stored[1] if stored else 0) + 1
        event = _attainment_event(snapshot, previous, sequence, now, correlation_id)
        await projections.save(session, snapshot, sequence, now, event.event_id)
        return [(event, subjects.kpi_attainment(unit_code, indicator))]


def _no_target(today: date) -> Target:
    # An indicator without any target still gets attainment and pace; status is judged vs 100 %.
    return Target(value=1.0, comparator=Comparator.GE, due=date(today.year, 12, 31))


def _attainment_event(
    s: Snapshot, previous: str | None, sequence: int, now: datetime, correlation_id: UUID
) -> AttainmentUpdated:
    target = (
        TargetInfo(value=s.target_value, comparator=s.target_comparator, due=s.target_due)  # type: ignore[arg-type]
        if s.target_value is not None
        else None
    )
    return AttainmentUpdated.new(
        producer="kpi",
        correlation_id=correlation_id,
        occurred_at=now,
        unit_code=s.unit_code,
        indicator=s.indicator,
        sequence=sequence,
        as_of=s.as_of,
        numerator=s.numerator,
        denominator=s.denominator,
        attainment=s.attainment,
        pace_per_day=s.pace_per_day,
        pace_pp_per_30d=_pp30(s.pace_per_day),
        projected_attainment=s.projected,
        required_pace_per_day=s.required_pace_per_day,
        required_pace_pp_per_30d=_pp30(s.required_pace_per_day),
        status=s.status,
        previous_status=previous,
        target=target,
        units_reporting=s.units_reporting,
        units_expected=s.units_expected,
    )


def _pp30(per_day: float | None) -> float | None:
    return None if per_day is None else per_day * 30 * 100
