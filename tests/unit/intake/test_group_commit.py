"""Group commit (`service_layer/group_commit.py`): the batcher on plain fakes, then the submit use
case through it on the in-memory stores. What one-by-one stores, the batch stores; one report's
failure never fails another's. The same on PostgreSQL: tests/integration/test_intake_group_commit.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

import pytest

from intake.domain import ValidReport
from intake.domain.principal import Principal, Role
from intake.service_layer.errors import Forbidden, KeyReused, NeedsConfirmation
from intake.service_layer.group_commit import CommitOutcomeUnknown, GroupCommit, GroupCommitPolicy
from intake.service_layer.ports import IntakeStores, Recorded, Transactions
from intake.service_layer.submit_report import IntakeService, RetryKey
from support.events import TZ
from support.intake_fakes import FakeDatabase, Signals
from support.intake_submit import MIXED, MIXED_REPLIES, OPERATOR, replies, send, submit_service
from support.intake_submit import monthly_report as report

ONE_WRITER = GroupCommitPolicy(max_batch=8, max_wait=0.0, writers=1)


class Writes:
    """A batch writer and a single writer that log what they were given; `bad` jobs fail."""

    def __init__(self, bad: set[int] | None = None) -> None:
        self.bad = bad or set()
        self.batches: list[list[int]] = []
        self.alone: list[int] = []

    async def batch(self, jobs: Sequence[int]) -> list[int]:
        self.batches.append(list(jobs))
        await asyncio.sleep(0)  # a round trip: others may queue meanwhile
        if self.bad & set(jobs):
            raise RuntimeError("one of the batch failed")
        return [job * 10 for job in jobs]

    async def one(self, job: int) -> int:
        self.alone.append(job)
        await asyncio.sleep(0)
        if job in self.bad:
            raise ValueError(job)
        return job * 10


async def test_what_is_queued_together_is_written_in_one_batch_and_each_gets_its_own_result() -> None:
    writes = Writes()
    batcher = GroupCommit(ONE_WRITER, writes.batch, writes.one)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(5)))
    assert results == [0, 10, 20, 30, 40]
    assert writes.batches == [[0, 1, 2, 3, 4]] and writes.alone == []


async def test_a_lone_job_is_written_alone_at_once() -> None:
    writes = Writes()
    batcher = GroupCommit(ONE_WRITER, writes.batch, writes.one)
    assert await batcher.submit(7) == 70
    assert writes.batches == [] and writes.alone == [7]


async def test_a_batch_takes_at_most_max_batch_in_arrival_order() -> None:
    writes = Writes()
    batcher = GroupCommit(GroupCommitPolicy(max_batch=4, writers=1), writes.batch, writes.one)
    assert await asyncio.gather(*(batcher.submit(n) for n in range(10))) == [n * 10 for n in range(10)]
    assert writes.batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


async def test_one_failure_rolls_the_batch_back_and_each_is_written_again_alone() -> None:
    writes = Writes(bad={2})
    batcher = GroupCommit(ONE_WRITER, writes.batch, writes.one)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(4)), return_exceptions=True)
    assert results[:2] == [0, 10] and results[3] == 30
    assert isinstance(results[2], ValueError)  # its own error, from its own write
    assert writes.batches == [[0, 1, 2, 3]] and writes.alone == [0, 1, 2, 3]
    assert (batcher.batches, batcher.fallbacks) == (0, 1)


async def test_a_commit_of_unknown_outcome_is_never_written_again() -> None:
    """The batch may be stored: writing it again would store twice whatever carries no retry key."""
    lost = ConnectionResetError("connection lost during COMMIT")

    async def commit_fails(jobs: Sequence[int]) -> list[int]:
        raise CommitOutcomeUnknown(lost)

    writes = Writes()
    batcher = GroupCommit(ONE_WRITER, commit_fails, writes.one)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(3)), return_exceptions=True)
    assert results == [lost, lost, lost] and writes.alone == []


async def test_a_caller_that_goes_away_does_not_undo_its_write() -> None:
    writes = Writes()
    batcher = GroupCommit(ONE_WRITER, writes.batch, writes.one)
    caller = asyncio.create_task(batcher.submit(3))
    await asyncio.sleep(0)  # queued, its writer started
    caller.cancel()
    await batcher.wait_idle()
    assert caller.cancelled() and writes.alone == [3]


async def test_a_writer_waits_max_wait_for_its_batch_to_fill() -> None:
    writes = Writes()
    batcher = GroupCommit(GroupCommitPolicy(max_batch=8, max_wait=0.05, writers=1), writes.batch, writes.one)
    first = asyncio.create_task(batcher.submit(1))
    await asyncio.sleep(0.01)  # arrives while the writer waits
    assert await asyncio.gather(first, batcher.submit(2)) == [10, 20]
    assert writes.batches == [[1, 2]]


# What the batcher tells its meter (`GroupCommitMeter`; Prometheus in production).


async def test_the_meter_sees_each_committed_group_with_its_size() -> None:
    writes, seen = Writes(), Signals()
    batcher = GroupCommit(GroupCommitPolicy(max_batch=4, writers=1), writes.batch, writes.one, seen)
    await asyncio.gather(*(batcher.submit(n) for n in range(10)))
    await batcher.submit(10)  # alone: a group of one
    assert seen.group_sizes == [4, 4, 2, 1]
    assert (seen.fallback_reasons, seen.unknown_outcomes) == ([], 0)


async def test_the_meter_sees_a_fallback_with_its_reason_and_no_group() -> None:
    writes, seen = Writes(bad={2}), Signals()
    batcher = GroupCommit(ONE_WRITER, writes.batch, writes.one, seen, lambda exc: "key_reused")
    await asyncio.gather(*(batcher.submit(n) for n in range(4)), return_exceptions=True)
    assert seen.fallback_reasons == ["key_reused"] and seen.group_sizes == []


async def test_the_meter_sees_a_commit_of_unknown_outcome() -> None:
    async def commit_fails(jobs: Sequence[int]) -> list[int]:
        raise CommitOutcomeUnknown(ConnectionResetError("connection lost during COMMIT"))

    seen = Signals()
    batcher = GroupCommit(ONE_WRITER, commit_fails, Writes().one, seen)
    await asyncio.gather(*(batcher.submit(n) for n in range(3)), return_exceptions=True)
    assert (seen.unknown_outcomes, seen.group_sizes, seen.fallback_reasons) == (1, [], [])


async def test_a_lone_job_that_fails_is_no_committed_group() -> None:
    writes, seen = Writes(bad={7}), Signals()
    batcher = GroupCommit(ONE_WRITER, writes.batch, writes.one, seen)
    with pytest.raises(ValueError):
        await batcher.submit(7)
    assert (seen.group_sizes, seen.fallback_reasons) == ([], [])


# The submit use case through the batcher, on the in-memory stores (one writer: the fake's
# transactions are not isolated from each other).

APRIL_15 = datetime(2026, 4, 15, 9, tzinfo=TZ)


def service(db: FakeDatabase, seen: Signals, policy: GroupCommitPolicy | None) -> IntakeService:
    return submit_service(db.transaction, APRIL_15, policy, seen)


def stored(db: FakeDatabase) -> list[tuple[str, str, int, int, str]]:
    """The stored revisions and staged events, in their order, without their random ids."""
    revisions = [
        (e.unit_code, e.period, e.revision, e.values["c"].numerator) for e in db.committed.reports.revisions
    ]
    subjects = [subject for _, subject in db.committed.outbox]
    return [(*r, s) for r, s in zip(revisions, subjects, strict=True)]


async def test_a_batch_stores_and_answers_what_one_by_one_does() -> None:
    alone_db, batch_db = FakeDatabase(), FakeDatabase()
    alone = await send(service(alone_db, Signals(), None), MIXED, together=False)
    seen = Signals()
    batched = service(batch_db, seen, ONE_WRITER)
    together = await send(batched, MIXED, together=True)
    assert replies(together) == replies(alone) == MIXED_REPLIES
    assert stored(batch_db) == stored(alone_db) and len(stored(batch_db)) == 4
    assert seen.accepted_forms == ["monthly"] * 4
    assert batched._batcher is not None and batched._batcher.fallbacks == 1


async def test_without_a_failure_the_batch_is_one_transaction_and_a_key_sent_twice_replays() -> None:
    db, seen = FakeDatabase(), Signals()
    svc = service(db, seen, ONE_WRITER)
    calls = [
        svc.submit(OPERATOR, report(svc, "2026-03", 5000, "09292"), RetryKey("k", "sha")) for _ in range(2)
    ]
    first, again = await asyncio.gather(*calls)
    assert db.opened == 1 and not first.replayed and again.replayed
    assert (again.report_id, again.event_id) == (first.report_id, first.event_id)
    assert len(db.committed.outbox) == 1 and seen.wakes == 1


async def test_a_key_reused_with_another_body_fails_only_its_own_request() -> None:
    db = FakeDatabase()
    svc = service(db, Signals(), ONE_WRITER)
    calls = [
        svc.submit(OPERATOR, report(svc, "2026-03", 5000, "09292"), RetryKey("k", "sha-a")),
        svc.submit(OPERATOR, report(svc, "2026-03", 5100, "09292"), RetryKey("k", "sha-b")),
        svc.submit(OPERATOR, report(svc, "2026-03", 7000, "09313")),
    ]
    first, reused, other = await asyncio.gather(*calls, return_exceptions=True)
    assert isinstance(reused, KeyReused)
    assert [(e.unit_code, e.values["c"].numerator) for e in db.committed.reports.revisions] == [
        ("09292", 5000),
        ("09313", 7000),
    ]
    assert not isinstance(first, Exception) and not isinstance(other, Exception)


@contextlib.asynccontextmanager
async def watching_record(
    real: Transactions, before: Callable[[ValidReport], None]
) -> AsyncIterator[IntakeStores]:
    """One of `real`'s transactions whose `record` first calls `before` with the report (which may raise)."""
    async with real() as stores:
        record = stores.record

        async def watched(valid: ValidReport, *args: Any) -> Recorded:
            before(valid)
            return await record(valid, *args)

        stores.record = watched  # type: ignore[method-assign]
        try:
            yield stores
        finally:
            del stores.record  # not copied into the next transaction's stores


async def three_at_once(svc: IntakeService) -> list[object]:
    """The March reports of 09313, 09193 and 09292, sent at once (one batch)."""
    units = ["09313", "09193", "09292"]
    return await asyncio.gather(
        *(svc.submit(OPERATOR, report(svc, "2026-03", 5000, u)) for u in units), return_exceptions=True
    )


async def test_a_store_error_in_the_middle_fails_only_that_report() -> None:
    db = FakeDatabase()
    svc = service(db, Signals(), ONE_WRITER)

    def refuse_09193(valid: ValidReport) -> None:
        if valid.unit.code == "09193":
            raise RuntimeError("the database refused it")

    svc.transactions = lambda: watching_record(db.transaction, refuse_09193)
    outcomes = await three_at_once(svc)
    assert [type(o).__name__ for o in outcomes] == ["Receipt", "RuntimeError", "Receipt"]
    assert [e.unit_code for e in db.committed.reports.revisions] == ["09313", "09292"]


async def test_a_batch_whose_commit_answer_is_lost_is_stored_once_and_its_callers_get_the_error() -> None:
    """COMMIT went through but its answer was lost: no report of the batch is written a second time."""
    db = FakeDatabase()
    svc = service(db, Signals(), ONE_WRITER)

    @contextlib.asynccontextmanager
    async def answer_lost() -> AsyncIterator[IntakeStores]:
        recorded: list[str] = []
        async with watching_record(db.transaction, lambda valid: recorded.append(valid.unit.code)) as stores:
            yield stores
        if len(recorded) > 1:  # a batch: committed, but its answer is lost
            raise ConnectionResetError("connection lost during COMMIT")

    svc.transactions = answer_lost
    outcomes = await three_at_once(svc)
    assert {type(o).__name__ for o in outcomes} == {"ConnectionResetError"}  # one batch of three
    assert sorted(e.unit_code for e in db.committed.reports.revisions) == ["09193", "09292", "09313"]


async def test_the_fallback_reason_names_what_failed_and_nothing_of_the_report() -> None:
    seen = Signals()
    await send(service(FakeDatabase(), seen, ONE_WRITER), MIXED, together=True)  # one needs confirmation
    svc = service(FakeDatabase(), seen, ONE_WRITER)
    calls = [
        svc.submit(OPERATOR, report(svc, "2026-03", c, "09292"), RetryKey("k", sha))
        for c, sha in ((1, "a"), (2, "b"))
    ]
    await asyncio.gather(*calls, return_exceptions=True)  # a key reused with another body
    assert seen.fallback_reasons == ["needs_confirmation", "key_reused"]


async def test_a_forbidden_unit_is_refused_before_it_is_queued() -> None:
    db = FakeDatabase()
    svc = service(db, Signals(), ONE_WRITER)
    clerk = Principal(uuid.uuid4(), Role.COMMUNE, "09313")
    with pytest.raises(Forbidden):
        await svc.submit(clerk, report(svc, "2026-03", 5000, "09292"))
    assert db.opened == 0


async def test_needs_confirmation_reaches_its_caller_with_its_warnings() -> None:
    db = FakeDatabase()
    svc = service(db, Signals(), ONE_WRITER)
    await svc.submit(OPERATOR, report(svc, "2026-02", 9000))
    with pytest.raises(NeedsConfirmation) as refused:
        await svc.submit(OPERATOR, report(svc, "2026-03", 8000))
    assert [w.code for w in refused.value.warnings] == ["value.cumulative_drop"]
