"""The attainment table: current snapshot per unit and indicator."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kpi.adapters.tables import attainment
from kpi.domain.rebuild_plan import Recorded
from kpi.domain.snapshot import AttainmentStatus, Snapshot


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
    await save_many(session, [Recorded(snapshot, sequence, updated_at, event_id)])


async def find(session: AsyncSession, unit_code: str | None, indicator: str | None) -> list[Recorded]:
    """The stored snapshots of a unit and/or an indicator (all when None), by unit then indicator."""
    query = select(attainment).order_by(attainment.c.unit_code, attainment.c.indicator)
    if unit_code:
        query = query.where(attainment.c.unit_code == unit_code)
    if indicator:
        query = query.where(attainment.c.indicator == indicator)
    return [recorded(r) for r in (await session.execute(query)).mappings()]


def recorded(row: RowMapping) -> Recorded:
    return Recorded(
        Snapshot.from_row(dict(row)), int(row["sequence"]), row["updated_at"], row["last_event_id"]
    )


async def all_snapshots(session: AsyncSession) -> list[Snapshot]:
    rows = await session.execute(select(attainment).order_by(attainment.c.unit_code, attainment.c.indicator))
    return [Snapshot.from_row(dict(r)) for r in rows.mappings()]


async def current_many(
    session: AsyncSession, pairs: Collection[tuple[str, str]]
) -> dict[tuple[str, str], tuple[Snapshot, int]]:
    """`current` for many (unit, indicator) pairs in one query."""
    if not pairs:
        return {}
    rows = await session.execute(
        select(attainment).where(
            attainment.c.unit_code.in_(sorted({u for u, _ in pairs})),
            attainment.c.indicator.in_(sorted({i for _, i in pairs})),
        )
    )
    out: dict[tuple[str, str], tuple[Snapshot, int]] = {}
    for r in rows.mappings():
        key = (r["unit_code"], r["indicator"])
        if key in pairs:
            out[key] = (Snapshot.from_row(dict(r)), int(r["sequence"]))
    return out


def row_of(recorded: Recorded) -> dict[str, Any]:
    """The attainment row of a recorded snapshot."""
    return {
        **recorded.snapshot.as_row(),
        "sequence": recorded.sequence,
        "updated_at": recorded.updated_at,
        "last_event_id": recorded.event_id,
    }


async def save_many(session: AsyncSession, saved: Sequence[Recorded]) -> None:
    """`save` for many snapshots at once (one per unit and indicator)."""
    if not saved:
        return
    await session.execute(_SAVE_MANY, [row_of(r) for r in saved])


def _save_many() -> Any:
    # One statement for any number of rows (executemany): compiled once and cached, where a
    # multi-row VALUES was compiled again for every batch (a fifth of kpi's CPU in the profile).
    stmt = insert(attainment)
    return stmt.on_conflict_do_update(
        index_elements=["unit_code", "indicator"],
        set_={c.name: stmt.excluded[c.name] for c in attainment.columns if not c.primary_key},
    )


_SAVE_MANY = _save_many()


async def attainment_and_status(session: AsyncSession) -> list[AttainmentStatus]:
    """Every row's unit, indicator, attainment and status (for the dashboards' gauges)."""
    a = attainment
    query = select(a.c.unit_code, a.c.indicator, a.c.attainment, a.c.status)
    return [AttainmentStatus(*r) for r in (await session.execute(query)).all()]
