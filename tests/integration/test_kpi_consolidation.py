"""The consolidated report made on the 24th, once, with its event: real PostgreSQL, a moved clock."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg
import openpyxl
import pytest

from bdhvs_shared.clock import FixedClock
from bdhvs_shared.events import ConsolidatedReportProduced
from kpi.adapters import consolidated_files
from kpi.entrypoints.workers.consolidation_tick import ConsolidationSchedule, ConsolidationTick
from kpi.service_layer.apply_report import KpiService
from kpi.service_layer.roll_up import refresh_rollups
from support.events import report_accepted
from support.kpi_service import IdleRelay, kpi_service

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def service(database_url: str) -> AsyncIterator[KpiService]:
    async with kpi_service(database_url, datetime(2026, 3, 23, 23, 0, tzinfo=TZ)) as built:
        yield built


async def announcements(db: asyncpg.Connection) -> list[ConsolidatedReportProduced]:
    rows = await db.fetch("SELECT payload FROM kpi.outbox WHERE subject LIKE 'bdhvs.kpi.consolidated.%'")
    return [ConsolidatedReportProduced.model_validate_json(r["payload"]) for r in rows]


def tick(service: KpiService) -> ConsolidationTick:
    schedule = ConsolidationSchedule(day=24, hour=8, public_base_url="https://kpi.example.vn")
    return ConsolidationTick(service, consolidated_files, IdleRelay(1.0), schedule, poll_seconds=1.0)


async def test_made_once_from_the_24th_at_8_with_an_event_naming_the_stored_file(
    service: KpiService, db: asyncpg.Connection
) -> None:
    late = datetime(2026, 3, 21, 10, 0, tzinfo=TZ)
    await service.apply(report_accepted("09313", "2026-03", {"c": (6000, 10000), "d": (5000, 10000)}))
    await service.apply(
        report_accepted("09292", "2026-03", {"c": (4000, 10000)}, on_time=False, received=late)
    )
    await refresh_rollups(service)
    clock = service.clock
    assert isinstance(clock, FixedClock)
    first, replica = tick(service), tick(service)

    await first.run_once()  # the 23rd
    clock.set(datetime(2026, 3, 24, 7, 59, tzinfo=TZ))
    await first.run_once()
    assert await announcements(db) == []

    clock.set(datetime(2026, 3, 24, 8, 0, tzinfo=TZ))
    await first.run_once()
    await first.run_once()
    await replica.run_once()  # a second kpi replica makes nothing more
    [event] = await announcements(db)
    assert event.period == "2026-03" and event.as_of.isoformat() == "2026-03-14"
    assert event.xlsx_url == "https://kpi.example.vn/api/v1/consolidated/archive/2026-03.xlsx"
    assert event.late_units == ["09292"]
    assert "09313" not in event.missing_units and len(event.missing_units) == 97
    province = next(g for g in event.completeness if g.group == "province")
    assert (province.expected, province.received, province.on_time) == (99, 2, 1)
    assert {k.indicator for k in event.province} == {"a", "b", "c", "d", "dd"}
    assert next(k for k in event.province if k.indicator == "c").attainment == pytest.approx(0.5)

    stored = await db.fetchrow("SELECT xlsx, html, xlsx_sha256 FROM kpi.consolidated_reports")
    assert hashlib.sha256(stored["xlsx"]).hexdigest() == stored["xlsx_sha256"] == event.xlsx_sha256
    assert len(stored["xlsx"]) == event.xlsx_bytes
    workbook = openpyxl.load_workbook(io.BytesIO(stored["xlsx"]))
    assert workbook.sheetnames == ["Chỉ tiêu", "Tình hình báo cáo", "Trễ hạn, chưa báo cáo", "Biểu đồ"]
    assert "Chi Lăng" in stored["html"]

    clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=TZ))
    await first.run_once()  # April's is not due before 24 April
    assert len(await announcements(db)) == 1
