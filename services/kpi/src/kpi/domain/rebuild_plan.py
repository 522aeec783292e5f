"""What a rebuild keeps, publishes and drops (pure).

For each rebuilt snapshot the baseline is what subscribers know: the newer (by
`sequence`) of the live row and the last `AttainmentUpdated` on the KPI stream; on
a tie the published message wins, so a tampered row is simply restored. A wiped
table is rebuilt from the stream's baselines with the same sequences. Only a
snapshot that differs from its baseline is published again (with the next
sequence, and a StatusChanged when its status differs from the baseline's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from kpi.domain.comparison import same_snapshot
from kpi.domain.publications import Staged, publications
from kpi.domain.snapshot import Snapshot

Key = tuple[str, str]  # unit, indicator


@dataclass(frozen=True)
class Recorded:
    """A snapshot as recorded somewhere (live table or KPI stream), with its bookkeeping."""

    snapshot: Snapshot
    sequence: int
    updated_at: datetime
    event_id: UUID


@dataclass
class RebuildPlan:
    rows: list[Recorded] = field(default_factory=list)  # the new attainment table
    staged: list[Staged] = field(default_factory=list)  # events for the outbox
    kept: int = 0
    republished: list[Key] = field(default_factory=list)
    dropped: list[Key] = field(default_factory=list)  # live rows with no observation behind them


def plan(
    rebuilt: Mapping[Key, Snapshot],
    live: Mapping[Key, Recorded],
    published: Mapping[Key, Recorded],
    now: datetime,
    correlation_id: UUID,
) -> RebuildPlan:
    result = RebuildPlan()
    for key in sorted(rebuilt):
        snapshot = rebuilt[key]
        baseline = _baseline(live.get(key), published.get(key))
        if baseline is not None and same_snapshot(snapshot, baseline.snapshot):
            result.rows.append(Recorded(snapshot, baseline.sequence, baseline.updated_at, baseline.event_id))
            result.kept += 1
            continue
        sequence = max(_sequence(live.get(key)), _sequence(published.get(key))) + 1
        previous = baseline.snapshot.status if baseline else None
        staged = publications(snapshot, previous, sequence, now, correlation_id)
        result.rows.append(Recorded(snapshot, sequence, now, staged[0][0].event_id))
        result.staged += staged
        result.republished.append(key)
    result.dropped = sorted(live.keys() - rebuilt.keys())
    return result


def _baseline(live: Recorded | None, published: Recorded | None) -> Recorded | None:
    if live is None or published is None:
        return live or published
    return live if live.sequence > published.sequence else published


def _sequence(recorded: Recorded | None) -> int:
    return recorded.sequence if recorded else 0
