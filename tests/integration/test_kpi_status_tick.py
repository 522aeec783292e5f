"""The daily status tick against real PostgreSQL, with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from bdhvs_shared.clock import FixedClock
from bdhvs_shared.events import AttainmentUpdated, StatusChanged
from kpi.entrypoints.workers.status_tick import StatusTick
from kpi.service_layer.apply_report import KpiService
from kpi.service_layer.roll_up import refresh_rollups
from support.events import report_accepted
from support.kpi_service import IdleRelay, kpi_service

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def service(database_url: str) -> AsyncIterator[KpiService]:
    async with kpi_service(database_url, datetime(2025, 12, 31, 10, 0, tzinfo=TZ)) as built:
        yield built


async def status_changes(db: asyncpg.Connection) -> list[StatusChanged]:
    rows = await db.fetch(
        "SELECT payload FROM kpi.outbox WHERE subject LIKE 'bdhvs.kpi.status.%' ORDER BY created_at"
    )
    return [StatusChanged.model_validate_json(r["payload"]) for r in rows]


async def apply(service: KpiService, unit: str, figures: dict[str, int]) -> None:
    for period, numerator in figures.items():
        await service.apply(report_accepted(unit, period, {"c": (numerator, 10000)}))
    await refresh_rollups(service)


async def test_the_new_years_target_applies_from_the_first_of_january(
    service: KpiService, db: asyncpg.Connection
) -> None:
    clock = service.clock
    assert isinstance(clock, FixedClock)
    await apply(service, "09313", {"2025-11": 8400, "2025-12": 8500})
    tick = StatusTick(service, IdleRelay(1.0), poll_seconds=1.0)
    await tick.run_once()
    assert await db.fetchval("SELECT status FROM kpi.attainment WHERE unit_code = '09313'") == "achieved"
    before = len(await status_changes(db))

    clock.set(datetime(2026, 1, 1, 0, 5, tzinfo=TZ))
    await tick.run_once()

    changes = (await status_changes(db))[before:]
    assert {(c.unit_code, c.from_status, c.to_status) for c in changes} == {
        ("09313", "achieved", "at_risk"),  # 85 % + 1 pp a month falls short of 100 %
        ("24", "achieved", "at_risk"),
    }
    unit = next(c for c in changes if c.unit_code == "09313")
    assert unit.target is not None and (unit.target.value, unit.target.comparator) == (1.0, ">=")
    assert unit.sequence == await db.fetchval(
        "SELECT sequence FROM kpi.attainment WHERE unit_code = '09313' AND indicator = 'c'"
    )
    snapshot = await db.fetchval(
        "SELECT payload FROM kpi.outbox WHERE subject = 'bdhvs.kpi.attainment.09313.c' "
        "ORDER BY created_at DESC"
    )
    assert AttainmentUpdated.model_validate_json(snapshot).previous_status == "achieved"

    outbox = await db.fetchval("SELECT count(*) FROM kpi.outbox")
    clock.set(datetime(2026, 1, 1, 23, 0, tzinfo=TZ))
    await tick.run_once()  # the same day again: nothing to do
    assert await db.fetchval("SELECT count(*) FROM kpi.outbox") == outbox


async def test_a_target_date_that_passes_turns_an_unmet_target_into_missed(
    service: KpiService, db: asyncpg.Connection
) -> None:
    clock = service.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime(2026, 12, 31, 12, 0, tzinfo=TZ))
    await apply(service, "09292", {"2026-10": 5000, "2026-11": 5200})
    tick = StatusTick(service, IdleRelay(1.0), poll_seconds=1.0)
    await tick.run_once()
    assert await db.fetchval("SELECT status FROM kpi.attainment WHERE unit_code = '09292'") == "off_track"

    clock.set(datetime(2027, 1, 1, 0, 1, tzinfo=TZ))
    await tick.run_once()

    last = (await status_changes(db))[-2:]
    assert {(c.unit_code, c.from_status, c.to_status) for c in last} == {
        ("09292", "off_track", "missed"),
        ("24", "off_track", "missed"),
    }
    assert await db.fetchval("SELECT count(*) FROM kpi.attainment WHERE status = 'missed'") == 2
