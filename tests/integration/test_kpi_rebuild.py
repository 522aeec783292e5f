"""`kpi rebuild` and `kpi verify` against real NATS and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from bdhvs_shared.events import AttainmentUpdated, StatusChanged
from bdhvs_shared.nats.streams import ensure_streams
from kpi.bootstrap import create_app
from kpi.entrypoints.maintenance import ServiceRunning, run_rebuild, run_verify
from kpi.settings import KpiSettings
from support.apps import running
from support.bus import jetstream, stream_messages
from support.events import publish, report_accepted
from support.kpi_rebuild import outbox_count, rebuild_settings, settled, stopped, tables

UNITS = ("09313", "09292", "09193")


@pytest.fixture
async def settings(database_url: str, clean_nats: str) -> AsyncIterator[KpiSettings]:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS"])
    yield rebuild_settings(clean_nats, database_url)


@pytest.fixture
async def populated(settings: KpiSettings, db: asyncpg.Connection) -> dict[str, list[dict[str, Any]]]:
    """Three units over three months, one report corrected, a poison message; kpi then stopped."""
    async with running(create_app(settings)), jetstream(settings.nats_url) as js:
        for month, unit in ((m, u) for m in (1, 2, 3) for u in UNITS):
            base = 4000 + 300 * month + 100 * UNITS.index(unit)
            event = report_accepted(unit, f"2026-0{month}", {"c": (base, 10000), "d": (base + 3000, 10000)})
            await publish(js, event, f"bdhvs.report.accepted.{unit}")
        correction = report_accepted("09313", "2026-03", {"c": (6000, 10000), "d": (7900, 10000)}, revision=2)
        await publish(js, correction, "bdhvs.report.accepted.09313")
        await js.publish("bdhvs.report.accepted.09313", b'{"not": "an event"}', timeout=5)
        await settled(settings, db)
    await stopped(settings)
    return await tables(db)


async def test_verify_passes_on_clean_tables_and_prints_each_tampered_value(
    settings: KpiSettings, populated: dict[str, list[dict[str, Any]]], db: asyncpg.Connection
) -> None:
    differences, summary = await run_verify(settings, with_stream=True)
    assert differences == [], differences
    assert summary.startswith("Không có khác biệt")

    await db.execute("UPDATE kpi.attainment SET numerator = 1 WHERE unit_code = '09313' AND indicator = 'c'")
    await db.execute("DELETE FROM kpi.attainment WHERE unit_code = '24' AND indicator = 'd'")
    await db.execute(
        "UPDATE kpi.observations SET numerator = 2 WHERE unit_code = '09292' AND period = '2026-01'"
    )
    await db.execute("UPDATE kpi.report_receipts SET on_time = NOT on_time WHERE unit_code = '09313'")
    await db.execute("DELETE FROM kpi.report_receipts WHERE unit_code = '09292' AND period = '2026-01'")
    differences, summary = await run_verify(settings, with_stream=True)
    assert "attainment 09313/c numerator: bảng 1, tính lại 6000" in differences
    assert "report_receipts 09292/monthly/2026-01: thiếu trong bảng (missing)" in differences
    assert any(d.startswith("report_receipts 09313/monthly/") and " on_time: " in d for d in differences)
    assert "attainment 24/d: thiếu trong bảng (missing)" in differences
    assert any(d.startswith("observations 09292/c/monthly/2026-01 numerator: bảng 2") for d in differences)
    assert summary.startswith(f"Có {len(differences)} khác biệt")


async def test_rebuild_after_tampering_restores_the_projections_and_publishes_nothing(
    settings: KpiSettings, populated: dict[str, list[dict[str, Any]]], db: asyncpg.Connection
) -> None:
    published = await outbox_count(db)
    await db.execute("UPDATE kpi.attainment SET numerator = 1, status = 'achieved' WHERE unit_code = '09313'")
    await db.execute("DELETE FROM kpi.attainment WHERE unit_code = '24' AND indicator = 'd'")
    await db.execute("DELETE FROM kpi.observations WHERE unit_code = '09292'")
    await db.execute(
        "DELETE FROM kpi.processed_events "
        "WHERE event_id IN (SELECT event_id FROM kpi.processed_events LIMIT 3)"
    )

    result = await run_rebuild(settings, batch=4, force=False)  # small batches: several pulls

    assert await tables(db) == populated
    assert await outbox_count(db) == published
    assert (result.events, result.skipped, result.republished) == (10, 1, [])
    assert (await run_verify(settings, with_stream=True))[0] == []


async def test_rebuild_after_wiping_gives_the_original_projections(
    settings: KpiSettings, populated: dict[str, list[dict[str, Any]]], db: asyncpg.Connection
) -> None:
    published = await outbox_count(db)
    await db.execute("TRUNCATE kpi.attainment, kpi.observations, kpi.processed_events, kpi.report_receipts")

    await run_rebuild(settings, batch=1000, force=False)

    # Sequences, timestamps and event ids come back from the KPI stream's last messages.
    assert await tables(db) == populated
    assert await outbox_count(db) == published
    assert (
        await db.fetchval(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'kpi_rebuild'"
        )
        == 0
    )


async def test_a_report_that_arrived_while_kpi_was_stopped_is_published_once_with_the_next_sequence(
    settings: KpiSettings, populated: dict[str, list[dict[str, Any]]], db: asyncpg.Connection
) -> None:
    before = {(r["unit_code"], r["indicator"]): r for r in populated["attainment"]}
    late = report_accepted("09193", "2026-03", {"c": (9900, 10000), "d": (9900, 10000)}, revision=2)
    async with jetstream(settings.nats_url) as js:
        await publish(js, late, "bdhvs.report.accepted.09193")

    result = await run_rebuild(settings, batch=1000, force=False)
    assert sorted(result.republished) == [("09193", "c"), ("09193", "d"), ("24", "c"), ("24", "d")]

    after = {(r["unit_code"], r["indicator"]): r for r in (await tables(db))["attainment"]}
    assert after[("09193", "c")]["sequence"] == before[("09193", "c")]["sequence"] + 1
    assert after[("09193", "c")]["status"] == "on_track"
    assert after[("09313", "c")] == before[("09313", "c")]

    # Started again, kpi skips the report the rebuild applied and publishes what it staged.
    async with running(create_app(settings)):
        await settled(settings, db)
    messages = await stream_messages(settings.nats_url, "KPI", "bdhvs.kpi.attainment.09193.c")
    sequences = [AttainmentUpdated.model_validate_json(m.data).sequence for m in messages]
    assert sequences == list(range(1, after[("09193", "c")]["sequence"] + 1))
    changes = await stream_messages(settings.nats_url, "KPI", "bdhvs.kpi.status.09193.c")
    last = StatusChanged.model_validate_json(changes[-1].data)
    assert (last.to_status, last.sequence) == ("on_track", after[("09193", "c")]["sequence"])
    assert last.correlation_id == result.correlation_id
    assert (await run_verify(settings, with_stream=True))[0] == []


async def test_rebuild_and_verify_skip_a_report_dated_after_tomorrow_as_the_consumer_does(
    settings: KpiSettings, populated: dict[str, list[dict[str, Any]]], db: asyncpg.Connection
) -> None:
    future = report_accepted("09292", "2099-12", {"c": (10000, 10000), "d": (10000, 10000)})
    async with jetstream(settings.nats_url) as js:
        await publish(js, future, "bdhvs.report.accepted.09292")
    published = await outbox_count(db)

    result = await run_rebuild(settings, batch=1000, force=False)

    assert (result.events, result.skipped, result.future, result.republished) == (10, 1, 1, [])
    assert "1 vì số liệu tính đến sau ngày mai" in result.summary()
    assert await tables(db) == populated  # not folded: no observation, receipt, id or snapshot moved
    assert await outbox_count(db) == published
    assert (await run_verify(settings, with_stream=True))[0] == []


async def test_two_workers_rebuild_the_projections_of_one(
    settings: KpiSettings, populated: dict[str, list[dict[str, Any]]], db: asyncpg.Connection
) -> None:
    published = await outbox_count(db)
    one = await run_rebuild(settings, batch=3, force=False, workers=1)
    assert await tables(db) == populated
    await db.execute("TRUNCATE kpi.attainment, kpi.observations, kpi.processed_events, kpi.report_receipts")

    two = await run_rebuild(settings, batch=3, force=False, workers=2)  # two processes, small batches

    assert await tables(db) == populated
    assert await outbox_count(db) == published
    assert (two.events, two.skipped, two.observations, two.projections, two.republished) == (
        one.events,
        one.skipped,
        one.observations,
        one.projections,
        one.republished,
    )
    assert (await run_verify(settings, with_stream=True))[0] == []


async def test_rebuild_refuses_while_kpi_is_running(settings: KpiSettings, db: asyncpg.Connection) -> None:
    async with running(create_app(settings)):
        with pytest.raises(ServiceRunning):
            await run_rebuild(settings, batch=1000, force=False)
