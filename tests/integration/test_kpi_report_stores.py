"""Contract of kpi's live stores (`kpi.service_layer.ports`): the same assertions on the
in-memory fake (tests/support/kpi_fakes.py) and on the PostgreSQL adapter (`kpi.adapters.report_stores`).

What the unit tests of the use cases (apply, batch, roll-up, verify…) assume of the fake holds of
the real stores.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.db.engine import PoolSettings, make_engine, make_sessionmaker
from bdhvs_shared.events import ReportAccepted
from kpi.adapters import report_stores
from kpi.domain.consolidated_report import build
from kpi.domain.observation import Observation
from kpi.domain.projection import ProjectionRules
from kpi.domain.projector import Projector, StoredObservation
from kpi.domain.rebuild_plan import Recorded
from kpi.domain.receipts import merge_receipt
from kpi.domain.replay import ReceiptFold
from kpi.domain.reporting import reporting_view, resolve
from kpi.domain.rollup import RollupDay
from kpi.domain.snapshot import AttainmentStatus, Snapshot
from kpi.service_layer.apply_report import CONSUMER
from kpi.service_layer.ports import Transactions
from support.databases import copy_of_template
from support.events import TZ, report_accepted
from support.kpi_fakes import FakeDatabase

PROJECTOR = Projector(load_catalogue(), ProjectionRules())
NOW = datetime(2026, 3, 16, 9, tzinfo=TZ)


@pytest.fixture(params=["memory", "postgres"])
async def transactions(
    request: pytest.FixtureRequest, postgres_url: str, template_database: str
) -> AsyncIterator[Transactions]:
    if request.param == "memory":
        yield FakeDatabase().transaction
        return
    async with copy_of_template(postgres_url, template_database) as url:
        engine = make_engine(url, PoolSettings(size=2))
        yield report_stores.transactions(make_sessionmaker(engine), CONSUMER)
        await engine.dispose()


async def test_observations_keep_the_highest_revision_in_receipt_order(transactions: Transactions) -> None:
    newer = report_accepted("09313", "2026-03", {"c": (5000, 10000)}, revision=2)
    older = report_accepted("09313", "2026-03", {"c": (4000, 10000)}, revision=1)
    quarterly = report_accepted(  # the same as-of day, received later: comes last
        "09313", "2026-03", {"c": (4500, 10000)}, received=datetime(2026, 3, 16, 8, tzinfo=TZ)
    ).model_copy(update={"form": "quarterly", "period": "2026-Q1", "report_id": uuid4()})
    february = report_accepted("09292", "2026-02", {"c": (3000, 10000)})
    async with transactions() as stores:
        for event in (newer, older, quarterly, february):
            await stores.observations.upsert(event, "c", event.values["c"])
    async with transactions() as stores:
        assert await stores.observations.unit_series("09313", "c") == [
            Observation(date(2026, 3, 14), 5000, 10000),
            Observation(date(2026, 3, 14), 4500, 10000),
        ]
        assert await stores.observations.unit_series("09313", "d") == []
        by_unit = await stores.observations.series_by_unit("c")
    assert by_unit == {
        "09313": [Observation(date(2026, 3, 14), 5000, 10000), Observation(date(2026, 3, 14), 4500, 10000)],
        "09292": [Observation(date(2026, 2, 14), 3000, 10000)],
    }


async def test_projections_store_and_replace_a_snapshot(transactions: Transactions) -> None:
    first = PROJECTOR.unit_snapshot("09313", "c", [Observation(date(2026, 3, 14), 4000, 10000)], NOW.date())
    second = PROJECTOR.unit_snapshot("09313", "c", [Observation(date(2026, 3, 14), 9000, 10000)], NOW.date())
    async with transactions() as stores:
        assert await stores.projections.current("09313", "c") is None
        await stores.projections.save(first, 1, NOW, uuid4())
    async with transactions() as stores:
        assert await stores.projections.current("09313", "c") == (first, 1)
        await stores.projections.save(second, 2, NOW, uuid4())
    async with transactions() as stores:
        assert await stores.projections.current("09313", "c") == (second, 2)
        assert await stores.projections.current("09292", "c") is None


async def test_receipts_follow_the_domain_rule_and_say_when_a_report_is_new(
    transactions: Transactions,
) -> None:
    late = report_accepted("09313", "2026-03", {"c": (1, 2)}, revision=2, on_time=False)
    first = report_accepted("09313", "2026-03", {"c": (1, 2)}, revision=1, on_time=True)
    other = report_accepted("09292", "2026-03", {"c": (1, 2)}, on_time=False)
    async with transactions() as stores:
        assert await stores.receipts.record(late)
        assert not await stores.receipts.record(first)
        assert await stores.receipts.record(other)
    async with transactions() as stores:
        received = await stores.receipts.for_period("monthly", "2026-03")
        assert await stores.receipts.for_period("monthly", "2026-02") == {}
    assert received == {
        "09313": merge_receipt(merge_receipt(None, late), first),
        "09292": merge_receipt(None, other),
    }


async def test_an_event_is_first_seen_once(transactions: Transactions) -> None:
    event_id = uuid4()
    async with transactions() as stores:
        assert await stores.first_time(event_id)
        assert not await stores.first_time(event_id)
    async with transactions() as stores:
        assert not await stores.first_time(event_id)
        assert await stores.first_time(uuid4())


async def test_a_transaction_that_raises_keeps_nothing(transactions: Transactions) -> None:
    event = report_accepted("09313", "2026-03", {"c": (1, 2)})
    with pytest.raises(RuntimeError):
        async with transactions() as stores:
            await stores.first_time(event.event_id)
            await stores.lock("09313", "c")
            await stores.observations.upsert(event, "c", event.values["c"])
            await stores.receipts.record(event)
            await stores.mark_dirty("c", event.correlation_id, NOW)
            await stores.stage([])
            raise RuntimeError("after the writes")
    async with transactions() as stores:
        assert await stores.first_time(event.event_id)
        assert await stores.observations.series_by_unit("c") == {}
        assert await stores.receipts.for_period("monthly", "2026-03") == {}


def _row(
    unit: str, indicator: str, revision: int, numerator: int, day: int, hour: int = 8
) -> StoredObservation:
    event = report_accepted(
        unit,
        "2026-03",
        {indicator: (numerator, 10000)},
        revision=revision,
        received=datetime(2026, 3, day, hour, tzinfo=TZ),
    )
    return StoredObservation.of(event, indicator, event.values[indicator])


async def test_observations_in_bulk_keep_the_highest_revision(transactions: Transactions) -> None:
    newer, older = _row("09313", "c", 2, 5000, 16), _row("09313", "c", 1, 4000, 15)
    other = _row("09292", "c", 1, 3000, 14)
    async with transactions() as stores:
        await stores.observations.upsert_many([newer, other])
    async with transactions() as stores:
        await stores.observations.upsert_many([older])  # an older revision later changes nothing
    async with transactions() as stores:
        assert await stores.observations.rows_for({("09313", "c"), ("09313", "d")}) == {
            ("09313", "c"): [newer]
        }
        assert await stores.observations.rows_for(set()) == {}
        assert await stores.observations.all() == [other, newer]  # by as-of day, then receipt time


async def test_projections_in_bulk_and_as_read(transactions: Transactions) -> None:
    def snapshot(unit: str, indicator: str, numerator: int) -> Snapshot:
        return PROJECTOR.unit_snapshot(
            unit, indicator, [Observation(date(2026, 3, 14), numerator, 10000)], NOW.date()
        )

    a = Recorded(snapshot("09313", "c", 4000), 1, NOW, uuid4())
    b = Recorded(snapshot("09292", "c", 6000), 3, NOW, uuid4())
    c = Recorded(snapshot("09292", "d", 7000), 2, NOW, uuid4())
    async with transactions() as stores:
        await stores.projections.save_many([a, b, c])
        await stores.projections.save_many([])
    async with transactions() as stores:
        assert await stores.projections.current_many({("09313", "c"), ("09313", "d")}) == {
            ("09313", "c"): (a.snapshot, 1)
        }
        assert await stores.projections.find(None, None) == [b, c, a]  # by unit, then indicator
        assert await stores.projections.find("09292", None) == [b, c]
        assert await stores.projections.find(None, "c") == [b, a]
        assert await stores.projections.all() == [b.snapshot, c.snapshot, a.snapshot]
        statuses = await stores.projections.statuses()
    assert sorted(statuses) == sorted(
        AttainmentStatus(r.snapshot.unit_code, r.snapshot.indicator, r.snapshot.attainment, r.snapshot.status)
        for r in (a, b, c)
    )


def _receipts(*events: ReportAccepted) -> ReceiptFold:
    fold = ReceiptFold()
    for event in events:
        fold.add(event)
    return fold


async def test_receipts_in_bulk_follow_the_same_rule(transactions: Transactions) -> None:
    late = report_accepted("09313", "2026-03", {"c": (1, 2)}, revision=2, on_time=False)
    first = report_accepted("09313", "2026-03", {"c": (1, 2)}, revision=1, on_time=True)
    other = report_accepted("09292", "2026-03", {"c": (1, 2)}, on_time=False)
    async with transactions() as stores:
        await stores.receipts.record_many(list(_receipts(late, other).rows.values()))
    async with transactions() as stores:
        await stores.receipts.record_many(list(_receipts(first).rows.values()))
        keys = {("09313", "monthly", "2026-03"), ("09193", "monthly", "2026-03")}
        assert await stores.receipts.existing(keys) == {("09313", "monthly", "2026-03")}
        assert await stores.receipts.existing(set()) == set()
    async with transactions() as stores:
        stored = await stores.receipts.all()
        received = await stores.receipts.for_period("monthly", "2026-03")
    assert stored == _receipts(late, other, first).rows  # the deadline included
    assert received["09313"] == merge_receipt(merge_receipt(None, late), first)


async def test_the_archive_keeps_the_first_report_of_a_month(transactions: Transactions) -> None:
    form, period = resolve(PROJECTOR.catalogue, "monthly", "2026-02")
    view = reporting_view(PROJECTOR.catalogue, form, period, {}, TZ)
    report = build(PROJECTOR, [], view, NOW)
    async with transactions() as stores:
        assert not await stores.archive.exists(report.period)
        assert await stores.archive.archived(report.period) is None
        assert await stores.archive.insert_once(report, b"xlsx", "<html>", "digest")
    async with transactions() as stores:
        assert not await stores.archive.insert_once(report, b"other", "<p>", "other")
        assert await stores.archive.exists(report.period)
        assert await stores.archive.archived(report.period) == (b"xlsx", "<html>")


async def test_many_events_are_first_seen_once(transactions: Transactions) -> None:
    seen, new = uuid4(), uuid4()
    async with transactions() as stores:
        await stores.first_time(seen)
    async with transactions() as stores:
        assert await stores.first_times([seen, new, new]) == {new}
        assert await stores.first_times([]) == set()
        assert await stores.processed_ids() == {seen, new}


async def test_the_rollup_work_list_is_claimed_oldest_first_and_cleared(transactions: Transactions) -> None:
    first, second, third = uuid4(), uuid4(), uuid4()
    async with transactions() as stores:
        await stores.mark_dirty("d", first, NOW)
        await stores.mark_dirty_many({}, NOW)
    async with transactions() as stores:
        await stores.mark_dirty_many({"c": second, "d": third}, NOW + timedelta(seconds=1))
        await stores.lock_all({("09313", "c"), ("reporting:monthly", "2026-03")})
        await stores.lock("09313", "c")  # the same key again in one transaction: re-entrant
    async with transactions() as stores:
        claimed = await stores.claim_dirty()
        assert sorted(claimed) == [("c", second), ("d", third)]  # the latest report of each
        assert await stores.claim_dirty(limit=1) in ([("c", second)], [("d", third)])
        await stores.clear_dirty("c")
    async with transactions() as stores:
        assert await stores.claim_dirty() == [("d", third)]


async def test_every_indicator_code_of_the_catalogue_is_stored(transactions: Transactions) -> None:
    # The weekly Youth Union form's lop_hoc_thon (12 characters) did not fit kpi's varchar(10): every
    # such report failed with "value too long" and went to the dead-letter queue.
    longest = max(load_catalogue().indicators, key=len)
    row = _row("09313", longest, 1, 10, 14)
    async with transactions() as stores:
        await stores.observations.upsert_many([row])
    async with transactions() as stores:
        assert await stores.observations.rows_for({("09313", longest)}) == {("09313", longest): [row]}


async def test_stored_rollups_are_replaced_per_indicator_and_absent_until_written(
    transactions: Transactions,
) -> None:
    first = [RollupDay(date(2026, 1, 14), 4000, 10000, 1, 1), RollupDay(date(2026, 2, 14), 9000, 20000, 2, 1)]
    async with transactions() as stores:
        assert await stores.rollups.days(["c", "d"]) == {}
        await stores.rollups.write({"c": first, "d": []})
        await stores.rollups.write({})
    async with transactions() as stores:
        assert await stores.rollups.days(["c", "d", "dd"]) == {"c": first, "d": []}
        await stores.rollups.write({"c": first[:1]})
    async with transactions() as stores:
        assert await stores.rollups.all() == {"c": first[:1], "d": []}
