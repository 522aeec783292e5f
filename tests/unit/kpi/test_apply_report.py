"""The reports use case (`KpiService.apply`) on the in-memory stores: fast, no I/O.

The PostgreSQL stores behave the same (tests/integration/test_kpi_report_stores.py), so these
are the use case's rules: exactly once, the highest revision wins, the first revision decides
on-time, unknown indicators skipped, no future figures, all or nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from bdhvs_shared.events import AttainmentUpdated, ReportingUpdated
from kpi.domain.projection import ProjectionRules
from kpi.service_layer.apply_report import FutureReport, KpiService
from kpi.service_layer.ports import ReportStores
from support.events import report_accepted
from support.kpi_fakes import FakeDatabase

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 16, 9, tzinfo=TZ)


def service(db: FakeDatabase) -> KpiService:
    return KpiService(
        transactions=db.transaction,
        catalogue=load_catalogue(),
        clock=FixedClock(NOW),
        tz=TZ,
        rules=ProjectionRules(),
    )


async def test_a_report_is_applied_once_with_its_events_and_its_receipt() -> None:
    db = FakeDatabase()
    kpi = service(db)
    event = report_accepted("09313", "2026-03", {"c": (4000, 10000), "d": (6000, 10000)})
    assert await kpi.apply(event)
    stored = db.committed
    assert {k[:2] for k in stored.observations.rows} == {("09313", "c"), ("09313", "d")}
    assert {(k, row[1]) for k, row in stored.projections.rows.items()} == {
        (("09313", "c"), 1),
        (("09313", "d"), 1),
    }
    assert stored.projections.rows[("09313", "c")][0].attainment == pytest.approx(0.4)
    assert set(stored.dirty) == {"c", "d"}  # the province's projections go on the roll-up work list
    kinds = [type(e).__name__ for e, _ in stored.outbox]
    assert kinds.count(AttainmentUpdated.__name__) == 2 and kinds[-1] == ReportingUpdated.__name__
    assert stored.receipts.rows[("09313", "monthly", "2026-03")].on_time
    assert stored.locks[-1] == ("reporting:monthly", "2026-03")  # taken last: no lock cycle with a batch

    before = len(stored.outbox)
    assert not await kpi.apply(event)  # a redelivery changes nothing
    assert len(db.committed.outbox) == before


async def test_an_older_revision_after_a_newer_one_changes_nothing_but_decides_on_time() -> None:
    db = FakeDatabase()
    kpi = service(db)
    newer = report_accepted("09313", "2026-03", {"c": (5000, 10000)}, revision=2, on_time=False)
    older = report_accepted("09313", "2026-03", {"c": (4000, 10000)}, revision=1, on_time=True)
    await kpi.apply(newer)
    staged = len(db.committed.outbox)
    await kpi.apply(older)
    assert db.committed.projections.rows[("09313", "c")][0].attainment == pytest.approx(0.5)
    assert len(db.committed.outbox) == staged  # same snapshot, report already counted: no event
    receipt = db.committed.receipts.rows[("09313", "monthly", "2026-03")]
    assert (receipt.on_time, receipt.first_revision, receipt.latest_revision) == (True, 1, 2)


async def test_an_unknown_indicator_is_skipped_and_the_rest_applied() -> None:
    db = FakeDatabase()
    await service(db).apply(report_accepted("09313", "2026-03", {"c": (1, 2), "khong_co": (1, 1)}))
    assert {k[1] for k in db.committed.observations.rows} == {"c"}


async def test_future_figures_are_refused_before_anything_is_written() -> None:
    db = FakeDatabase()
    with pytest.raises(FutureReport):
        await service(db).apply(report_accepted("09313", "2099-12", {"c": (1, 2)}))
    assert db.committed == FakeDatabase().committed


async def test_a_failure_inside_the_transaction_keeps_nothing() -> None:
    db = FakeDatabase()

    async def broken(staged: object) -> None:
        raise RuntimeError("outbox down")

    @contextlib.asynccontextmanager
    async def failing_outbox() -> AsyncIterator[ReportStores]:
        async with db.transaction() as stores:
            cast(Any, stores).stage = broken
            yield stores

    kpi = service(db)
    kpi.transactions = failing_outbox
    with pytest.raises(RuntimeError):
        await kpi.apply(report_accepted("09313", "2026-03", {"c": (1, 2)}))
    assert db.committed == FakeDatabase().committed
