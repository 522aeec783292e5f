"""In-memory fakes of intake's use-case ports (`intake.service_layer.ports`), for fast unit tests.

The same behaviour as the PostgreSQL adapter (tests/integration/test_intake_stores.py runs the
same assertions on both): a report's revisions count up and keep the first revision's timeliness,
a retry key is claimed once, the latest catalogue version is the one in force, and a transaction is
all or nothing (the stores work on a copy, kept only when the block ends normally).
"""

from __future__ import annotations

import contextlib
import copy
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from bdhvs_shared.events import CataloguePublished, Event, ReportAccepted
from intake.domain.history import Previous
from intake.domain.problems import Problem
from intake.domain.submissions import ValidReport
from intake.service_layer.ports import (
    Claim,
    FallbackReason,
    IntakeStores,
    Receipt,
    Recorded,
    RetryKey,
    StoredRevision,
    StoredVersion,
)

LOOKBACK = 24  # reports read for a unit's previous figures, as the adapter


@dataclass
class _Report:
    report_id: UUID
    period: str
    as_of: date
    latest_revision: int
    first_received_at: datetime
    deadline: datetime
    on_time: bool


@dataclass
class FakeReports:
    rows: dict[tuple[str, str, str], _Report] = field(default_factory=dict)  # (unit, form, period)
    revisions: list[ReportAccepted] = field(default_factory=list)

    async def next_revision(
        self, report: ValidReport, received_at: datetime, deadline: datetime, on_time: bool
    ) -> StoredRevision:
        key = (report.unit.code, report.form.code, str(report.period))
        row = self.rows.get(key)
        if row is None:
            row = _Report(uuid.uuid4(), key[2], report.as_of, 0, received_at, deadline, on_time)
            self.rows[key] = row
        row.latest_revision += 1
        return StoredRevision(
            row.report_id, row.latest_revision, row.first_received_at, row.deadline, row.on_time
        )

    async def add_revision(self, event: ReportAccepted) -> None:
        self.revisions.append(event)

    async def receipt(self, event_id: UUID) -> Receipt:
        event = next(e for e in self.revisions if e.event_id == event_id)
        row = next(r for r in self.rows.values() if r.report_id == event.report_id)
        return Receipt(
            event.report_id,
            event.revision,
            event.unit_code,
            event.form,
            event.period,
            event.as_of,
            event.received_at,
            row.deadline,
            row.on_time,
            event.event_id,
        )

    async def previous_figures(
        self, unit_code: str, before: date, indicators: Iterable[str]
    ) -> dict[str, Previous]:
        wanted = set(indicators)
        latest = {(e.report_id, e.revision): e for e in self.revisions}
        earlier = [  # joined with their latest revision, as the adapter's query
            (r, latest[(r.report_id, r.latest_revision)])
            for (unit, _, _), r in self.rows.items()
            if unit == unit_code and r.as_of < before and (r.report_id, r.latest_revision) in latest
        ]
        found: dict[str, Previous] = {}
        for row, event in sorted(earlier, key=lambda pair: pair[0].as_of, reverse=True)[:LOOKBACK]:
            for code, value in event.values.items():
                if code in wanted and code not in found:
                    found[code] = Previous(row.as_of, row.period, value.numerator, value.denominator)
        return found


@dataclass
class FakeRetryKeys:
    keys: dict[tuple[UUID, str], tuple[str, UUID | None]] = field(default_factory=dict)

    async def claim(
        self, token_id: UUID, key: str, fingerprint: str, now: datetime, event_id: UUID | None = None
    ) -> Claim:
        taken = self.keys.get((token_id, key))
        if taken is None:
            self.keys[(token_id, key)] = (fingerprint, event_id)
            return Claim(new=True)
        return Claim(new=False, same_request=taken[0] == fingerprint, event_id=taken[1])


@dataclass
class FakeCatalogue:
    versions: list[CataloguePublished] = field(default_factory=list)
    locked: bool = False  # in the current transaction

    async def lock(self) -> None:
        self.locked = True

    async def latest(self) -> StoredVersion | None:
        last = self.versions[-1] if self.versions else None
        return None if last is None else StoredVersion(last.version, dict(last.files))

    async def add(self, event: CataloguePublished) -> None:
        self.versions.append(event)


@dataclass
class FakeIntakeStores:
    reports: FakeReports = field(default_factory=FakeReports)
    retry_keys: FakeRetryKeys = field(default_factory=FakeRetryKeys)
    catalogue: FakeCatalogue = field(default_factory=FakeCatalogue)
    outbox: list[tuple[Event, str]] = field(default_factory=list)

    async def stage(self, events: Sequence[tuple[Event, str]]) -> None:
        self.outbox += events

    async def record(
        self,
        report: ValidReport,
        draft: ReportAccepted,
        subject: str,
        token_id: UUID,
        retry: RetryKey | None,
    ) -> Recorded:
        """The five steps the adapter's one statement takes, one after the other."""
        claim = None
        if retry is not None:
            claim = await self.retry_keys.claim(
                token_id, retry.key, retry.fingerprint, draft.received_at, draft.event_id
            )
            if not claim.new:
                return Recorded(claim, {}, None)
        previous = await self.reports.previous_figures(report.unit.code, report.as_of, report.values)
        stored = await self.reports.next_revision(report, draft.received_at, draft.deadline, draft.on_time)
        event = draft.model_copy(
            update={
                "report_id": stored.report_id,
                "revision": stored.revision,
                "deadline": stored.deadline.astimezone(draft.deadline.tzinfo),
                "on_time": stored.on_time,
            }
        )
        await self.reports.add_revision(event)
        await self.stage([(event, subject)])
        return Recorded(claim, previous, event)

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        kept = copy.deepcopy((self.reports, self.retry_keys, self.catalogue, self.outbox))
        try:
            yield
        except BaseException:
            self.reports, self.retry_keys, self.catalogue, self.outbox = kept
            raise


class FakeDatabase:
    """`Transactions` in memory: `committed` is what a new transaction sees."""

    def __init__(self) -> None:
        self.committed = FakeIntakeStores()
        self.opened = 0  # transactions begun, committed or not

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[IntakeStores]:
        self.opened += 1
        working = copy.deepcopy(self.committed)
        working.catalogue.locked = False  # the lock ends with its transaction
        yield working
        self.committed = working  # not reached when the block raises: a rollback


class Signals:
    """The relay and the counters, recording what the use case told them (`Relay`, `Tally`,
    `GroupCommitMeter`)."""

    def __init__(self) -> None:
        self.wakes, self.accepted_forms = 0, list[str]()
        self.group_sizes, self.fallback_reasons, self.unknown_outcomes = list[int](), list[str](), 0

    def wake(self) -> None:
        self.wakes += 1

    def accepted(self, form: str) -> None:
        self.accepted_forms.append(form)

    def rejected(self, problems: Sequence[Problem]) -> None:
        pass

    def group_committed(self, size: int) -> None:
        self.group_sizes.append(size)

    def group_fell_back(self, reason: FallbackReason) -> None:
        self.fallback_reasons.append(reason)

    def group_outcome_unknown(self) -> None:
        self.unknown_outcomes += 1
