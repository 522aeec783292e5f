"""The dispatchers' question "is anything due on this channel" (`any_due`, and `claim_next`) is asked
several times a second: in a prepared statement's generic plan it must still use the partial index of
pending notifications, or it reads the whole table (with 'pending' bound, it did: 3.9 ms a call by the
middle of `make demo`, PostgreSQL's costliest statement)."""

from __future__ import annotations

from datetime import datetime

import asyncpg
from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg

from bdhvs_local.bench.baselines import asyncpg_dsn
from notifier.adapters.notification_store import due
from support.events import TZ

NOW = datetime(2026, 3, 16, 9, tzinfo=TZ)


async def test_the_due_query_uses_the_pending_index_in_a_generic_plan(database_url: str) -> None:
    compiled = select(exists().where(*due("email", NOW))).compile(dialect=pg_asyncpg.dialect())
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await conn.execute("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off")
        await conn.execute(f"PREPARE due_now AS {compiled}")
        rows = await conn.fetch("EXPLAIN EXECUTE due_now('email', '2026-03-16T09:00:00+07:00')")
    finally:
        await conn.close()
    plan = "\n".join(r[0] for r in rows)
    assert "ix_notifications_pending" in plan, plan
