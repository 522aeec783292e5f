"""Notifier state: last status per unit and indicator, notifications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import alert_state, notifications


async def last_state(session: AsyncSession, unit_code: str, indicator: str) -> tuple[str, int] | None:
    """The last status seen and its sequence, locked for this transaction."""
    row = (
        await session.execute(
            select(alert_state.c.status, alert_state.c.sequence)
            .where(alert_state.c.unit_code == unit_code, alert_state.c.indicator == indicator)
            .with_for_update()
        )
    ).first()
    return None if row is None else (row.status, row.sequence)


async def save_state(
    session: AsyncSession, unit_code: str, indicator: str, status: str, sequence: int
) -> None:
    stmt = insert(alert_state).values(
        unit_code=unit_code, indicator=indicator, status=status, sequence=sequence
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["unit_code", "indicator"], set_={"status": status, "sequence": sequence}
        )
    )


async def add_notification(session: AsyncSession, **values: Any) -> None:
    """Store the intent; the idempotency key makes a second identical intent a no-op."""
    values.setdefault("id", uuid.uuid4())
    await session.execute(insert(notifications).values(status="pending", **values).on_conflict_do_nothing())


async def claim_next(session: AsyncSession, channel: str, now: datetime) -> Any | None:
    """The oldest pending notification of `channel` due now, locked until this transaction ends.

    SKIP LOCKED: replicas (and one dispatcher per channel) never take the same row.
    """
    rows = await session.execute(
        select(notifications)
        .where(
            notifications.c.status == "pending",
            notifications.c.channel == channel,
            notifications.c.next_attempt_at <= now,
        )
        .order_by(notifications.c.next_attempt_at, notifications.c.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return rows.first()


async def mark(session: AsyncSession, notification_id: uuid.UUID, **values: Any) -> None:
    await session.execute(update(notifications).where(notifications.c.id == notification_id).values(**values))


def _filtered(query: Select[Any], filters: dict[str, Any]) -> Select[Any]:
    columns = {
        "unit_code": notifications.c.unit_code,
        "recipient": notifications.c.recipient,
        "kind": notifications.c.kind,
        "channel": notifications.c.channel,
        "status": notifications.c.status,
    }
    for name, column in columns.items():
        if filters.get(name) is not None:
            query = query.where(column == filters[name])
    if filters.get("since") is not None:
        query = query.where(notifications.c.created_at >= filters["since"])
    if filters.get("until") is not None:
        query = query.where(notifications.c.created_at < filters["until"])
    return query


async def list_notifications(
    session: AsyncSession, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the delivery log, newest first, and how many rows match in all."""
    total = await session.scalar(_filtered(select(func.count()).select_from(notifications), filters))
    query = _filtered(select(notifications), filters).order_by(
        notifications.c.created_at.desc(), notifications.c.id
    )
    rows = await session.execute(query.limit(limit).offset(offset))
    return [dict(r) for r in rows.mappings()], int(total or 0)
