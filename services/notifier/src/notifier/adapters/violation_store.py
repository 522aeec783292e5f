"""Violations and the last KPI status per unit and indicator, in PostgreSQL."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import alert_state, violations
from notifier.domain.alerts import OpenViolation
from notifier.domain.records import Violation

OPEN = violations.c.resolved_at.is_(None)
COLUMNS = [violations.c[f.name] for f in fields(Violation)]


def _violation(row: Any) -> Violation:
    return Violation(**row._mapping)


class PgLastStatuses:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, unit_code: str, indicator: str) -> tuple[str, int] | None:
        query = select(alert_state.c.status, alert_state.c.sequence).where(
            alert_state.c.unit_code == unit_code, alert_state.c.indicator == indicator
        )
        row = (await self._session.execute(query.with_for_update())).first()
        return None if row is None else (row.status, row.sequence)

    async def save(self, unit_code: str, indicator: str, status: str, sequence: int) -> None:
        stmt = insert(alert_state).values(
            unit_code=unit_code, indicator=indicator, status=status, sequence=sequence
        )
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=["unit_code", "indicator"], set_={"status": status, "sequence": sequence}
            )
        )


class PgViolations:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _all(self, query: Select[Any]) -> list[Violation]:
        return [_violation(r) for r in await self._session.execute(query)]

    async def open_for(self, unit_code: str, indicator: str) -> Violation | None:
        query = select(*COLUMNS).where(
            violations.c.unit_code == unit_code, violations.c.indicator == indicator, OPEN
        )
        return next(iter(await self._all(query.with_for_update())), None)

    async def get(self, violation_id: int, *, lock: bool = False) -> Violation | None:
        query = select(*COLUMNS).where(violations.c.id == violation_id)
        return next(iter(await self._all(query.with_for_update() if lock else query)), None)

    async def open(self, violation: Violation) -> int:
        values = {k: v for k, v in asdict(violation).items() if k != "id"}
        result = await self._session.execute(insert(violations).values(**values).returning(violations.c.id))
        return int(result.scalar_one())

    async def change(self, violation_id: int, **values: object) -> None:
        await self._session.execute(
            update(violations).where(violations.c.id == violation_id).values(**values)
        )

    async def open_in(self, unit_code: str) -> list[OpenViolation]:
        rows = await self._session.execute(
            select(
                violations.c.id, violations.c.unit_code, violations.c.indicator, violations.c.last_status
            ).where(violations.c.unit_code == unit_code, OPEN)
        )
        return [OpenViolation(r.id, r.unit_code, r.indicator, r.last_status) for r in rows]

    async def muted_by(self, inhibitor_id: int) -> list[Violation]:
        query = select(*COLUMNS).where(violations.c.inhibited_by == inhibitor_id, OPEN)
        return await self._all(query.order_by(violations.c.id).with_for_update())

    async def due_repeats(self, now: datetime, limit: int) -> list[Violation]:
        return await self._all(
            select(*COLUMNS)
            .where(OPEN, violations.c.next_repeat_at <= now)
            .order_by(violations.c.next_repeat_at, violations.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )


def _filtered(query: Select[Any], filters: dict[str, Any]) -> Select[Any]:
    if filters.get("unit_code") is not None:
        query = query.where(violations.c.unit_code == filters["unit_code"])
    if filters.get("indicator") is not None:
        query = query.where(violations.c.indicator == filters["indicator"])
    if filters.get("state") == "open":
        query = query.where(OPEN)
    elif filters.get("state") == "resolved":
        query = query.where(violations.c.resolved_at.is_not(None))
    # Time: violations that lasted into [since, until), not only those that opened then.
    if filters.get("since") is not None:
        query = query.where(OPEN | (violations.c.resolved_at >= filters["since"]))
    if filters.get("until") is not None:
        query = query.where(violations.c.opened_at < filters["until"])
    return query


async def list_violations(
    session: AsyncSession, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[Violation], int]:
    """A page of violations, newest opened first, and how many match in all."""
    total = await session.scalar(_filtered(select(func.count()).select_from(violations), filters))
    query = _filtered(select(*COLUMNS), filters).order_by(
        violations.c.opened_at.desc(), violations.c.id.desc()
    )
    rows = await session.execute(query.limit(limit).offset(offset))
    return [_violation(r) for r in rows], int(total or 0)
