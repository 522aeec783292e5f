"""The notifier's questions about pending rows are asked at every tick and poll: in a prepared
statement's generic plan each must still use its table's partial index of pending rows, or it reads
the whole table, which only grows (with 'pending' bound, the dispatchers' `any_due` did: 3.9 ms a call
by the middle of `make demo`, PostgreSQL's costliest statement). `tables.PENDING` writes it into the
SQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Select, exists, select

from notifier.adapters.alert_queue import claimed, due_recipients
from notifier.adapters.ledger_store import due_rows
from notifier.adapters.notification_store import due
from support.events import TZ
from support.plans import generic_plan

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
    plan = await generic_plan(database_url, query, args)
    assert index in plan, plan
