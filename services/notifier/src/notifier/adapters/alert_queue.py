"""The per-recipient alert queue in PostgreSQL: what each alert owes each recipient until its group
message goes out (pending → grouped, cancelled or inhibited)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import PENDING, alert_items, violations
from notifier.domain.records import AlertItem, NewAlertItem


class PgAlertQueue:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, item: NewAlertItem) -> bool:
        result = await self._session.execute(
            insert(alert_items)
            .values(state="pending", created_at=item.due_at, **asdict(item))
            .on_conflict_do_nothing()
            .returning(alert_items.c.id)
        )
        return result.first() is not None

    async def cancel_pending(self, violation_id: int, kinds: Collection[str], now: datetime) -> None:
        await self._session.execute(
            update(alert_items)
            .where(
                alert_items.c.violation_id == violation_id,
                alert_items.c.state == PENDING,
                alert_items.c.kind.in_(list(kinds)),
            )
            .values(state="cancelled", done_at=now)
        )

    async def due_recipients(self, waited_since: datetime, limit: int) -> list[tuple[str, str]]:
        rows = await self._session.execute(due_recipients(waited_since, limit))
        return [(r.channel, r.address) for r in rows]

    async def claim(self, channel: str, address: str, now: datetime) -> list[AlertItem]:
        return [AlertItem(**r._mapping) for r in await self._session.execute(claimed(channel, address, now))]

    async def inhibited_deliveries(self, violation_id: int) -> set[tuple[str, str]]:
        rows = await self._session.execute(
            select(alert_items.c.channel, alert_items.c.address).where(
                alert_items.c.violation_id == violation_id, alert_items.c.state == "inhibited"
            )
        )
        return {(r.channel, r.address) for r in rows}

    async def finish(
        self, ids: Sequence[int], state: str, now: datetime, notification_id: UUID | None = None
    ) -> None:
        await self._session.execute(
            update(alert_items)
            .where(alert_items.c.id.in_(list(ids)))
            .values(state=state, done_at=now, notification_id=notification_id)
        )


def due_recipients(waited_since: datetime, limit: int) -> Select[tuple[str, str]]:
    """Recipients whose first pending item waited since `waited_since`, on `ix_alert_items_pending`."""
    i = alert_items.c
    return (
        select(i.channel, i.address)
        .where(i.state == PENDING)
        .group_by(i.channel, i.address)
        .having(func.min(i.due_at) <= waited_since)
        .order_by(func.min(i.due_at))
        .limit(limit)
    )


def claimed(channel: str, address: str, now: datetime) -> Select[Any]:
    """One recipient's pending items due by `now`, locked, on `ix_alert_items_pending`."""
    i = alert_items.c
    columns = (i.id, i.violation_id, i.kind, i.unit_code, i.indicator, i.status, i.recipient_name)
    return (
        select(*columns, i.snapshot, violations.c.opened_at)
        .join(violations, violations.c.id == i.violation_id)
        .where(i.state == PENDING, i.channel == channel, i.address == address, i.due_at <= now)
        .order_by(i.due_at, i.id)
        .with_for_update(of=alert_items, skip_locked=True)
    )
