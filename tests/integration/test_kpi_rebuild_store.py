"""Contract of the rebuild's staging area and swap (`kpi.service_layer.rebuild_ports.RebuildStore`): the
same assertions on the in-memory fake (tests/support/kpi_replay_fakes.py) and on PostgreSQL
(`kpi.adapters.rebuild_store.PgRebuildStore`), read back through the live stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from uuid import uuid4

import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.db.engine import PoolSettings, make_engine, make_sessionmaker
from kpi.adapters import report_stores
from kpi.adapters.rebuild_store import PgRebuildStore
from kpi.domain.projection import ProjectionRules
from kpi.domain.projector import Projector, StoredObservation
from kpi.domain.publications import Staged
from kpi.domain.rebuild_plan import Key, Recorded
from kpi.domain.replay import ObservationFold, ReceiptFold
from kpi.service_layer.apply_report import CONSUMER
from kpi.service_layer.ports import Transactions
from kpi.service_layer.rebuild_ports import RebuildStore
from support.databases import copy_of_template
from support.events import TZ, report_accepted
from support.kpi_fakes import FakeDatabase
from support.kpi_replay_fakes import FakeRebuildStore

PROJECTOR = Projector(load_catalogue(), ProjectionRules())
NOW = datetime(2026, 3, 20, 9, tzinfo=TZ)


@pytest.fixture(params=["memory", "postgres"])
async def stores(
    request: pytest.FixtureRequest, postgres_url: str, template_database: str
) -> AsyncIterator[tuple[RebuildStore, Transactions]]:
    if request.param == "memory":
        db = FakeDatabase()
        yield FakeRebuildStore(db), db.transaction
        return
    async with copy_of_template(postgres_url, template_database) as url:
        engine = make_engine(url, PoolSettings(size=2))
        sessions = make_sessionmaker(engine)
        yield PgRebuildStore(engine, sessions), report_stores.transactions(sessions, CONSUMER)
        await engine.dispose()


EVENTS = [
    report_accepted("09313", "2026-03", {"c": (4000, 10000)}),
    report_accepted("09313", "2026-03", {"c": (4500, 10000)}, revision=2, on_time=False),
    report_accepted("09292", "2026-02", {"c": (3000, 10000), "d": (5000, 10000)}),
]


async def _stage(store: RebuildStore) -> tuple[ObservationFold, ReceiptFold]:
    observations, receipts = ObservationFold(PROJECTOR.catalogue.indicators), ReceiptFold()
    for event in EVENTS:
        observations.add(event)
        receipts.add(event)
    await store.prepare()
    await store.copy_event_ids([e.event_id for e in EVENTS] + [EVENTS[0].event_id])  # one id twice
    await store.copy_observations(observations.rows.values())
    await store.copy_receipts(receipts.rows.values())
    return observations, receipts


async def test_the_swap_replaces_the_live_tables_with_the_staged_rows(
    stores: tuple[RebuildStore, Transactions],
) -> None:
    store, transactions = stores
    old = report_accepted("09193", "2026-01", {"c": (1, 2)})
    stale = Recorded(PROJECTOR.unit_snapshot("09193", "c", [], NOW.date()), 4, NOW, uuid4())
    async with transactions() as live:
        await live.observations.upsert(old, "c", old.values["c"])
        await live.receipts.record(old)
        await live.projections.save_many([stale])
        await live.mark_dirty("c", uuid4(), NOW)
    observations, receipts = await _stage(store)
    rebuilt = PROJECTOR.all_snapshots(observations.rows.values(), NOW.date())
    rows = [Recorded(s, 1, NOW, uuid4()) for _, s in sorted(rebuilt.items())]
    seen: list[dict[Key, Recorded]] = []

    def decide(current: dict[Key, Recorded]) -> tuple[list[Recorded], list[Staged]]:
        seen.append(current)
        return rows, []

    await store.swap(CONSUMER, decide)
    await store.drop()
    assert seen == [{("09193", "c"): stale}]  # decided against the live projections
    async with transactions() as live:
        assert await live.observations.all() == _ordered(observations)
        assert await live.receipts.all() == receipts.rows
        assert await live.projections.find(None, None) == sorted(
            rows, key=lambda r: (r.snapshot.unit_code, r.snapshot.indicator)
        )
        assert await live.processed_ids() >= {e.event_id for e in EVENTS}
        assert await live.claim_dirty() == []  # the roll-up work list is cleared


async def test_a_swap_that_fails_changes_nothing(stores: tuple[RebuildStore, Transactions]) -> None:
    store, transactions = stores
    kept = report_accepted("09193", "2026-01", {"c": (1, 2)})
    async with transactions() as live:
        await live.observations.upsert(kept, "c", kept.values["c"])
    await _stage(store)

    def decide(current: dict[Key, Recorded]) -> tuple[list[Recorded], list[Staged]]:
        raise RuntimeError("planning failed")

    with pytest.raises(RuntimeError):
        await store.swap(CONSUMER, decide)
    await store.drop()
    async with transactions() as live:
        assert [r.event_id for r in await live.observations.all()] == [kept.event_id]
        assert await live.first_times([EVENTS[0].event_id]) == {EVENTS[0].event_id}


def _ordered(fold: ObservationFold) -> list[StoredObservation]:
    return sorted(fold.rows.values(), key=lambda r: (r.as_of, r.received_at))
