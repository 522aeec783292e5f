"""The attainment table: current snapshot per unit and indicator."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kpi.adapters.tables import attainment
from kpi.snapshot import Snapshot


async def current(session: AsyncSession, unit_code: str, indicator: str) -> tuple[Snapshot, int] | None:
    """The stored snapshot and its sequence, or None."""
    row = (
        (
            await session.execute(
                select(attainment).where(
                    attainment.c.unit_code == unit_code, attainment.c.indicator == indicator
                )
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return Snapshot.from_row(dict(row)), int(row["sequence"])


async def save(
    session: AsyncSession, snapshot: Snapshot, sequence: int, updated_at: datetime, event_id: UUID
) -> None:
    values: dict[str, Any] = {
        **snapshot.as_row(),
        "sequence": sequence,
        "updated_at": updated_at,
        "last_event_id": event_id,
    }
    stmt = insert(attainment).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["unit_code", "indicator"],
        set_={k: stmt.excluded[k] for k in values if k not in ("unit_code", "indicator")},
    )
    await session.execute(stmt)


async def list_snapshots(
    session: AsyncSession, unit_code: str | None, indicator: str | None
) -> list[dict[str, Any]]:
    query = select(attainment).order_by(attainment.c.unit_code, attainment.c.indicator)
    if unit_code:
        query = query.where(attainment.c.unit_code == unit_code)
    if indicator:
        query = query.where(attainment.c.indicator == indicator)
    return [dict(r) for r in (await session.execute(query)).mappings()]


async def all_snapshots(session: AsyncSession) -> list[Snapshot]:
    rows = await session.execute(select(attainment).order_by(attainment.c.unit_code, attainment.c.indicator))
    return [Snapshot.from_row(dict(r)) for r in rows.mappings()]
