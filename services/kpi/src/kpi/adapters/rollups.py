"""The roll-up work list: which indicators' province projection is stale."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kpi.adapters.tables import rollup_dirty


async def mark_dirty(session: AsyncSession, indicator: str, correlation_id: UUID, now: datetime) -> None:
    stmt = insert(rollup_dirty).values(indicator=indicator, correlation_id=correlation_id, marked_at=now)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["indicator"], set_={"correlation_id": correlation_id, "marked_at": now}
        )
    )


async def claim_dirty(session: AsyncSession, limit: int = 10) -> list[tuple[str, UUID]]:
    """Stale indicators, locked for this transaction (SKIP LOCKED: replicas share the work).

    A report applied meanwhile waits on the row lock to mark it again, so its
    change is picked up by the next round and never lost.
    """
    rows = await session.execute(
        select(rollup_dirty.c.indicator, rollup_dirty.c.correlation_id)
        .order_by(rollup_dirty.c.marked_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [(r.indicator, r.correlation_id) for r in rows]


async def clear(session: AsyncSession, indicator: str) -> None:
    await session.execute(delete(rollup_dirty).where(rollup_dirty.c.indicator == indicator))


async def pending(session: AsyncSession) -> int:
    return len((await session.execute(select(rollup_dirty.c.indicator))).all())


async def mark_dirty_many(session: AsyncSession, marks: Mapping[str, UUID], now: datetime) -> None:
    """`mark_dirty` for several indicators at once (each with the last report that touched it)."""
    if not marks:
        return
    stmt = insert(rollup_dirty).values(
        [{"indicator": i, "correlation_id": c, "marked_at": now} for i, c in sorted(marks.items())]
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["indicator"],
            set_={"correlation_id": stmt.excluded.correlation_id, "marked_at": stmt.excluded.marked_at},
        )
    )
