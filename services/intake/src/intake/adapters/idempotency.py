"""Idempotency keys: claimed in the submission's own transaction, so a retry can never double-submit.

Two requests with the same key at once: the second one's INSERT waits on the first's
uncommitted row; when the first commits it sees the key taken and replays its result.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import idempotency_keys
from intake.service_layer.ports import Claim


async def claim(
    session: AsyncSession,
    token_id: uuid.UUID,
    key: str,
    fingerprint: str,
    now: datetime,
    event_id: uuid.UUID | None = None,
) -> Claim:
    inserted = await session.execute(
        insert(idempotency_keys)
        .values(token_id=token_id, key=key, request_sha256=fingerprint, created_at=now, event_id=event_id)
        .on_conflict_do_nothing()
        .returning(idempotency_keys.c.key)
    )
    if inserted.first() is not None:
        return Claim(new=True)
    row = (
        await session.execute(
            select(idempotency_keys.c.request_sha256, idempotency_keys.c.event_id).where(
                idempotency_keys.c.token_id == token_id, idempotency_keys.c.key == key
            )
        )
    ).one()
    return Claim(new=False, same_request=row.request_sha256 == fingerprint, event_id=row.event_id)
