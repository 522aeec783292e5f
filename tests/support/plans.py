"""The plan PostgreSQL makes for a query as a prepared statement's generic plan (the plan a hot query
keeps once its custom plans stop paying), with sequential scans off: the plan names the index it can
use, or none if it cannot use one."""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy import Select
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg

from bdhvs_local.bench.baselines import asyncpg_dsn


async def generic_plan(database_url: str, query: Select[Any], args: str) -> str:
    """EXPLAIN of `query` executed with `args` (its parameters as SQL literals, in order)."""
    compiled = query.compile(dialect=pg_asyncpg.dialect())
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await conn.execute("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off")
        await conn.execute(f"PREPARE planned AS {compiled}")
        rows = await conn.fetch(f"EXPLAIN EXECUTE planned({args})")
    finally:
        await conn.close()
    return "\n".join(r[0] for r in rows)
