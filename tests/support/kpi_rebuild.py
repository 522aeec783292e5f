"""Helpers of the `kpi rebuild`/`kpi verify` integration tests: the service settled or stopped, the tables."""

from __future__ import annotations

from typing import Any

import asyncpg

from kpi.settings import KpiSettings
from support.apps import eventually
from support.auth_server import NO_AUTH_URL
from support.bus import consumer_backlog, jetstream


def rebuild_settings(nats_url: str, database_url: str) -> KpiSettings:
    """kpi's settings for these tests, its clock at 2026-03-20 09:00; they read the tables, not the API."""
    return KpiSettings(
        nats_url=nats_url,
        database_url=database_url,
        auth_url=NO_AUTH_URL,
        BDHVS_CLOCK_START="2026-03-20T09:00:00+07:00",
    )


async def settled(settings: KpiSettings, db: asyncpg.Connection) -> None:
    """Everything applied, every roll-up recomputed and every event published."""
    await eventually(lambda: consumer_backlog(settings.nats_url, "REPORTS", "kpi-reports"), lambda n: n == 0)
    await eventually(lambda: db.fetchval("SELECT count(*) FROM kpi.rollup_dirty"), lambda n: n == 0)
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM kpi.outbox WHERE published_at IS NULL"), lambda n: n == 0
    )


async def stopped(settings: KpiSettings) -> None:
    """Wait until the stopped service's last pull request has expired."""

    async def waiting() -> int:
        async with jetstream(settings.nats_url) as js:
            return int((await js.consumer_info("REPORTS", "kpi-reports")).num_waiting or 0)

    await eventually(waiting, lambda n: n == 0)


async def tables(db: asyncpg.Connection) -> dict[str, list[dict[str, Any]]]:
    # processed_at is when an id was recorded, which a rebuild legitimately renews.
    return {
        name: [dict(r) for r in await db.fetch(f"SELECT {columns} FROM kpi.{name} ORDER BY {order}")]
        for name, columns, order in (
            ("attainment", "*", "unit_code, indicator"),
            ("observations", "*", "unit_code, indicator, form, period"),
            ("processed_events", "consumer, event_id", "event_id"),
            ("report_receipts", "*", "unit_code, form, period"),
        )
    }


async def outbox_count(db: asyncpg.Connection) -> int:
    return int(await db.fetchval("SELECT count(*) FROM kpi.outbox"))
