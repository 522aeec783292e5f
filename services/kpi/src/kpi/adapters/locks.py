"""PostgreSQL advisory locks that serialise the writers of one unit and indicator (transaction-scoped).

Two forms of the same keys: `lock` takes one (the one-by-one path: `KpiService`, the roll-up
worker, the status tick); `lock_all` takes many in one statement, in sorted key order (the
batch path: two batches never wait on each other in a cycle).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession


def _key(unit_code: str, indicator: str) -> str:
    return f"kpi:{unit_code}:{indicator}"


async def lock(session: AsyncSession, unit_code: str, indicator: str) -> None:
    # Serialises updates of one unit and indicator: two replicas, two revisions, the roll-up
    # worker and the status tick. Transaction-scoped; taking it twice in one transaction is fine.
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(_key(unit_code, indicator)))))


async def lock_all(session: AsyncSession, pairs: Collection[tuple[str, str]]) -> None:
    # The same keys as `lock`, taken in one statement in a fixed order (sorted
    # text), so two batches never wait on each other in a cycle. Transaction-scoped.
    keys = sorted(_key(unit_code, indicator) for unit_code, indicator in pairs)
    if keys:
        await session.execute(
            text("SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM unnest(CAST(:keys AS text[])) AS k"),
            {"keys": keys},
        )
