"""From observations to snapshots with the catalogue's targets (pure: the live path, rebuild and verify).

One function per shape of input, so that the incremental update, the full
rebuild and the verification all compute a snapshot the same way, bit for bit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from bdhvs_shared.catalogue import Catalogue
from kpi.domain.observation import Observation
from kpi.domain.projection import ProjectionRules, project
from kpi.domain.replayed import ReplayedFigures, ReplayedReport
from kpi.domain.rollup import RollupDay, RollupPoint, as_observations, rollup_days, rollup_series
from kpi.domain.snapshot import Snapshot
from kpi.domain.target import Comparator, Target


@dataclass(frozen=True)
class StoredObservation:
    """A row of the observation store: the latest revision of one report, for one indicator."""

    unit_code: str
    indicator: str
    form: str
    period: str
    as_of: date
    numerator: int
    denominator: int
    revision: int
    received_at: datetime
    event_id: UUID

    @classmethod
    def of(cls, event: ReplayedReport, indicator: str, value: ReplayedFigures) -> StoredObservation:
        """The row a report's figure for one indicator makes."""
        return cls(
            unit_code=event.unit_code,
            indicator=indicator,
            form=event.form,
            period=event.period,
            as_of=event.as_of,
            numerator=value.numerator,
            denominator=value.denominator,
            revision=event.revision,
            received_at=event.received_at,
            event_id=event.event_id,
        )

    def observation(self) -> Observation:
        return Observation(self.as_of, self.numerator, self.denominator)


@dataclass(frozen=True)
class Projector:
    catalogue: Catalogue
    rules: ProjectionRules

    @property
    def province(self) -> str:
        return self.catalogue.province.code

    def target(self, indicator: str, today: date) -> Target | None:
        spec = self.catalogue.indicators[indicator].target_for(today)
        if spec is None:
            return None
        return Target(value=spec.value, comparator=Comparator(spec.comparator.value), due=spec.due)

    def units_expected(self, indicator: str) -> int:
        """Units whose forms carry the indicator (the province's coverage denominator)."""
        return len(self.expected_units(indicator))

    def expected_units(self, indicator: str) -> set[str]:
        return {
            unit.code
            for form in self.catalogue.forms.values()
            if indicator in form.indicators
            for unit in self.catalogue.expected_reporters(form)
            if unit.code != self.province  # agencies' reports are not part of the roll-up
        }

    def group_snapshot(
        self,
        group: str,
        indicator: str,
        series_by_unit: Mapping[str, Sequence[Observation]],
        members: Collection[str],
        today: date,
    ) -> Snapshot:
        """A group of units (e.g. the communes, or the wards) rolled up like the province:
        numerators and denominators summed with each unit's latest figure carried forward."""
        points = rollup_series({u: s for u, s in series_by_unit.items() if u in members})
        reporting = points[-1].units_reporting if points else 0
        expected = len(self.expected_units(indicator) & set(members))
        return self._snapshot(group, indicator, as_observations(points), today, reporting, expected)

    def unit_snapshot(
        self, unit_code: str, indicator: str, series: Sequence[Observation], today: date
    ) -> Snapshot:
        """`series` ordered by (as_of, received_at): of two on the same day, the later received wins."""
        return self._snapshot(unit_code, indicator, series, today, 1 if series else 0, 1)

    def province_snapshot(
        self, indicator: str, series_by_unit: Mapping[str, Sequence[Observation]], today: date
    ) -> Snapshot:
        """An agency's own figure for the province (police for d) is the province's series;
        otherwise the province is the roll-up of its communes and wards."""
        direct = series_by_unit.get(self.province)
        if direct:
            return self._snapshot(self.province, indicator, direct, today, 1, 1)
        points = rollup_series({u: s for u, s in series_by_unit.items() if u != self.province})
        return self.rollup_snapshot(indicator, points, today)

    def rollup_snapshot(self, indicator: str, points: Sequence[RollupPoint], today: date) -> Snapshot:
        """The province's snapshot from its roll-up (`rollup_series` of its communes and wards)."""
        reporting = points[-1].units_reporting if points else 0
        return self._snapshot(
            self.province,
            indicator,
            as_observations(points),
            today,
            reporting,
            self.units_expected(indicator),
        )

    def all_snapshots(
        self, rows: Iterable[StoredObservation], today: date
    ) -> dict[tuple[str, str], Snapshot]:
        """Every unit's and the province's snapshot for each indicator the rows carry."""
        out: dict[tuple[str, str], Snapshot] = {}
        for indicator, units in sorted(self._by_indicator(rows).items()):
            for unit_code, series in sorted(units.items()):
                out[(unit_code, indicator)] = self.unit_snapshot(unit_code, indicator, series, today)
            out[(self.province, indicator)] = self.province_snapshot(indicator, units, today)
        return out

    def province_rollups(self, rows: Iterable[StoredObservation]) -> dict[str, list[RollupDay]]:
        """Each indicator's province roll-up recomputed from every observation (what is stored)."""
        return {
            indicator: rollup_days({u: s for u, s in units.items() if u != self.province})
            for indicator, units in self._by_indicator(rows).items()
        }

    def _by_indicator(self, rows: Iterable[StoredObservation]) -> dict[str, dict[str, list[Observation]]]:
        """The catalogue's indicators' series by unit, each by as-of day then receipt time."""
        ordered = sorted(rows, key=lambda r: (r.as_of, r.received_at))
        by_indicator: dict[str, dict[str, list[Observation]]] = defaultdict(lambda: defaultdict(list))
        for row in ordered:
            if row.indicator in self.catalogue.indicators:
                by_indicator[row.indicator][row.unit_code].append(row.observation())
        return by_indicator

    def _snapshot(
        self,
        unit_code: str,
        indicator: str,
        series: Sequence[Observation],
        today: date,
        reporting: int,
        expected: int,
    ) -> Snapshot:
        target = self.target(indicator, today)
        projection = project(series, target or _no_target(today), today, self.rules)
        return Snapshot.of(unit_code, indicator, projection, target, reporting, expected)


def _no_target(today: date) -> Target:
    # An indicator without any target still gets attainment and pace; status is judged vs 100 %.
    return Target(value=1.0, comparator=Comparator.GE, due=date(today.year, 12, 31))
