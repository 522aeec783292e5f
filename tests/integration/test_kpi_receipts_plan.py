"""Completeness reads one form and period's receipts at each new report; the table keeps a row per
report ever received, so the read must go through an index, not the primary key that begins with the
unit (without `ix_report_receipts_form_period` the plan is a scan of the whole table)."""

from __future__ import annotations

import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg

from bdhvs_local.bench.baselines import asyncpg_dsn
from kpi.adapters.receipts import period_rows


async def test_a_periods_receipts_are_read_through_their_index(database_url: str) -> None:
    compiled = period_rows("monthly", "2026-03").compile(dialect=pg_asyncpg.dialect())
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await conn.execute("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off")
        await conn.execute(f"PREPARE receipts AS {compiled}")
        rows = await conn.fetch("EXPLAIN EXECUTE receipts('monthly', '2026-03')")
    finally:
        await conn.close()
    plan = "\n".join(r[0] for r in rows)
    assert "ix_report_receipts_form_period" in plan, plan
