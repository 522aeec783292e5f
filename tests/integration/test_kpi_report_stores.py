"""Contract of the reports use case's stores (`kpi.service_layer.ports`): the same assertions on the
in-memory fake (tests/support/kpi_fakes.py) and on the PostgreSQL adapter (`kpi.adapters.report_stores`).

What the unit tests of `KpiService.apply` assume of the fake holds of the real stores.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from uuid import uuid4

import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.db.engine import PoolSettings, make_engine, make_sessionmaker
from kpi.adapters import report_stores
from kpi.domain.observation import Observation
from kpi.domain.projection import ProjectionRules
from kpi.domain.projector import Projector
from kpi.domain.receipts import merge_receipt
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
