"""A batch of reports applied in memory, report after report, as the one-by-one path would (pure).

`BatchState` holds the touched (unit, indicator) rows as they stood before the batch; each
report's figures are folded in (the highest revision wins, as the upsert) and each touched
snapshot is recomputed after each report, publishing what `KpiService.refresh` would. What
changed is then written at once (`changed_rows`, `saved`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from bdhvs_shared.events import IndicatorValue, ReportAccepted
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
        return cls(rows=rows, current=current)

    def fold(self, event: ReportAccepted, indicator: str, value: IndicatorValue) -> None:
        rows = self.rows[(event.unit_code, indicator)]
        current = rows.get((event.form, event.period))
        if current is not None and current.revision >= event.revision:
            return  # as the upsert: an older or equal revision changes nothing
        row = StoredObservation.of(event, indicator, value)
        rows[(event.form, event.period)] = row
        self.changed_rows[(event.unit_code, indicator, event.form, event.period)] = row

    def refresh(
        self, projector: Projector, pair: Pair, today: date, now: datetime, correlation_id: UUID
    ) -> list[Staged]:
        """`KpiService.refresh` on the in-memory rows."""
        ordered = sorted(self.rows[pair].values(), key=lambda r: (r.as_of, r.received_at))
        series = [r.observation() for r in ordered]
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
