"""Each service's connections carry its name, so `pg_stat_activity` and the server's log tell the
services apart (a sampled wait or a slow statement, by service)."""

from __future__ import annotations

import asyncpg
from sqlalchemy import text

from bdhvs_shared.db.engine import make_engine


async def test_a_services_connections_are_named_after_it(database_url: str, db: asyncpg.Connection) -> None:
    engine = make_engine(database_url, application_name="kpi")
    try:
        async with engine.connect() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            seen = await db.fetchval("SELECT application_name FROM pg_stat_activity WHERE pid = $1", pid)
    finally:
        await engine.dispose()
    assert seen == "kpi"
