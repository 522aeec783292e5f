"""A batch of reports applied in memory, report after report, as the one-by-one path would (pure).

`BatchState` holds the touched (unit, indicator) rows as they stood before the batch; each
report's figures are folded in (the highest revision wins, as the upsert) and each touched
snapshot is recomputed after each report, publishing what `KpiService.refresh` would. What
changed is then written at once (`changed_rows`, `saved`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from bdhvs_shared.events import IndicatorValue, ReportAccepted
from kpi.domain.observation import Observation
from kpi.domain.projector import Projector, StoredObservation
from kpi.domain.publications import Staged, publications
from kpi.domain.rebuild_plan import Recorded
from kpi.domain.snapshot import Snapshot

Pair = tuple[str, str]  # unit, indicator


@dataclass
class BatchState:
    """The touched rows as the one-by-one path would find them before each report."""

    rows: dict[Pair, dict[tuple[str, str], StoredObservation]]
    current: dict[Pair, tuple[Snapshot, int]]
    before: dict[Pair, list[StoredObservation]] = field(default_factory=dict)  # as stored, ordered
    changed_rows: dict[tuple[str, str, str, str], StoredObservation] = field(default_factory=dict)
    saved: dict[Pair, Recorded] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        pairs: Collection[Pair],
        stored: Mapping[Pair, list[StoredObservation]],
        current: dict[Pair, tuple[Snapshot, int]],
    ) -> BatchState:
        rows = {pair: {(r.form, r.period): r for r in stored.get(pair, [])} for pair in pairs}
        return cls(rows=rows, current=current, before={pair: list(stored.get(pair, [])) for pair in pairs})

    def fold(self, event: ReportAccepted, indicator: str, value: IndicatorValue) -> None:
        rows = self.rows[(event.unit_code, indicator)]
        current = rows.get((event.form, event.period))
        if current is not None and current.revision >= event.revision:
            return  # as the upsert: an older or equal revision changes nothing
        row = StoredObservation.of(event, indicator, value)
        rows[(event.form, event.period)] = row
        self.changed_rows[(event.unit_code, indicator, event.form, event.period)] = row

    def series_changes(self, leave_out: str) -> dict[str, list[tuple[list[Observation], list[Observation]]]]:
        """Per indicator, each unit's series before and after the batch, for the units it changed
        (not `leave_out`: the province's agency, whose own figures are not in the roll-up)."""
        changes: dict[str, list[tuple[list[Observation], list[Observation]]]] = defaultdict(list)
        for pair in sorted({(unit, indicator) for unit, indicator, _, _ in self.changed_rows}):
            if pair[0] != leave_out:
                changes[pair[1]].append((_series(self.before[pair]), _series(self.rows[pair].values())))
        return dict(changes)

    def refresh(
        self, projector: Projector, pair: Pair, today: date, now: datetime, correlation_id: UUID
    ) -> list[Staged]:
        """`KpiService.refresh` on the in-memory rows."""
        series = _series(self.rows[pair].values())
        snapshot = projector.unit_snapshot(pair[0], pair[1], series, today)
        stored = self.current.get(pair)
        if stored is not None and stored[0] == snapshot:
            return []
        previous = stored[0].status if stored else None
        sequence = (stored[1] if stored else 0) + 1
        staged = publications(snapshot, previous, sequence, now, correlation_id)
        self.current[pair] = (snapshot, sequence)
        self.saved[pair] = Recorded(snapshot, sequence, now, staged[0][0].event_id)
        return staged


def _series(rows: Iterable[StoredObservation]) -> list[Observation]:
    """As the store reads a unit's series: by as-of day, then receipt time (the later wins a day)."""
    return [r.observation() for r in sorted(rows, key=lambda r: (r.as_of, r.received_at))]
