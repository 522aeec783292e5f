"""Contract of intake's use-case stores (`intake.service_layer.ports`): the same assertions on the
in-memory fake (tests/support/intake_fakes.py) and on the PostgreSQL adapter (`intake.adapters.stores`).

What the unit tests of the submit and catalogue use cases assume of the fake holds of the real stores.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import text

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.events import CataloguePublished, ReportAccepted
from bdhvs_shared.events.cloudevents import body_for, headers_for
from intake.adapters import stores as pg_stores
from intake.domain.history import Previous
from intake.domain.submissions import IndicatorValue, Submission, ValidReport
from intake.domain.validation import validate_submission
from intake.service_layer.ports import (
    Claim,
    Receipt,
    Recorded,
    RetryKey,
    StoredRevision,
    StoredVersion,
    Transactions,
)
from support.databases import sessions_on_a_copy
from support.events import TZ, report_accepted
from support.intake_fakes import FakeDatabase

CATALOGUE = load_catalogue()
RECEIVED = datetime(2026, 3, 15, 9, tzinfo=TZ)
DEADLINE = datetime(2026, 3, 20, tzinfo=TZ)


@pytest.fixture(params=["memory", "postgres"])
async def transactions(
    request: pytest.FixtureRequest, postgres_url: str, template_database: str
) -> AsyncIterator[Transactions]:
    """The fake, or the adapter on a fresh copy of the migrated database."""
    if request.param == "postgres":
        async with sessions_on_a_copy(postgres_url, template_database) as sessions:
            yield pg_stores.transactions(sessions)
    else:
        yield FakeDatabase().transaction


def valid(unit: str, period: str, c: int) -> ValidReport:
    values = {"c": IndicatorValue(c, 10000), "d": IndicatorValue(1000, 10000)}
    report = validate_submission(CATALOGUE, Submission(unit, "monthly", period, values), date(2026, 12, 3))
    assert isinstance(report, ValidReport), report
    return report


def revision(report: ValidReport, stored: StoredRevision, received: datetime) -> ReportAccepted:
    figures = {code: (v.numerator, v.denominator) for code, v in report.values.items()}
    return report_accepted(
        report.unit.code,
        str(report.period),
        figures,
        revision=stored.revision,
        report_id=stored.report_id,
        received=received,
        on_time=stored.on_time,
    )


async def test_revisions_count_up_and_keep_the_first_revisions_timeliness(transactions: Transactions) -> None:
    march = valid("09313", "2026-03", 4000)
    async with transactions() as stores:
        first = await stores.reports.next_revision(march, RECEIVED, DEADLINE, True)
        await stores.reports.add_revision(revision(march, first, RECEIVED))
    later = RECEIVED + timedelta(days=10)
    async with transactions() as stores:
        second = await stores.reports.next_revision(march, later, DEADLINE + timedelta(days=30), False)
        event = revision(march, second, later)
        await stores.reports.add_revision(event)
        other = await stores.reports.next_revision(valid("09292", "2026-03", 1), later, DEADLINE, False)
    assert first == StoredRevision(first.report_id, 1, RECEIVED, DEADLINE, True)
    assert second == StoredRevision(first.report_id, 2, RECEIVED, DEADLINE, True)
    assert (other.revision, other.on_time) == (1, False) and other.report_id != first.report_id
    async with transactions() as stores:
        receipt = await stores.reports.receipt(event.event_id)
    assert receipt == Receipt(
        first.report_id,
        2,
        "09313",
        "monthly",
        "2026-03",
        date(2026, 3, 14),
        later,
        DEADLINE,
        True,
        event.event_id,
    )


async def test_previous_figures_are_the_latest_revision_before_the_day(transactions: Transactions) -> None:
    async with transactions() as stores:
        for period, c in (
            ("2026-01", 1000),
            ("2026-02", 3000),
            ("2026-02", 3500),
        ):  # two revisions of February
            report = valid("09313", period, c)
            stored = await stores.reports.next_revision(report, RECEIVED, DEADLINE, True)
            await stores.reports.add_revision(revision(report, stored, RECEIVED))
    async with transactions() as stores:
        found = await stores.reports.previous_figures("09313", date(2026, 3, 14), ["c", "e"])
        assert await stores.reports.previous_figures("09313", date(2026, 1, 14), ["c"]) == {}
        assert await stores.reports.previous_figures("09292", date(2026, 3, 14), ["c"]) == {}
    assert found == {"c": Previous(date(2026, 2, 14), "2026-02", 3500, 10000)}


async def test_a_retry_key_is_claimed_once_and_remembers_its_revision(transactions: Transactions) -> None:
    token, event_id = uuid4(), uuid4()
    async with transactions() as stores:
        assert await stores.retry_keys.claim(token, "k1", "sha-a", RECEIVED, event_id) == Claim(new=True)
        assert await stores.retry_keys.claim(uuid4(), "k1", "sha-a", RECEIVED) == Claim(new=True)
    async with transactions() as stores:
        assert await stores.retry_keys.claim(token, "k1", "sha-a", RECEIVED) == Claim(False, True, event_id)
        assert await stores.retry_keys.claim(token, "k1", "sha-b", RECEIVED) == Claim(False, False, event_id)
        assert await stores.retry_keys.claim(token, "k2", "sha-a", RECEIVED) == Claim(new=True)
        assert await stores.retry_keys.claim(token, "k2", "sha-a", RECEIVED) == Claim(False, True, None)


async def test_a_claim_given_the_revision_remembers_it_and_rolls_back_with_its_transaction(
    transactions: Transactions,
) -> None:
    token, event_id = uuid4(), uuid4()
    async with transactions() as stores:
        assert await stores.retry_keys.claim(token, "k1", "sha-a", RECEIVED, event_id) == Claim(new=True)
    async with transactions() as stores:
        assert await stores.retry_keys.claim(token, "k1", "sha-a", RECEIVED) == Claim(False, True, event_id)
    with pytest.raises(RuntimeError):
        async with transactions() as stores:
            assert await stores.retry_keys.claim(token, "k2", "sha-a", RECEIVED, uuid4()) == Claim(new=True)
            raise RuntimeError("refused: nothing is kept")
    async with transactions() as stores:
        assert await stores.retry_keys.claim(token, "k2", "sha-a", RECEIVED) == Claim(new=True)


def published(version: str, previous: str | None, files: dict[str, str]) -> CataloguePublished:
    return CataloguePublished.new(
        producer="intake",
        correlation_id=None,
        occurred_at=RECEIVED,
        version=version,
        previous_version=previous,
        files=files,
        changed_files=sorted(files),
        changed_by="admin:test",
        summary="contract",
    )


async def test_the_latest_catalogue_version_is_in_force(transactions: Transactions) -> None:
    async with transactions() as stores:
        await stores.catalogue.lock()
        assert await stores.catalogue.latest() is None
        await stores.catalogue.add(published("v1", None, {"units.csv": "a"}))
    async with transactions() as stores:
        await stores.catalogue.lock()
        assert await stores.catalogue.latest() == StoredVersion("v1", {"units.csv": "a"})
        await stores.catalogue.add(published("v2", "v1", {"units.csv": "b", "forms.yaml": "f"}))
    async with transactions() as stores:
        assert await stores.catalogue.latest() == StoredVersion("v2", {"units.csv": "b", "forms.yaml": "f"})


async def test_a_transaction_that_raises_keeps_nothing(transactions: Transactions) -> None:
    report, token = valid("09313", "2026-03", 4000), uuid4()
    with pytest.raises(RuntimeError):
        async with transactions() as stores:
            stored = await stores.reports.next_revision(report, RECEIVED, DEADLINE, True)
            event = revision(report, stored, RECEIVED)
            await stores.reports.add_revision(event)
            await stores.retry_keys.claim(token, "k", "sha", RECEIVED)
            await stores.catalogue.add(published("v1", None, {"units.csv": "a"}))
            await stores.stage([(event, "bdhvs.report.accepted.09313")])
            raise RuntimeError("after the writes")
    async with transactions() as stores:
        again = await stores.reports.next_revision(report, RECEIVED, DEADLINE, True)
        assert again.revision == 1
        assert await stores.retry_keys.claim(token, "k", "sha", RECEIVED) == Claim(new=True)
        assert await stores.catalogue.latest() is None
        assert await stores.reports.previous_figures("09313", date(2026, 4, 14), ["c"]) == {}


def draft(report: ValidReport, received: datetime, on_time: bool) -> ReportAccepted:
    """The event of a first revision, as the submit use case hands it to `record`."""
    return revision(report, StoredRevision(uuid4(), 1, received, DEADLINE, on_time), received)


async def test_record_stores_the_revision_and_stages_its_event(transactions: Transactions) -> None:
    """`record` is claim, previous figures, next revision, add revision and stage, in that order."""
    january, march = valid("09313", "2026-01", 1000), valid("09313", "2026-03", 4000)
    token, subject = uuid4(), "bdhvs.report.accepted.09313"
    async with transactions() as stores:
        await stores.record(january, draft(january, RECEIVED, True), subject, token, None)
        first_draft = draft(march, RECEIVED, True)
        first = await stores.record(march, first_draft, subject, token, RetryKey("k1", "sha-a"))
    before = {code: Previous(date(2026, 1, 14), "2026-01", 1000, 10000) for code in ("c", "d")}
    assert first.event is not None  # a new report: the draft as it is, under the report's new id
    assert first == Recorded(
        Claim(new=True), before, first_draft.model_copy(update={"report_id": first.event.report_id})
    )
    later = RECEIVED + timedelta(days=10)
    async with transactions() as stores:  # late: the first revision's timeliness is kept
        second = await stores.record(march, draft(march, later, False), subject, token, None)
        assert second.event is not None
        assert (second.event.report_id, second.event.revision) == (first.event.report_id, 2)
        assert (second.event.deadline, second.event.on_time) == (DEADLINE, True)
        receipt = await stores.reports.receipt(second.event.event_id)
    assert (receipt.revision, receipt.received_at, receipt.on_time) == (2, later, True)


async def test_record_with_a_taken_key_writes_nothing(transactions: Transactions) -> None:
    march, token, subject = valid("09313", "2026-03", 4000), uuid4(), "bdhvs.report.accepted.09313"
    async with transactions() as stores:
        first = await stores.record(
            march, draft(march, RECEIVED, True), subject, token, RetryKey("k", "sha-a")
        )
    assert first.event is not None
    async with transactions() as stores:
        same = await stores.record(
            march, draft(march, RECEIVED, True), subject, token, RetryKey("k", "sha-a")
        )
        other = await stores.record(
            march, draft(march, RECEIVED, True), subject, token, RetryKey("k", "sha-b")
        )
        again = await stores.reports.next_revision(march, RECEIVED, DEADLINE, True)
    assert same == Recorded(Claim(False, True, first.event.event_id), {}, None)
    assert other == Recorded(Claim(False, False, first.event.event_id), {}, None)
    assert again.revision == 2


async def test_a_savepoint_that_raises_undoes_only_its_own_writes(transactions: Transactions) -> None:
    january, march = valid("09313", "2026-01", 1000), valid("09313", "2026-03", 4000)
    token, subject = uuid4(), "bdhvs.report.accepted.09313"
    async with transactions() as stores:
        async with stores.savepoint():
            await stores.record(january, draft(january, RECEIVED, True), subject, token, RetryKey("a", "s"))
        with pytest.raises(RuntimeError):
            async with stores.savepoint():
                await stores.record(march, draft(march, RECEIVED, True), subject, token, RetryKey("b", "s"))
                raise RuntimeError("undo March")
        kept = await stores.retry_keys.claim(token, "a", "s", RECEIVED)
        undone = await stores.retry_keys.claim(token, "b", "s", RECEIVED)
        march_again = await stores.reports.next_revision(march, RECEIVED, DEADLINE, True)
    assert (kept.new, undone.new, march_again.revision) == (False, True, 1)


@pytest.mark.parametrize("on_time", [True, False])
async def test_the_staged_event_is_the_stored_events_bytes(
    postgres_url: str, template_database: str, on_time: bool
) -> None:
    """The function joins the draft's body around the stored report id and revision: the outbox row
    holds what `body_for` and `headers_for` give the stored event (also when its timeliness differs
    from the draft's and the adapter stages it itself)."""
    march, subject = valid("09313", "2026-03", 4000), "bdhvs.report.accepted.09313"
    async with sessions_on_a_copy(postgres_url, template_database) as sessions:
        transactions = pg_stores.transactions(sessions)
        events = []
        for received, timely in ((RECEIVED, True), (RECEIVED + timedelta(days=10), on_time)):
            async with transactions() as stores:
                events.append(
                    (await stores.record(march, draft(march, received, timely), subject, uuid4(), None)).event
                )
        async with sessions() as session:
            rows = (await session.execute(text("SELECT id, payload, headers FROM intake.outbox"))).all()
    staged = {row.id: (bytes(row.payload), row.headers) for row in rows}
    assert [e.revision for e in events if e] == [1, 2]
    for event in events:
        assert event is not None
        assert staged[event.event_id] == (body_for(event), headers_for(event, subject))
