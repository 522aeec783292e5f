"""The stored province roll-up on the in-memory stores: built by the worker, then kept up to date by
each applied report (batched or one by one), always equal to the roll-up recomputed from every
observation; verify names a stored roll-up that differs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from test_use_cases_on_fakes import NOW, TZ, service, stream_of_reports

from kpi.service_layer.apply_batch import apply_batch
from kpi.service_layer.roll_up import refresh_rollups
from kpi.service_layer.verify import verify
from support.events import report_accepted
from support.kpi_fakes import FakeDatabase


async def recomputed(db: FakeDatabase) -> dict[str, object]:
    """The recomputed roll-up of each indicator that has one stored."""
    rows = await db.committed.observations.all()
    return {
        i: days
        for i, days in service(db).projector.province_rollups(rows).items()
        if i in db.committed.rollups.kept
    }


async def test_the_worker_builds_the_rollup_then_reports_keep_it_equal_to_the_recomputed_one() -> None:
    db = FakeDatabase()
    kpi = service(db)
    await apply_batch(kpi, stream_of_reports()[:4])
    assert db.committed.rollups.kept == {}  # not built yet: nothing folded in
    await refresh_rollups(kpi)
    assert db.committed.rollups.kept == await recomputed(db)
    await apply_batch(kpi, stream_of_reports()[4:])
    correction = report_accepted("09292", "2026-02", {"c": (4500, 10000)}, revision=2)
    await kpi.apply(correction)  # one by one: the same rule
    new_unit = report_accepted("09310", "2026-03", {"c": (7000, 10000)})
    await apply_batch(kpi, [new_unit])
    assert set(db.committed.rollups.kept) == {"c"}  # d is built when the worker next runs
    assert db.committed.rollups.kept == await recomputed(db)
    before = len(db.committed.outbox)
    await refresh_rollups(kpi)
    province = db.committed.projections.rows[("24", "c")][0]
    assert province.units_reporting == 4 and len(db.committed.outbox) > before


async def test_the_province_is_recomputed_from_the_stored_rollup_as_from_every_observation() -> None:
    incremental, full = FakeDatabase(), FakeDatabase()
    await refresh_rollups(service(incremental))
    for event in stream_of_reports():
        await apply_batch(service(incremental), [event])
        await refresh_rollups(service(incremental))  # built at the first, then kept
    await apply_batch(service(full), stream_of_reports())
    await refresh_rollups(service(full))  # built from every observation
    assert (
        incremental.committed.projections.rows[("24", "c")][0]
        == full.committed.projections.rows[("24", "c")][0]
    )
    assert incremental.committed.rollups.kept == full.committed.rollups.kept


async def test_verify_names_a_stored_rollup_day_that_differs() -> None:
    db = FakeDatabase()
    kpi = service(db, datetime(2026, 3, 20, 9, tzinfo=TZ))
    await apply_batch(kpi, stream_of_reports())
    await refresh_rollups(kpi)
    differences, _ = await verify(db.transaction, None, kpi.projector, NOW.date())
    assert differences == []
    first, *rest = db.committed.rollups.kept["c"]
    db.committed.rollups.kept["c"] = [replace(first, numerator=first.numerator + 1), *rest]
    differences, _ = await verify(db.transaction, None, kpi.projector, NOW.date())
    day, n = first.as_of.isoformat(), first.numerator
    assert differences == [f"rollups c/{day} numerator: bảng {n + 1}, tính lại {n}"]
