"""The intake use case: validate, authorise, store a revision and stage its event, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Catalogue, Workdays
from bdhvs_shared.clock import Clock
from bdhvs_shared.events import IndicatorValue, ReportAccepted, subjects
from intake.domain.history import CONFIRMABLE, history_warnings, needs_confirmation
from intake.domain.principal import Principal
from intake.domain.problems import Problem
from intake.domain.submissions import Submission, ValidReport
from intake.domain.timeliness import timeliness
from intake.domain.validation import validate_submission
from intake.service_layer.errors import Forbidden, KeyReused, NeedsConfirmation
from intake.service_layer.group_commit import CommitOutcomeUnknown, GroupCommit, GroupCommitPolicy
from intake.service_layer.ports import (
    Claim,
    FallbackReason,
    GroupCommitMeter,
    IntakeStores,
    Quiet,
    Receipt,
    Relay,
    RetryKey,
    StoredRevision,
    Tally,
    Transactions,
)

__all__ = ["IntakeService", "NeedsConfirmation", "RetryKey"]


@dataclass(frozen=True)
class _Submission:
    """One report queued for group commit, with the moment it arrived."""

    principal: Principal
    report: ValidReport
    retry: RetryKey | None
    confirm: bool
    received_at: datetime


class _Unconfirmed(Exception):
    """A report whose history warnings need the clerk's confirmation: its writes are undone."""

    def __init__(self, warnings: list[Problem]) -> None:
        super().__init__()
        self.warnings = warnings


@dataclass
class IntakeService:
    transactions: Transactions
    catalogue: Catalogue
    clock: Clock
    tz: ZoneInfo
    deadline_inclusive: bool = False
    early_days: int = 0  # a period may be reported this many days before its as-of day
    relay: Relay = field(default_factory=Quiet)
    tally: Tally = field(default_factory=Quiet)
    deadline_working_day: bool = True  # DEADLINE_WORKING_DAY: a last day that is off moves on
    group_commit: GroupCommitPolicy | None = None  # None: one transaction per submission
    meter: GroupCommitMeter = field(default_factory=Quiet)  # group commit's counters
    _batcher: GroupCommit[_Submission, Receipt] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.group_commit is not None:
            self._batcher = GroupCommit(
                self.group_commit, self._write_batch, self._write_alone, self.meter, _fallback_reason
            )

    @property
    def deadline_workdays(self) -> Workdays | None:
        """The calendar deadlines follow (None: they never move)."""
        return self.catalogue.workdays if self.deadline_working_day else None

    def today(self) -> date:
        """The local date now: the day a report is received."""
        return self.clock.now().astimezone(self.tz).date()

    def validate(self, submission: Submission) -> ValidReport | list[Problem]:
        """The checked report, or its problems (counted as rejections)."""
        valid = validate_submission(self.catalogue, submission, self.today(), self.early_days)
        if isinstance(valid, list):
            self.tally.rejected(valid)
        return valid

    async def submit(
        self,
        principal: Principal,
        report: ValidReport,
        retry: RetryKey | None = None,
        confirm: bool = False,
    ) -> Receipt:
        """One report (an API request): with group commit, in a transaction shared with the reports
        queued beside it, answered once that transaction has committed."""
        if self._batcher is None:
            return (await self.submit_many(principal, [(report, retry)], confirm))[0]
        _authorise(principal, [report])
        received_at = self.clock.now().astimezone(self.tz)
        return await self._batcher.submit(_Submission(principal, report, retry, confirm, received_at))

    async def wait_written(self) -> None:
        """Until every queued submission is written (shutdown)."""
        if self._batcher is not None:
            await self._batcher.wait_idle()

    async def _write_batch(self, batch: Sequence[_Submission]) -> list[Receipt]:
        """Every submission of the batch in one transaction, without savepoints: any error (a
        report to confirm, a reused key, a deadlock) undoes them all, and the batcher writes each
        again alone (`_write_alone`)."""
        statements_ran = False
        try:
            async with self.transactions() as stores:
                receipts = [
                    await self._store(stores, s.principal, s.report, s.retry, s.received_at, s.confirm)
                    for s in batch
                ]
                statements_ran = True
        except Exception as exc:
            if statements_ran:  # it was COMMIT that failed
                raise CommitOutcomeUnknown(exc) from exc
            raise
        self._committed(receipts)
        return receipts

    async def _write_alone(self, s: _Submission) -> Receipt:
        return (await self._write(s.principal, [(s.report, s.retry)], s.confirm, s.received_at))[0]

    async def histories(self, reports: Sequence[ValidReport]) -> list[list[Problem]]:
        """Warnings from each unit's own history (a cumulative figure falling, an outlier): a dry run."""
        async with self.transactions() as stores:
            return [await self._history(stores, report) for report in reports]

    async def _history(self, stores: IntakeStores, report: ValidReport) -> list[Problem]:
        previous = await stores.reports.previous_figures(report.unit.code, report.as_of, report.values)
        return history_warnings(self.catalogue, report.values, previous)

    async def submit_many(
        self,
        principal: Principal,
        items: Sequence[tuple[ValidReport, RetryKey | None]],
        confirm: bool = False,
    ) -> list[Receipt]:
        """Store every report (a revision each) in one transaction: all or nothing (file imports).

        After the commit, the relay is woken and the new revisions counted (not replayed ones)."""
        _authorise(principal, [report for report, _ in items])
        return await self._write(principal, items, confirm, self.clock.now().astimezone(self.tz))

    async def _write(
        self,
        principal: Principal,
        items: Sequence[tuple[ValidReport, RetryKey | None]],
        confirm: bool,
        received_at: datetime,
    ) -> list[Receipt]:
        async with self.transactions() as stores:
            alone = len(items) == 1  # the whole transaction is undone: no savepoint needed
            results = [
                await self._attempt(stores, principal, report, retry, received_at, confirm, alone)
                for report, retry in items
            ]
            if any(isinstance(r, list) for r in results):  # the exception rolls back the others too
                raise NeedsConfirmation([r if isinstance(r, list) else [] for r in results])
            receipts = [r for r in results if isinstance(r, Receipt)]
        self._committed(receipts)
        return receipts

    def _committed(self, receipts: Sequence[Receipt]) -> None:
        """After a commit: wake the relay and count the new revisions (not replayed ones)."""
        stored = [r for r in receipts if not r.replayed]
        if stored:
            self.relay.wake()
        for receipt in stored:
            self.tally.accepted(receipt.form)

    async def _attempt(
        self,
        stores: IntakeStores,
        principal: Principal,
        report: ValidReport,
        retry: RetryKey | None,
        received_at: datetime,
        confirm: bool,
        alone: bool,
    ) -> Receipt | list[Problem]:
        """The stored revision's receipt, or the warnings to confirm first (then its writes are
        undone, so that the next reports of a file see the database as if it had not been sent)."""
        try:
            if alone:
                return await self._store(stores, principal, report, retry, received_at, confirm)
            async with stores.savepoint():
                return await self._store(stores, principal, report, retry, received_at, confirm)
        except _Unconfirmed as unconfirmed:
            return unconfirmed.warnings

    async def _store(
        self,
        stores: IntakeStores,
        principal: Principal,
        report: ValidReport,
        retry: RetryKey | None,
        received_at: datetime,
        confirm: bool,
    ) -> Receipt:
        """Write the revision (or find the retry key's original reply), then check the unit's history
        on the figures the write read before it: warnings to confirm raise `_Unconfirmed`."""
        draft = self._draft(principal, report, received_at)
        subject = subjects.report_accepted(report.unit.code)
        recorded = await stores.record(report, draft, subject, principal.token_id, retry)
        if recorded.event is None:
            assert retry is not None and recorded.claim is not None  # only a taken key writes nothing
            return await self._replay(stores, retry, recorded.claim)
        warnings = history_warnings(self.catalogue, report.values, recorded.previous)
        if needs_confirmation(warnings) and not confirm:
            raise _Unconfirmed([w for w in warnings if w.code in CONFIRMABLE])
        event = recorded.event
        return Receipt(
            report_id=event.report_id,
            revision=event.revision,
            unit_code=event.unit_code,
            form=event.form,
            period=event.period,
            as_of=event.as_of,
            received_at=event.received_at,
            deadline=event.deadline,
            on_time=event.on_time,
            event_id=event.event_id,
            history_warnings=tuple(warnings),
        )

    async def _replay(self, stores: IntakeStores, retry: RetryKey, claim: Claim) -> Receipt:
        """The original reply of the request that took the key before (the same body), or KeyReused."""
        if not claim.same_request or claim.event_id is None:
            raise KeyReused(retry.key)
        original = await stores.reports.receipt(claim.event_id)
        return replace(
            original,
            received_at=original.received_at.astimezone(self.tz),
            deadline=original.deadline.astimezone(self.tz),
            replayed=True,
        )

    def _draft(self, principal: Principal, report: ValidReport, at: datetime) -> ReportAccepted:
        """The event of the report's first revision, received now: the store puts in the report's
        id and revision and keeps the first revision's timeliness (`IntakeStores.record`)."""
        deadline, on_time = timeliness(
            at, report.form, report.period, self.tz, self.deadline_inclusive, self.deadline_workdays
        )
        first = StoredRevision(uuid4(), 1, at, deadline, on_time)
        return _accepted_event(report, first, at, principal, self.catalogue.version, self.tz, uuid4())


def _authorise(principal: Principal, reports: Sequence[ValidReport]) -> None:
    for report in reports:
        if not principal.may_submit(report.unit.code, report.form):
            raise Forbidden(report.unit.code)


def _accepted_event(
    report: ValidReport,
    stored: StoredRevision,
    received_at: datetime,
    principal: Principal,
    catalogue_version: str,
    tz: ZoneInfo,
    event_id: UUID,
) -> ReportAccepted:
    values = {
        code: IndicatorValue(
            numerator=v.numerator,
            denominator=v.denominator,
            denominator_estimated=v.denominator_estimated,
            parts=dict(v.parts),
        )
        for code, v in sorted(report.values.items())
    }
    return ReportAccepted.new(
        producer="intake",
        correlation_id=None,  # a report revision starts its own chain
        occurred_at=received_at,
        event_id=event_id,
        report_id=stored.report_id,
        revision=stored.revision,
        unit_code=report.unit.code,
        form=report.form.code,
        period=str(report.period),
        as_of=report.as_of,
        values=values,
        received_at=received_at,
        deadline=stored.deadline.astimezone(tz),
        on_time=stored.on_time,
        submitted_by=principal.label,
        catalogue_version=catalogue_version,
    )


def _fallback_reason(error: Exception) -> FallbackReason:
    """Why a group was written again one by one: a metric label from a closed set, never the error's text."""
    if isinstance(error, _Unconfirmed):
        return "needs_confirmation"
    if isinstance(error, KeyReused):
        return "key_reused"
    return "error"
