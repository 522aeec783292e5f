"""Violations and the per-recipient alert queue in PostgreSQL."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import alert_items, violations
from notifier.domain.alerts import OpenViolation

OPEN = violations.c.resolved_at.is_(None)


async def open_violation(session: AsyncSession, unit_code: str, indicator: str) -> Any | None:
    """The unit's open violation for the indicator, locked for this transaction."""
    query = select(violations).where(
        violations.c.unit_code == unit_code, violations.c.indicator == indicator, OPEN
    )
    return (await session.execute(query.with_for_update())).first()


async def violation(session: AsyncSession, violation_id: int, lock: bool = False) -> Any | None:
    query = select(violations).where(violations.c.id == violation_id)
    return (await session.execute(query.with_for_update() if lock else query)).first()


async def open_new(session: AsyncSession, **values: Any) -> int:
    result = await session.execute(insert(violations).values(**values).returning(violations.c.id))
    return int(result.scalar_one())


async def change(session: AsyncSession, violation_id: int, **values: Any) -> None:
    await session.execute(update(violations).where(violations.c.id == violation_id).values(**values))


async def open_in(session: AsyncSession, unit_code: str) -> list[OpenViolation]:
    rows = await session.execute(
        select(
            violations.c.id, violations.c.unit_code, violations.c.indicator, violations.c.last_status
        ).where(violations.c.unit_code == unit_code, OPEN)
    )
    return [OpenViolation(r.id, r.unit_code, r.indicator, r.last_status) for r in rows]


async def muted_by(session: AsyncSession, inhibitor_id: int) -> list[Any]:
    """Open violations the given (province) violation mutes, locked."""
    query = select(violations).where(violations.c.inhibited_by == inhibitor_id, OPEN)
    return list((await session.execute(query.order_by(violations.c.id).with_for_update())).all())


async def due_repeats(session: AsyncSession, now: datetime, limit: int) -> list[Any]:
    """Open violations whose repeat is due; SKIP LOCKED, so replicas share them."""
    query = (
        select(violations)
        .where(OPEN, violations.c.next_repeat_at <= now)
        .order_by(violations.c.next_repeat_at, violations.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).all())


async def add_item(session: AsyncSession, **values: Any) -> bool:
    """Queue an item; its idempotency key makes a second one a no-op. True when added."""
    result = await session.execute(
        insert(alert_items)
        .values(state="pending", **values)
        .on_conflict_do_nothing()
        .returning(alert_items.c.id)
    )
    return result.first() is not None


async def cancel_pending(
    session: AsyncSession, violation_id: int, kinds: Collection[str], now: datetime
) -> None:
    """Items not sent yet that a newer status makes wrong (the alert of a status now gone)."""
    await session.execute(
        update(alert_items)
        .where(
            alert_items.c.violation_id == violation_id,
            alert_items.c.state == "pending",
            alert_items.c.kind.in_(list(kinds)),
        )
        .values(state="cancelled", done_at=now)
    )


async def due_recipients(session: AsyncSession, waited_since: datetime, limit: int) -> list[tuple[str, str]]:
    """(channel, address) whose oldest pending item became due before `waited_since`."""
    rows = await session.execute(
        select(alert_items.c.channel, alert_items.c.address)
        .where(alert_items.c.state == "pending")
        .group_by(alert_items.c.channel, alert_items.c.address)
        .having(func.min(alert_items.c.due_at) <= waited_since)
        .order_by(func.min(alert_items.c.due_at))
        .limit(limit)
    )
    return [(r.channel, r.address) for r in rows]


async def claim_items(session: AsyncSession, channel: str, address: str, now: datetime) -> list[Any]:
    """A recipient's pending items due by `now` (with their violation's opening), locked; SKIP LOCKED."""
    query = (
        select(alert_items, violations.c.opened_at)
        .join(violations, violations.c.id == alert_items.c.violation_id)
        .where(
            alert_items.c.state == "pending",
            alert_items.c.channel == channel,
            alert_items.c.address == address,
            alert_items.c.due_at <= now,
        )
        .order_by(alert_items.c.due_at, alert_items.c.id)
        .with_for_update(of=alert_items, skip_locked=True)
    )
    return list((await session.execute(query)).all())


async def inhibited_deliveries(session: AsyncSession, violation_id: int) -> set[tuple[str, str]]:
    """The (channel, address) pairs a violation's alert was muted for."""
    rows = await session.execute(
        select(alert_items.c.channel, alert_items.c.address).where(
            alert_items.c.violation_id == violation_id, alert_items.c.state == "inhibited"
        )
    )
    return {(r.channel, r.address) for r in rows}


async def finish_items(
    session: AsyncSession, ids: Sequence[int], state: str, now: datetime, notification_id: UUID | None = None
) -> None:
    await session.execute(
        update(alert_items)
        .where(alert_items.c.id.in_(list(ids)))
        .values(state=state, done_at=now, notification_id=notification_id)
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
) -> tuple[list[Any], int]:
    """A page of violations, newest opened first, and how many match in all."""
    total = await session.scalar(_filtered(select(func.count()).select_from(violations), filters))
    query = _filtered(select(violations), filters).order_by(
        violations.c.opened_at.desc(), violations.c.id.desc()
    )
    rows = await session.execute(query.limit(limit).offset(offset))
    return list(rows.all()), int(total or 0)
