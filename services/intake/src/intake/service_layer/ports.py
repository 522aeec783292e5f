"""The ports of intake's use cases (`submit_report`, `catalogue_admin`): what they need, as Protocols.

One transaction's stores (`IntakeStores`): the report store, the retry-key (idempotency) store,
the catalogue-version store and the outbox. The PostgreSQL adapter is `intake.adapters.stores`;
the in-memory fake is tests/support/intake_fakes.py; tests/integration/test_intake_stores.py runs
the same assertions on both. Every method hands typed records (below, or domain types), never
database rows. The relay and the counters are ports too (`Relay`, `Tally`, `GroupCommitMeter`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol
from uuid import UUID

from bdhvs_shared.events import CataloguePublished, Event, ReportAccepted
from intake.domain.history import Previous
from intake.domain.problems import Problem
from intake.domain.submissions import ValidReport


@dataclass(frozen=True)
class Receipt:
    """What a submission's reply says; a replayed retry gets the original one."""

    report_id: UUID
    revision: int
    unit_code: str
    form: str
    period: str
    as_of: date
    received_at: datetime
    deadline: datetime
    on_time: bool
    event_id: UUID
    replayed: bool = False
    history_warnings: tuple[Problem, ...] = ()  # confirmed warnings about the unit's history


@dataclass(frozen=True)
class StoredRevision:
    """The revision number a submission got, and the timeliness its report's first revision decided."""

    report_id: UUID
    revision: int
    first_received_at: datetime
    deadline: datetime
    on_time: bool


@dataclass(frozen=True)
class Claim:
    """A retry key claimed: new, or taken before (by the same request or not; its revision, if any)."""

    new: bool
    same_request: bool = True
    event_id: UUID | None = None


@dataclass(frozen=True)
class RetryKey:
    """A client's Idempotency-Key (or submission_id) and the fingerprint of its request body."""

    key: str
    fingerprint: str


@dataclass(frozen=True)
class Recorded:
    """What `IntakeStores.record` did: the retry key was taken before (`event` None, nothing
    written), or the revision is stored and its event staged (`event`, with the stored report id,
    revision and the first revision's timeliness), with the unit's figures before it (`previous`)."""

    claim: Claim | None  # None: the submission had no retry key
    previous: dict[str, Previous]
    event: ReportAccepted | None


@dataclass(frozen=True)
class StoredVersion:
    """A published catalogue version: its name and its data files' texts."""

    version: str
    files: dict[str, str]


class ReportStore(Protocol):
    async def next_revision(
        self, report: ValidReport, received_at: datetime, deadline: datetime, on_time: bool
    ) -> StoredRevision:
        """Create the report (revision 1) or bump its revision; timeliness stays the first revision's.
        Concurrent resubmissions of one report wait for each other until the transaction ends."""

    async def add_revision(self, event: ReportAccepted) -> None:
        """Store the revision the event announces (its figures, who, when, the catalogue version)."""

    async def receipt(self, event_id: UUID) -> Receipt:
        """The reply to the submission that created revision `event_id` (not marked replayed)."""

    async def previous_figures(
        self, unit_code: str, before: date, indicators: Iterable[str]
    ) -> dict[str, Previous]:
        """The unit's latest stored figure of each indicator as of a day before `before`."""


class RetryKeyStore(Protocol):
    async def claim(
        self, token_id: UUID, key: str, fingerprint: str, now: datetime, event_id: UUID | None = None
    ) -> Claim:
        """Take the key for this request, or say who took it: a second claim waits for the first's
        transaction to end. `event_id`: the revision the request will create, remembered at once
        (for replaying its reply)."""


class CatalogueStore(Protocol):
    async def lock(self) -> None:
        """Serialise publications until the transaction ends (two admins would build on one version)."""

    async def latest(self) -> StoredVersion | None:
        """The version in force, or None before the first publication (the packaged files)."""

    async def add(self, event: CataloguePublished) -> None:
        """Keep the published version, with who and why (the audit log)."""


class IntakeStores(Protocol):
    """The stores of one transaction: all of it is kept, or none of it."""

    @property
    def reports(self) -> ReportStore: ...

    @property
    def retry_keys(self) -> RetryKeyStore: ...

    @property
    def catalogue(self) -> CatalogueStore: ...

    async def stage(self, events: Sequence[tuple[Event, str]]) -> None:
        """Put events (each with its subject) in the outbox, published after the transaction commits."""

    async def record(
        self,
        report: ValidReport,
        draft: ReportAccepted,
        subject: str,
        token_id: UUID,
        retry: RetryKey | None,
    ) -> Recorded:
        """A submission's writes, as `claim`, `previous_figures`, `next_revision`, `add_revision`
        and `stage` one after the other would do them (the PostgreSQL adapter: one round trip).

        `draft` is the event of a first revision (its `report_id` the id a new report gets, its
        timeliness decided now); the stored event is `draft` with the report's id and revision and
        its first revision's timeliness. When `retry`'s key was taken before, nothing is written."""

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A part of the transaction undone alone when its block raises (the rest stays)."""


# Opens a transaction: committed when the block ends normally, rolled back when it raises.
Transactions = Callable[[], AbstractAsyncContextManager[IntakeStores]]


class Relay(Protocol):
    """The outbox relay: woken after a commit that staged events, so they go out now, not at its next poll."""

    def wake(self) -> None: ...


class Tally(Protocol):
    """The service's counters (Prometheus in production)."""

    def accepted(self, form: str) -> None:
        """Count one new revision of a report on `form`."""

    def rejected(self, problems: Sequence[Problem]) -> None:
        """Count the errors among `problems` (warnings are not rejections)."""


FallbackReason = Literal["needs_confirmation", "key_reused", "error"]
"""Why a group was rolled back and written one by one: a report needing confirmation, a retry key
reused with another body, anything else (a database error, a deadlock). A closed set: a metric label."""


class GroupCommitMeter(Protocol):
    """Group commit's counters (Prometheus in production; docs/benchmark.md, "Group commit")."""

    def group_committed(self, size: int) -> None:
        """`size` reports committed in one transaction by the batcher (1: a report that came alone)."""

    def group_fell_back(self, reason: FallbackReason) -> None:
        """A group of several reports rolled back, its reports then written one by one."""

    def group_outcome_unknown(self) -> None:
        """A group's COMMIT failed: stored or not, it is not written again."""


class Quiet:
    """No relay, no counters: for a service built without them (unit tests)."""

    def wake(self) -> None:
        pass

    def accepted(self, form: str) -> None:
        pass

    def rejected(self, problems: Sequence[Problem]) -> None:
        pass

    def group_committed(self, size: int) -> None:
        pass

    def group_fell_back(self, reason: FallbackReason) -> None:
        pass

    def group_outcome_unknown(self) -> None:
        pass
