"""Crashes mid-send, by the notifier's own state in PostgreSQL.

A delivery attempt is a transaction of the notifier that claimed a pending notification FOR UPDATE
(service_layer/deliver.py) and commits its result, sent or failed, when the channel has answered. A
kill that lands while such a transaction is open and never lets it commit is a crash mid-send: the
row is still pending and is sent again, once. So just before each kill of the notifier or of
PostgreSQL the campaign stops the notifier (SIGSTOP: from then on no attempt starts or commits),
notes the open attempts, kills, and lets the notifier go on if it was PostgreSQL that was killed;
after the drain it asks PostgreSQL which of those attempts never committed. NATS is not looked at:
the notifier records a result (the row and its outbox event) in PostgreSQL alone."""

from __future__ import annotations

import asyncio
from collections import Counter

import asyncpg

from bdhvs_local.bench.baselines import asyncpg_dsn

# An attempt locks its row from its claim to its commit: the row's xmax is then the id of that open
# transaction (locking a row gives a transaction an id). Nothing else in the notifier locks or updates
# a pending notification, so a pending row whose xmax is an open transaction's id is an attempt
# in progress, and which notification it is for.
OPEN_ATTEMPTS = """
SELECT a.backend_xid::text, x.id::text
FROM notifier.notifications x
JOIN pg_stat_activity a ON a.backend_xid = x.xmax
WHERE x.status = 'pending'
"""
NOT_COMMITTED = """
SELECT x FROM unnest($1::text[]) AS x WHERE pg_xact_status(x::xid8) IS DISTINCT FROM 'committed'
"""
# A statement the notifier sent before it was stopped may still be running in its backend (a claim
# that takes its row lock after the look): the look waits until none is (its connections carry the
# application_name "notifier").
STATEMENTS_RUNNING = """
SELECT count(*) FROM pg_stat_activity
WHERE application_name = 'notifier' AND state = 'active' AND pid <> pg_backend_pid()
"""
FAILURES = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


def open_attempts(database_url: str) -> dict[str, str]:
    """The delivery attempts open now: transaction id -> notification id. None when PostgreSQL does
    not answer (then no attempt can commit, and the kill that took it down was looked at already)."""

    async def look() -> dict[str, str]:
        db = await asyncpg.connect(asyncpg_dsn(database_url), timeout=2.0)
        try:
            await _until_no_statement_runs(db)
            return {str(r[0]): str(r[1]) for r in await db.fetch(OPEN_ATTEMPTS, timeout=2.0)}
        finally:
            await db.close()

    try:
        return asyncio.run(look())
    except FAILURES:
        return {}


async def _until_no_statement_runs(db: asyncpg.Connection, seconds: float = 2.0) -> None:
    """Found by CI: a claim sent just before the SIGSTOP took its lock after the look, its answer
    waited in the stopped notifier's socket, and the kill of PostgreSQL then cut an attempt no look
    had seen (a duplicate no cut attempt accounted for)."""
    await asyncio.sleep(0.02)  # a statement written just before the stop reaches its backend
    deadline = asyncio.get_running_loop().time() + seconds
    while await db.fetchval(STATEMENTS_RUNNING, timeout=2.0):
        if asyncio.get_running_loop().time() >= deadline:
            return
        await asyncio.sleep(0.005)


async def never_committed(database_url: str, kills: list[dict[str, str]]) -> set[str]:
    """Of the attempts open at a kill, those that never committed (aborted, or lost in a crash of
    PostgreSQL): each may have reached its receiver and is sent again, once."""
    xids = sorted({xid for seen in kills for xid in seen})
    if not xids:
        return set()
    db = await asyncpg.connect(asyncpg_dsn(database_url), timeout=2.0)
    try:
        return {str(r[0]) for r in await db.fetch(NOT_COMMITTED, xids)}
    finally:
        await db.close()


def cut_per_notification(kills: list[dict[str, str]], never: set[str]) -> Counter[str]:
    """Per notification id, how many of its attempts a kill cut."""
    return Counter(nid for seen in kills for xid, nid in seen.items() if xid in never)
