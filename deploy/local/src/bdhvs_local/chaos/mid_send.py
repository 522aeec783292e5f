"""Crashes mid-send, by the notifier's own state in PostgreSQL.

A delivery attempt is a transaction of the notifier that claimed a pending notification FOR UPDATE
(service_layer/deliver.py) and commits its result, sent or failed, when the channel has answered. A
kill that lands while such a transaction is open and never lets it commit is a crash mid-send: the
row is still pending and is sent again, once. So just before each kill of the notifier or of
PostgreSQL the campaign notes the open attempts, and after the drain asks PostgreSQL which of them
never committed. NATS is not looked at: the notifier records a result (the row and its outbox event)
in PostgreSQL alone."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator

import asyncpg

from bdhvs_local.bench.baselines import asyncpg_dsn

# From the look to the kill no attempt may start unseen (one did, 2 ms after the look, in a run): the
# look first locks every pending row nobody has claimed, SKIP LOCKED as the dispatchers claim, and
# keeps them until after the kill, so a dispatcher finds nothing to claim meanwhile; the attempts
# already open are not waited for and go on as they would.
HOLD_UNCLAIMED = "SELECT id FROM notifier.notifications WHERE status = 'pending' FOR UPDATE SKIP LOCKED"
# An attempt locks its row from its claim to its commit: the row's xmax is then the id of that open
# transaction (locking a row gives a transaction an id). Nothing else in the notifier locks or updates
# a pending notification, so a pending row whose xmax is another open transaction's id is an attempt
# in progress, and which notification it is for.
OPEN_ATTEMPTS = """
SELECT a.backend_xid::text, x.id::text
FROM notifier.notifications x
JOIN pg_stat_activity a ON a.backend_xid = x.xmax
WHERE x.status = 'pending' AND a.pid <> pg_backend_pid()
"""
NOT_COMMITTED = """
SELECT x FROM unnest($1::text[]) AS x WHERE pg_xact_status(x::xid8) IS DISTINCT FROM 'committed'
"""
FAILURES = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


@contextlib.contextmanager
def attempts_held(database_url: str) -> Iterator[dict[str, str]]:
    """The delivery attempts open now (transaction id -> notification id), no new one starting until
    the block ends: kill inside it. None when PostgreSQL does not answer (then no attempt can commit,
    and the kill that took it down was looked at already)."""
    loop = asyncio.new_event_loop()
    db: asyncpg.Connection | None = None
    seen: dict[str, str] = {}
    try:
        try:
            db = loop.run_until_complete(asyncpg.connect(asyncpg_dsn(database_url), timeout=2.0))
            loop.run_until_complete(db.execute("BEGIN"))
            loop.run_until_complete(db.execute(HOLD_UNCLAIMED, timeout=2.0))
            rows = loop.run_until_complete(db.fetch(OPEN_ATTEMPTS, timeout=2.0))
            seen = {str(r[0]): str(r[1]) for r in rows}
        except FAILURES:
            seen = {}
        yield seen
    finally:
        if db is not None:  # closing rolls back; after a kill of PostgreSQL there is nothing to close
            with contextlib.suppress(*FAILURES):
                loop.run_until_complete(db.close(timeout=2.0))
        loop.close()


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
