"""The notifier's questions about pending rows are asked at every tick and poll: in a prepared
statement's generic plan each must still use its table's partial index of pending rows, or it reads
the whole table, which only grows (with 'pending' bound, the dispatchers' `any_due` did: 3.9 ms a call
by the middle of `make demo`, PostgreSQL's costliest statement). `tables.PENDING` writes it into the
SQL."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import pytest
from sqlalchemy import Select, exists, select
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg

from bdhvs_local.bench.baselines import asyncpg_dsn
from notifier.adapters.alert_queue import claimed, due_recipients
from notifier.adapters.ledger_store import due_rows
from notifier.adapters.notification_store import due
from support.events import TZ

NOW = datetime(2026, 3, 16, 9, tzinfo=TZ)
AT = "'2026-03-16T09:00:00+07:00'"

QUERIES: list[tuple[str, Select[object], str, str]] = [
    ("dispatchers' any_due", select(exists().where(*due("email", NOW))), f"'email', {AT}",
     "ix_notifications_pending"),
    ("ledger tick's claim", due_rows(NOW, 100), f"{AT}, 100", "ix_deadline_ledger_pending"),
    ("alert tick's recipients", due_recipients(NOW, 100), f"{AT}, 100", "ix_alert_items_pending"),
    ("alert tick's claim", claimed("email", "a@example.org", NOW), f"'email', 'a@example.org', {AT}",
     "ix_alert_items_pending"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "query", "args", "index"), QUERIES, ids=[q[0] for q in QUERIES])
async def test_a_pending_rows_query_uses_its_partial_index_in_a_generic_plan(
    database_url: str, name: str, query: Select[object], args: str, index: str
) -> None:
    compiled = query.compile(dialect=pg_asyncpg.dialect())
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await conn.execute("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off")
        await conn.execute(f"PREPARE pending_now AS {compiled}")
        rows = await conn.fetch(f"EXPLAIN EXECUTE pending_now({args})")
    finally:
        await conn.close()
    plan = "\n".join(r[0] for r in rows)
    assert index in plan, plan
