"""One rendered message to every channel chosen for a recipient: an intent per channel and address.

The alert tick and the deadline ledger both end here, so an intent is built one way: the text
for its channel (SMS without diacritics, with its part count), its idempotency key, its source,
and for an SMS the quiet hours (one created in them waits for their end: delayed, never dropped).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters import store
from notifier.domain.intents import Rendered, body_for
from notifier.domain.quiet_hours import QuietHours, next_allowed
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
    quiet: QuietHours | None = None,
) -> int:
    """Add the recipient's intents (the unique key makes a repeat add nothing); returns how many."""
    queued = 0
    for channel, address in recipient.deliveries():
        await queue_intent(
            session,
            channel,
            address,
            rendered,
            sms_keep_diacritics=sms_keep_diacritics,
            idempotency_key=key(channel, address),
            unit_code=unit_code,
            kind=kind,
            now=now,
            source_event_id=source_event_id,
            correlation_id=correlation_id,
            quiet=quiet,
        )
        queued += 1
    return queued


async def queue_intent(
    session: AsyncSession,
    channel: str,
    address: str,
    rendered: Rendered,
    *,
    sms_keep_diacritics: bool,
    idempotency_key: str,
    unit_code: str,
    kind: str,
    now: datetime,
    source_event_id: UUID,
    correlation_id: UUID | None,
    quiet: QuietHours | None,
    notification_id: UUID | None = None,
) -> None:
    body = body_for(channel, rendered, sms_keep_diacritics)
    await store.add_notification(
        session,
        idempotency_key=idempotency_key,
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
        next_attempt_at=next_allowed(now, quiet) if channel == "sms" else now,
        source_event_id=source_event_id,
        correlation_id=correlation_id,
        **({"id": notification_id} if notification_id else {}),
    )
