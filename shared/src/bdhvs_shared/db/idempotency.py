"""Consumer idempotency: the processed-id row and the effect commit together or not at all."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def first_time(session: AsyncSession, processed: Table, consumer: str, event_id: UUID) -> bool:
    """Record `event_id` as processed by `consumer`; False if it already was (a redelivery)."""
    result = await session.execute(
        insert(processed)
        .values(consumer=consumer, event_id=event_id)
        .on_conflict_do_nothing()
        .returning(processed.c.event_id)
    )
    return result.first() is not None
