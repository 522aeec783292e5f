"""The submit use case (`IntakeService`) on the in-memory stores: fast, no I/O.

The PostgreSQL stores behave the same (tests/integration/test_intake_stores.py), so these are the
use case's rules: a revision and its event in one transaction, the first revision decides on-time,
a retry replays, a reused key and a forbidden unit change nothing, history warnings wait for a
confirmation, a batch is all or nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from bdhvs_shared.events import ReportAccepted
from intake.domain.principal import Principal, Role
from intake.service_layer.submit_report import (
    Forbidden,
    IntakeService,
    KeyReused,
    NeedsConfirmation,
    RetryKey,
)
from support.events import TZ
from support.intake_fakes import FakeDatabase, Signals
from support.intake_submit import monthly_report as report
from support.intake_submit import submit_service

MARCH_15 = datetime(2026, 3, 15, 9, tzinfo=TZ)  # before the cut-off of March (the 20th)
CLERK = Principal(uuid.uuid4(), Role.COMMUNE, "09313")


def service(db: FakeDatabase, seen: Signals, now: datetime = MARCH_15) -> IntakeService:
    return submit_service(db.transaction, now, signals=seen)


async def test_a_report_is_stored_as_a_revision_with_its_event_in_the_outbox() -> None:
    db, seen = FakeDatabase(), Signals()
    svc = service(db, seen)
    receipt = await svc.submit(CLERK, report(svc))
    stored = db.committed
    assert (receipt.revision, receipt.on_time, receipt.replayed) == (1, True, False)
    assert [e.event_id for e in stored.reports.revisions] == [receipt.event_id]
    [(event, subject)] = stored.outbox
    assert isinstance(event, ReportAccepted) and subject == "bdhvs.report.accepted.09313"
    assert (event.report_id, event.submitted_by, event.values["c"].numerator) == (
        receipt.report_id,
        "commune:09313",
        9000,
    )
    assert (seen.wakes, seen.accepted_forms) == (1, ["monthly"])


async def test_a_resubmission_is_a_new_revision_that_keeps_the_first_timeliness() -> None:
    db, seen = FakeDatabase(), Signals()
    first = await service(db, seen).submit(CLERK, report(service(db, seen)))
    late = service(db, seen, MARCH_15 + timedelta(days=10))
    second = await late.submit(CLERK, report(late, c=9500))
    assert (second.report_id, second.revision, second.on_time) == (first.report_id, 2, True)
    assert second.deadline == first.deadline and second.received_at > first.received_at
    assert len(db.committed.outbox) == 2 and seen.accepted_forms == ["monthly", "monthly"]


async def test_a_retry_with_the_same_key_replays_the_original_reply() -> None:
    db, seen = FakeDatabase(), Signals()
    svc = service(db, seen)
    first = await svc.submit(CLERK, report(svc), RetryKey("key-1", "sha-a"))
    again = await svc.submit(CLERK, report(svc), RetryKey("key-1", "sha-a"))
    assert again.replayed and (again.report_id, again.event_id, again.revision) == (
        first.report_id,
        first.event_id,
        1,
    )
    assert again.received_at.tzinfo == TZ and again.received_at == first.received_at
    assert len(db.committed.outbox) == 1 and (seen.wakes, seen.accepted_forms) == (1, ["monthly"])


async def test_a_key_reused_for_another_request_is_refused_and_changes_nothing() -> None:
    db, seen = FakeDatabase(), Signals()
    svc = service(db, seen)
    await svc.submit(CLERK, report(svc), RetryKey("key-1", "sha-a"))
    before = db.committed
    with pytest.raises(KeyReused):
        await svc.submit(CLERK, report(svc, c=9100), RetryKey("key-1", "sha-b"))
    assert db.committed is before and len(before.reports.revisions) == 1


async def test_a_forbidden_unit_opens_no_transaction() -> None:
    db, seen = FakeDatabase(), Signals()
    svc = service(db, seen)
    with pytest.raises(Forbidden):
        await svc.submit(CLERK, report(svc, unit="09292"))
    assert db.opened == 0 and seen.wakes == 0


async def test_a_drop_against_the_history_is_stored_only_once_confirmed() -> None:
    db, seen = FakeDatabase(), Signals()
    svc = service(db, seen)
    await svc.submit(CLERK, report(svc, "2026-02", c=9000))
    with pytest.raises(NeedsConfirmation) as refused:
        await svc.submit(CLERK, report(svc, "2026-03", c=8000))  # c is cumulative: it does not fall
    assert [w.code for w in refused.value.warnings] == ["value.cumulative_drop"]
    assert len(db.committed.reports.revisions) == 1 and seen.accepted_forms == ["monthly"]
    confirmed = await svc.submit(CLERK, report(svc, "2026-03", c=8000), confirm=True)
    assert [w.code for w in confirmed.history_warnings] == ["value.cumulative_drop"]
    assert len(db.committed.reports.revisions) == 2


async def test_a_batch_is_all_or_nothing() -> None:
    db, seen = FakeDatabase(), Signals()
    svc = service(db, seen)
    await svc.submit(CLERK, report(svc, "2026-02", c=9000))
    operator = Principal(uuid.uuid4(), Role.OPERATOR, None)
    batch = [(report(svc, unit="09292"), None), (report(svc, "2026-03", c=100), None)]
    with pytest.raises(NeedsConfirmation) as refused:
        await svc.submit_many(operator, batch)
    assert [len(w) for w in refused.value.by_item] == [0, 1]
    assert len(db.committed.reports.revisions) == 1 and len(db.committed.outbox) == 1
    assert await svc.histories([r for r, _ in batch]) == [[], refused.value.by_item[1]]


async def test_a_report_awaiting_confirmation_is_not_the_history_of_the_next_in_its_batch() -> None:
    """Each report of a file is checked against the stored history only: February needs
    confirmation, so March (same unit, later) is still compared with January, not with February."""
    db, seen = FakeDatabase(), Signals()
    svc = service(db, seen, now=datetime(2026, 4, 15, 9, tzinfo=TZ))
    await svc.submit(CLERK, report(svc, "2026-01", c=9000))
    batch = [(report(svc, "2026-02", c=8000), None), (report(svc, "2026-03", c=8500), None)]
    with pytest.raises(NeedsConfirmation) as refused:
        await svc.submit_many(CLERK, batch)
    assert [[w.code for w in item] for item in refused.value.by_item] == [["value.cumulative_drop"]] * 2
    assert len(db.committed.reports.revisions) == 1 and len(db.committed.outbox) == 1
