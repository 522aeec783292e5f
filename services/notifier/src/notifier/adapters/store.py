"""Notifier state: recipients, last status per unit and indicator, notifications."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import alert_state, notifications, recipients


async def recipients_of(session: AsyncSession, unit_code: str) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(recipients.c.email, recipients.c.name)
        .where(recipients.c.unit_code == unit_code)
        .order_by(recipients.c.email)
    )
    return [(r.email, r.name) for r in rows]


async def replace_recipients(session: AsyncSession, rows: Sequence[dict[str, str]]) -> None:
    await session.execute(recipients.delete())
    if rows:
        await session.execute(recipients.insert(), list(rows))


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
    await session.execute(
        insert(notifications).values(id=uuid.uuid4(), status="pending", **values).on_conflict_do_nothing()
    )


async def claim_pending(session: AsyncSession, now: datetime, limit: int) -> list[Any]:
    """Pending notifications due now, locked against other dispatchers (SKIP LOCKED: replicas share)."""
    rows = await session.execute(
        select(notifications)
        .where(notifications.c.status == "pending", notifications.c.next_attempt_at <= now)
        .order_by(notifications.c.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows)


async def mark(session: AsyncSession, notification_id: uuid.UUID, **values: Any) -> None:
    await session.execute(update(notifications).where(notifications.c.id == notification_id).values(**values))


async def list_notifications(
    session: AsyncSession, unit_code: str | None, limit: int
) -> list[dict[str, Any]]:
    query = select(notifications).order_by(notifications.c.created_at.desc()).limit(limit)
    if unit_code:
        query = query.where(notifications.c.unit_code == unit_code)
    return [dict(r) for r in (await session.execute(query)).mappings()]
