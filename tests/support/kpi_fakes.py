"""In-memory fakes of kpi's reports-use-case ports (`kpi.service_layer.ports`), for fast unit tests.

The same behaviour as the PostgreSQL adapter (tests/integration/test_kpi_report_stores.py runs
the same assertions on both): the highest revision of a report is kept, the receipt rule is the
domain's, and a transaction is all or nothing (the stores work on a copy, kept only when the
block ends normally).
"""

from __future__ import annotations

import contextlib
import copy
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from bdhvs_shared.events import IndicatorValue, ReportAccepted
from kpi.domain.observation import Observation
from kpi.domain.projector import StoredObservation
from kpi.domain.publications import Staged
from kpi.domain.receipts import merge_receipt
from kpi.domain.reporting import Receipt
from kpi.domain.snapshot import Snapshot
from kpi.service_layer.ports import ReportStores


@dataclass
class FakeObservations:
    rows: dict[tuple[str, str, str, str], StoredObservation] = field(default_factory=dict)

    async def upsert(self, event: ReportAccepted, indicator: str, value: IndicatorValue) -> None:
        key = (event.unit_code, indicator, event.form, event.period)
        current = self.rows.get(key)
        if current is not None and current.revision >= event.revision:
            return
        self.rows[key] = StoredObservation(
            event.unit_code,
            indicator,
            event.form,
            event.period,
            event.as_of,
            value.numerator,
            value.denominator,
            event.revision,
            event.received_at,
            event.event_id,
        )

    async def unit_series(self, unit_code: str, indicator: str) -> list[Observation]:
        return (await self.series_by_unit(indicator)).get(unit_code, [])

    async def series_by_unit(self, indicator: str) -> dict[str, list[Observation]]:
        ordered = sorted(
            (r for r in self.rows.values() if r.indicator == indicator),
            key=lambda r: (r.as_of, r.received_at),
        )
        out: dict[str, list[Observation]] = defaultdict(list)
        for r in ordered:
            out[r.unit_code].append(r.observation())
        return dict(out)


@dataclass
class FakeProjections:
    rows: dict[tuple[str, str], tuple[Snapshot, int, datetime, UUID]] = field(default_factory=dict)

    async def current(self, unit_code: str, indicator: str) -> tuple[Snapshot, int] | None:
        row = self.rows.get((unit_code, indicator))
        return None if row is None else (row[0], row[1])

    async def save(self, snapshot: Snapshot, sequence: int, updated_at: datetime, event_id: UUID) -> None:
        self.rows[(snapshot.unit_code, snapshot.indicator)] = (snapshot, sequence, updated_at, event_id)


@dataclass
class FakeReceipts:
    rows: dict[tuple[str, str, str], Receipt] = field(default_factory=dict)

    async def record(self, event: ReportAccepted) -> bool:
        key = (event.unit_code, event.form, event.period)
        new = key not in self.rows
        self.rows[key] = merge_receipt(self.rows.get(key), event)
        return new

    async def for_period(self, form: str, period: str) -> dict[str, Receipt]:
        return {u: r for (u, f, p), r in self.rows.items() if (f, p) == (form, period)}


@dataclass
class FakeReportStores:
    observations: FakeObservations = field(default_factory=FakeObservations)
    projections: FakeProjections = field(default_factory=FakeProjections)
    receipts: FakeReceipts = field(default_factory=FakeReceipts)
    processed: set[UUID] = field(default_factory=set)
    dirty: dict[str, UUID] = field(default_factory=dict)
    outbox: list[Staged] = field(default_factory=list)
    locks: list[tuple[str, str]] = field(default_factory=list)  # taken in the last transaction, in order

    async def first_time(self, event_id: UUID) -> bool:
        new = event_id not in self.processed
        self.processed.add(event_id)
        return new

    async def lock(self, unit_code: str, indicator: str) -> None:
        self.locks.append((unit_code, indicator))

    async def mark_dirty(self, indicator: str, correlation_id: UUID, now: datetime) -> None:
        self.dirty[indicator] = correlation_id

    async def stage(self, staged: Sequence[Staged]) -> None:
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
