"""Consumer idempotency: the processed-id row and the effect commit together or not at all."""

from __future__ import annotations

from collections.abc import Sequence
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


async def first_times(
    session: AsyncSession, processed: Table, consumer: str, event_ids: Sequence[UUID]
) -> set[UUID]:
    """`first_time` for a batch in one statement: the ids not processed before (now recorded)."""
    if not event_ids:
        return set()
    result = await session.execute(
        insert(processed)
        .values([{"consumer": consumer, "event_id": i} for i in dict.fromkeys(event_ids)])
        .on_conflict_do_nothing()
        .returning(processed.c.event_id)
    )
    return {r.event_id for r in result}
