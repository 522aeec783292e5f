"""The roll-up work list (which indicators' province projection is stale) and the stored roll-ups."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kpi.adapters.tables import rollup_dirty, rollups
from kpi.domain.rollup import RollupDay


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


async def clear(session: AsyncSession, indicators: Collection[str]) -> None:
    if indicators:
        await session.execute(delete(rollup_dirty).where(rollup_dirty.c.indicator.in_(sorted(indicators))))


async def pending(session: AsyncSession) -> int:
    return len((await session.execute(select(rollup_dirty.c.indicator))).all())


async def mark_dirty_many(session: AsyncSession, marks: Mapping[str, UUID], now: datetime) -> None:
    """`mark_dirty` for several indicators at once (each with the last report that touched it)."""
    if marks:  # executemany in sorted order: the row locks are taken in one order by every caller
        rows = [{"indicator": i, "correlation_id": c, "marked_at": now} for i, c in sorted(marks.items())]
        await session.execute(_MARK_MANY, rows)


def _mark_many() -> Any:
    # One cached statement for any number of rows (a multi-row VALUES is compiled each time).
    stmt = insert(rollup_dirty)
    return stmt.on_conflict_do_update(
        index_elements=["indicator"],
        set_={"correlation_id": stmt.excluded.correlation_id, "marked_at": stmt.excluded.marked_at},
    )


_MARK_MANY = _mark_many()


def _day(raw: list[Any]) -> RollupDay:
    return RollupDay(date.fromisoformat(raw[0]), raw[1], raw[2], raw[3], raw[4])


def _raw(day: RollupDay) -> list[Any]:
    return [day.as_of.isoformat(), day.numerator, day.denominator, day.units_reporting, day.units_dated]


async def days_of(session: AsyncSession, indicators: Collection[str]) -> dict[str, list[RollupDay]]:
    """The stored roll-up of each of these indicators that has one (built)."""
    if not indicators:
        return {}
    rows = await session.execute(
        select(rollups.c.indicator, rollups.c.days).where(rollups.c.indicator.in_(sorted(indicators)))
    )
    return {r.indicator: [_day(d) for d in r.days] for r in rows}


async def all_days(session: AsyncSession) -> dict[str, list[RollupDay]]:
    rows = await session.execute(select(rollups.c.indicator, rollups.c.days))
    return {r.indicator: [_day(d) for d in r.days] for r in rows}


async def write(session: AsyncSession, kept: Mapping[str, Sequence[RollupDay]]) -> None:
    """Store (or replace) each indicator's roll-up (indicators in sorted order)."""
    if kept:
        rows = [{"indicator": i, "days": [_raw(d) for d in days]} for i, days in sorted(kept.items())]
        await session.execute(_WRITE, rows)


def _write() -> Any:
    stmt = insert(rollups)
    return stmt.on_conflict_do_update(index_elements=["indicator"], set_={"days": stmt.excluded.days})


_WRITE = _write()
