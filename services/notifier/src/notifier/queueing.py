"""One rendered message to every channel chosen for a recipient: an intent per channel and address.

The alert service and the deadline ledger both end here, so an intent is built one way: the text
for its channel (SMS without diacritics, with its part count), its idempotency key, its source.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters import store
from notifier.domain.intents import Rendered, body_for
from notifier.domain.routing import Recipient


async def queue_to_recipient(
    session: AsyncSession,
    recipient: Recipient,
    rendered: Rendered,
    *,
    sms_keep_diacritics: bool,
    key: Callable[[str, str], str],  # (channel, address) → idempotency key
    unit_code: str,
    kind: str,
    now: datetime,
    source_event_id: UUID,
    correlation_id: UUID | None,
) -> int:
    """Add the recipient's intents (the unique key makes a repeat add nothing); returns how many."""
    queued = 0
    for channel, address in recipient.deliveries():
        body = body_for(channel, rendered, sms_keep_diacritics)
        await store.add_notification(
            session,
            idempotency_key=key(channel, address),
            unit_code=unit_code,
            kind=kind,
            channel=channel,
            recipient=address,
            subject=body.subject,
            body_text=body.body_text,
            body_html=body.body_html,
            sms_segments=body.sms_segments,
            sms_encoding=body.sms_encoding,
            created_at=now,
            next_attempt_at=now,
            source_event_id=source_event_id,
            correlation_id=correlation_id,
        )
        queued += 1
    return queued
