"""Notifications (the intents the dispatchers send, and the delivery log) in PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import PENDING, notifications
from notifier.domain.records import NewNotification, Notification

COLUMNS = [notifications.c[f.name] for f in fields(Notification)]


class PgNotifications:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, notification: NewNotification) -> None:
        values = {**asdict(notification), "id": notification.id or uuid.uuid4()}
        await self._session.execute(
            insert(notifications).values(status="pending", **values).on_conflict_do_nothing()
        )

    async def claim_next(self, channel: str, now: datetime) -> Notification | None:
        """SKIP LOCKED: replicas (and one dispatcher per channel) never take the same row."""
        rows = await self._session.execute(
            select(*COLUMNS)
            .where(*due(channel, now))
            .order_by(notifications.c.next_attempt_at, notifications.c.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        row = rows.first()
        return None if row is None else Notification(**row._mapping)

    async def any_due(self, channel: str, now: datetime) -> bool:
        return bool(await self._session.scalar(select(exists().where(*due(channel, now)))))

    async def mark(self, notification_id: uuid.UUID, **values: object) -> None:
        await self._session.execute(
            update(notifications).where(notifications.c.id == notification_id).values(**values)
        )

    async def record_receipt(
        self, notification_id: uuid.UUID, state: str, at: datetime, provider_message_id: str | None
    ) -> bool:
        n = notifications.c
        query = update(notifications).where(n.id == notification_id, n.channel == "sms", n.status == "sent")
        if provider_message_id:
            query = query.where(
                (n.provider_message_id.is_(None)) | (n.provider_message_id == provider_message_id)
            )
        result = await self._session.execute(
            query.values(delivery_status=state, delivery_reported_at=at).returning(n.id)
        )
        return result.first() is not None


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


def due(channel: str, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Pending notifications of `channel` that may be sent by `now` (claim_next's and any_due's), on
    the partial index `ix_notifications_pending` (`tables.PENDING`)."""
    return (
        notifications.c.status == PENDING,
        notifications.c.channel == channel,
        notifications.c.next_attempt_at <= now,
    )
