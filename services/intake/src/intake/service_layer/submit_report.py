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
from intake.service_layer.ports import (
    IntakeStores,
    Quiet,
    Receipt,
    Relay,
    StoredRevision,
    Tally,
    Transactions,
)


@dataclass(frozen=True)
class RetryKey:
    """A client's Idempotency-Key (or submission_id) and the fingerprint of its request body."""

    key: str
    fingerprint: str


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
        return (await self.submit_many(principal, [(report, retry)], confirm))[0]

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
        for report, _ in items:
            if not principal.may_submit(report.unit.code, report.form):
                raise Forbidden(report.unit.code)
        received_at = self.clock.now().astimezone(self.tz)
        async with self.transactions() as stores:
            results = [
                await self._store(stores, principal, report, retry, received_at, confirm)
                for report, retry in items
            ]
            if any(isinstance(r, list) for r in results):  # the exception rolls back the others too
                raise NeedsConfirmation([r if isinstance(r, list) else [] for r in results])
            receipts = [r for r in results if isinstance(r, Receipt)]
        stored = [r for r in receipts if not r.replayed]
        if stored:
            self.relay.wake()
        for receipt in stored:
            self.tally.accepted(receipt.form)
        return receipts

    async def _store(
        self,
        stores: IntakeStores,
        principal: Principal,
        report: ValidReport,
        retry: RetryKey | None,
        received_at: datetime,
        confirm: bool,
    ) -> Receipt | list[Problem]:
        """The stored revision's receipt, or the warnings to confirm first (then nothing is written).

        The revision's event id is made first, so that the retry key's claim remembers it in the
        same statement (the transaction is all or nothing: a refusal rolls the claim back too)."""
        event_id = uuid4()
        if retry is not None:
            replayed = await self._replay(stores, principal, retry, received_at, event_id)
            if replayed is not None:
                return replayed
        warnings = await self._history(stores, report)
        if needs_confirmation(warnings) and not confirm:
            return [w for w in warnings if w.code in CONFIRMABLE]
        event = await self._write(stores, principal, report, received_at, event_id)
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

    async def _replay(
        self, stores: IntakeStores, principal: Principal, retry: RetryKey, at: datetime, event_id: UUID
    ) -> Receipt | None:
        """The original reply when the key was used before for this request; None when it is new
        (then the key remembers `event_id`, the revision this request is about to create)."""
        claim = await stores.retry_keys.claim(principal.token_id, retry.key, retry.fingerprint, at, event_id)
        if claim.new:
            return None
        if not claim.same_request or claim.event_id is None:
            raise KeyReused(retry.key)
        original = await stores.reports.receipt(claim.event_id)
        return replace(
            original,
            received_at=original.received_at.astimezone(self.tz),
            deadline=original.deadline.astimezone(self.tz),
            replayed=True,
        )

    async def _write(
        self, stores: IntakeStores, principal: Principal, report: ValidReport, at: datetime, event_id: UUID
    ) -> ReportAccepted:
        """A new revision of the report and its event in the outbox; the event says what was stored."""
        deadline, on_time = timeliness(
            at, report.form, report.period, self.tz, self.deadline_inclusive, self.deadline_workdays
        )
        stored = await stores.reports.next_revision(report, at, deadline, on_time)
        event = _accepted_event(report, stored, at, principal, self.catalogue.version, self.tz, event_id)
        await stores.reports.add_revision(event)
        await stores.stage([(event, subjects.report_accepted(report.unit.code))])
        return event


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
