"""One rendered message to every channel chosen for a recipient: an intent per channel and address.

The alert tick and the deadline ledger both end here, so an intent is built one way: the text
for its channel (SMS without diacritics, with its part count), its idempotency key, its source
(also its correlation id), and when it may first go out: the next working moment (working days and
hours, domain/working_hours.py), and for an SMS past the quiet hours (delayed, never dropped).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from bdhvs_shared.catalogue import Workdays
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.intents import Rendered, body_for
from notifier.domain.records import NewNotification
from notifier.domain.routing import Recipient
from notifier.service_layer.ports import Stores


@dataclass(frozen=True)
class Intent:
    """What every intent of one message shares."""

    rendered: Rendered
    unit_code: str
    kind: str
    source_event_id: UUID  # also the correlation id
    now: datetime
    workdays: Workdays | None = None  # the calendar it waits on (DeliveryPolicy.earliest)
    alert: bool = False  # a below-target alert (may go out any time, if so configured)


async def queue_to_recipient(
    stores: Stores,
    recipient: Recipient,
    intent: Intent,
    delivery: DeliveryPolicy,
    key: Callable[[str, str], str],  # (channel, address) → idempotency key
) -> int:
    """Add the recipient's intents (the unique key makes a repeat add nothing); returns how many."""
    queued = 0
    for channel, address in recipient.deliveries():
        await queue_intent(stores, channel, address, intent, delivery, key(channel, address))
        queued += 1
    return queued


async def queue_intent(
    stores: Stores,
    channel: str,
    address: str,
    intent: Intent,
    delivery: DeliveryPolicy,
    idempotency_key: str,
    notification_id: UUID | None = None,
) -> None:
    body = body_for(channel, intent.rendered, delivery.keep_diacritics)
    await stores.notifications.add(
        NewNotification(
            idempotency_key=idempotency_key,
            unit_code=intent.unit_code,
            kind=intent.kind,
            channel=channel,
            recipient=address,
            subject=body.subject,
            body_text=body.body_text,
            body_html=body.body_html,
            sms_segments=body.sms_segments,
            sms_encoding=body.sms_encoding,
            created_at=intent.now,
            next_attempt_at=delivery.earliest(intent.now, channel, intent.workdays, intent.alert),
            source_event_id=intent.source_event_id,
            correlation_id=intent.source_event_id,
            id=notification_id,
        )
    )
