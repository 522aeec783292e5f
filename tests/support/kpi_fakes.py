"""In-memory fakes of kpi's live stores (`kpi.service_layer.ports`), for fast unit tests.

The same behaviour as the PostgreSQL adapter (tests/integration/test_kpi_report_stores.py runs
the same assertions on both): the highest revision of a report is kept, the receipt rule is the
domain's, and a transaction is all or nothing (the stores work on a copy, kept only when the
block ends normally).
"""

from __future__ import annotations

import contextlib
import copy
from collections import defaultdict
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from bdhvs_shared.events import IndicatorValue, ReportAccepted
from kpi.domain.consolidated_report import ConsolidatedReport
from kpi.domain.observation import Observation
from kpi.domain.projector import StoredObservation
from kpi.domain.publications import Staged
from kpi.domain.rebuild_plan import Recorded
from kpi.domain.receipts import StoredReceipt, merge_receipt
from kpi.domain.replay import ReceiptKey
from kpi.domain.reporting import Receipt
from kpi.domain.rollup import RollupDay
from kpi.domain.snapshot import AttainmentStatus, Snapshot
from kpi.service_layer.ports import Pair, ReportStores


@dataclass
class FakeObservations:
    rows: dict[tuple[str, str, str, str], StoredObservation] = field(default_factory=dict)

    async def upsert(self, event: ReportAccepted, indicator: str, value: IndicatorValue) -> None:
        await self.upsert_many([StoredObservation.of(event, indicator, value)])

    async def upsert_many(self, rows: Sequence[StoredObservation]) -> None:
        for row in rows:
            key = (row.unit_code, row.indicator, row.form, row.period)
            current = self.rows.get(key)
            if current is None or current.revision < row.revision:
                self.rows[key] = row

    async def unit_series(self, unit_code: str, indicator: str) -> list[Observation]:
        return (await self.series_by_unit(indicator)).get(unit_code, [])

    async def series_by_unit(self, indicator: str) -> dict[str, list[Observation]]:
        out: dict[str, list[Observation]] = defaultdict(list)
        for r in await self.all():
            if r.indicator == indicator:
                out[r.unit_code].append(r.observation())
        return dict(out)

    async def rows_for(self, pairs: Collection[Pair]) -> dict[Pair, list[StoredObservation]]:
        out: dict[Pair, list[StoredObservation]] = defaultdict(list)
        for r in await self.all():
            if (r.unit_code, r.indicator) in pairs:
                out[(r.unit_code, r.indicator)].append(r)
        return dict(out)

    async def all(self) -> list[StoredObservation]:
        return sorted(self.rows.values(), key=lambda r: (r.as_of, r.received_at))


@dataclass
class FakeProjections:
    rows: dict[tuple[str, str], tuple[Snapshot, int, datetime, UUID]] = field(default_factory=dict)

    async def current(self, unit_code: str, indicator: str) -> tuple[Snapshot, int] | None:
        row = self.rows.get((unit_code, indicator))
        return None if row is None else (row[0], row[1])

    async def current_many(self, pairs: Collection[Pair]) -> dict[Pair, tuple[Snapshot, int]]:
        return {pair: (row[0], row[1]) for pair, row in self.rows.items() if pair in pairs}

    async def save(self, snapshot: Snapshot, sequence: int, updated_at: datetime, event_id: UUID) -> None:
        self.rows[(snapshot.unit_code, snapshot.indicator)] = (snapshot, sequence, updated_at, event_id)

    async def save_many(self, saved: Sequence[Recorded]) -> None:
        for r in saved:
            await self.save(r.snapshot, r.sequence, r.updated_at, r.event_id)

    async def find(self, unit_code: str | None, indicator: str | None) -> list[Recorded]:
        return [
            Recorded(*self.rows[(u, i)])
            for u, i in sorted(self.rows)
            if unit_code in (None, "", u) and indicator in (None, "", i)
        ]

    async def all(self) -> list[Snapshot]:
        return [r.snapshot for r in await self.find(None, None)]

    async def statuses(self) -> list[AttainmentStatus]:
        return [AttainmentStatus(s.unit_code, s.indicator, s.attainment, s.status) for s in await self.all()]


@dataclass
class FakeReceipts:
    rows: dict[ReceiptKey, Receipt] = field(default_factory=dict)
    deadlines: dict[ReceiptKey, datetime] = field(default_factory=dict)  # the first seen, as the upsert

    async def record(self, event: ReportAccepted) -> bool:
        key = (event.unit_code, event.form, event.period)
        new = key not in self.rows
        self.rows[key] = merge_receipt(self.rows.get(key), event)
        self.deadlines.setdefault(key, event.deadline)
        return new

    async def record_many(self, rows: Sequence[StoredReceipt]) -> None:
        for row in rows:
            key = (row.unit_code, row.form, row.period)
            old = self.rows.get(key)
            earlier = old is None or row.first_revision < old.first_revision
            later = old is None or row.latest_revision > old.latest_revision
            first, latest = (row if earlier else old), (row if later else old)
            assert first is not None and latest is not None
            self.rows[key] = Receipt(
                row.unit_code,
                first.on_time,
                first.first_revision,
                first.first_received_at,
                latest.latest_revision,
                latest.latest_received_at,
            )
            self.deadlines.setdefault(key, row.deadline)

    async def existing(self, keys: Collection[ReceiptKey]) -> set[ReceiptKey]:
        return set(keys) & set(self.rows)

    async def for_period(self, form: str, period: str) -> dict[str, Receipt]:
        return {u: r for (u, f, p), r in self.rows.items() if (f, p) == (form, period)}

    async def all(self) -> dict[ReceiptKey, StoredReceipt]:
        return {
            (u, f, p): StoredReceipt(
                u,
                f,
                p,
                r.on_time,
                r.first_revision,
                r.first_received_at,
                r.latest_revision,
                r.latest_received_at,
                self.deadlines[(u, f, p)],
            )
            for (u, f, p), r in self.rows.items()
        }


@dataclass
class FakeArchive:
    reports: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    async def exists(self, period: str) -> bool:
        return period in self.reports

    async def insert_once(self, report: ConsolidatedReport, workbook: bytes, page: str, digest: str) -> bool:
        if report.period in self.reports:
            return False
        self.reports[report.period] = (workbook, page)
        return True

    async def archived(self, period: str) -> tuple[bytes, str] | None:
        return self.reports.get(period)


@dataclass
class FakeRollups:
    kept: dict[str, list[RollupDay]] = field(default_factory=dict)

    async def days(self, indicators: Collection[str]) -> dict[str, list[RollupDay]]:
        return {i: list(self.kept[i]) for i in indicators if i in self.kept}

    async def write(self, kept: Mapping[str, Sequence[RollupDay]]) -> None:
        self.kept.update({i: list(days) for i, days in kept.items()})

    async def all(self) -> dict[str, list[RollupDay]]:
        return {i: list(days) for i, days in self.kept.items()}


@dataclass
class FakeReportStores:
    observations: FakeObservations = field(default_factory=FakeObservations)
    projections: FakeProjections = field(default_factory=FakeProjections)
    receipts: FakeReceipts = field(default_factory=FakeReceipts)
    archive: FakeArchive = field(default_factory=FakeArchive)
    rollups: FakeRollups = field(default_factory=FakeRollups)
    processed: set[UUID] = field(default_factory=set)
    dirty: dict[str, UUID] = field(default_factory=dict)  # in the order marked, the latest mark last
    outbox: list[Staged] = field(default_factory=list)
    locks: list[tuple[str, str]] = field(default_factory=list)  # taken in the last transaction, in order

    async def first_time(self, event_id: UUID) -> bool:
        return bool(await self.first_times([event_id]))

    async def first_times(self, event_ids: Sequence[UUID]) -> set[UUID]:
        new = set(event_ids) - self.processed
        self.processed |= new
        return new

    async def processed_ids(self) -> set[UUID]:
        return set(self.processed)

    async def lock(self, unit_code: str, indicator: str) -> None:
        self.locks.append((unit_code, indicator))

    async def lock_all(self, keys: Collection[Pair]) -> None:
        self.locks += sorted(keys, key=lambda k: f"kpi:{k[0]}:{k[1]}")  # the adapter's order

    async def mark_dirty(self, indicator: str, correlation_id: UUID, now: datetime) -> None:
        await self.mark_dirty_many({indicator: correlation_id}, now)

    async def mark_dirty_many(self, marks: Mapping[str, UUID], now: datetime) -> None:
        for indicator, correlation_id in sorted(marks.items()):
            self.dirty.pop(indicator, None)
            self.dirty[indicator] = correlation_id

    async def claim_dirty(self, limit: int = 10) -> list[tuple[str, UUID]]:
        return list(self.dirty.items())[:limit]

    async def clear_dirty(self, indicator: str) -> None:
        self.dirty.pop(indicator, None)

    async def stage(self, staged: Sequence[Staged], ordered_from: datetime | None = None) -> None:
        self.outbox += staged


class FakeDatabase:
    """`Transactions` in memory: `committed` is what a new transaction sees."""

    def __init__(self) -> None:
        self.committed = FakeReportStores()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[ReportStores]:
        working = copy.deepcopy(self.committed)
        working.locks = []  # locks end with their transaction
        yield working
        self.committed = working  # not reached when the block raises: a rollback
