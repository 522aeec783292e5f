"""PostgreSQL advisory locks that serialise the writers of one unit and indicator (transaction-scoped).

Two forms of the same keys: `lock` takes one key (the one-by-one path: `KpiService`, the roll-up
worker, the status tick); `lock_all` takes many in one statement, in the order given (the batch
path sorts them, so two batches never wait on each other in a cycle).
"""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession


async def lock(session: AsyncSession, unit_code: str, indicator: str) -> None:
    # Serialises updates of one unit and indicator: two replicas, two revisions, the roll-up
    # worker and the status tick. Transaction-scoped; taking it twice in one transaction is fine.
    key = f"kpi:{unit_code}:{indicator}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))


async def lock_all(session: AsyncSession, keys: list[str]) -> None:
    # The same keys as `lock`, taken in one statement in a fixed order (sorted
    # text), so two batches never wait on each other in a cycle. Transaction-scoped.
    if keys:
        await session.execute(
            text("SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM unnest(CAST(:keys AS text[])) AS k"),
            {"keys": keys},
        )
