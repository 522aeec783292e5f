"""From a stored notification to what goes out: the message for its channel, the event of its outcome."""

from __future__ import annotations

from datetime import datetime

from bdhvs_shared.events import Event, NotificationFailed, NotificationSent, subjects
from notifier.domain.channel import DeliveryFailure, OutgoingMessage, TransientFailure
from notifier.domain.records import Notification


def outgoing(r: Notification) -> OutgoingMessage:
    return OutgoingMessage(
        notification_id=r.id,
        idempotency_key=r.idempotency_key,
        unit_code=r.unit_code,
        kind=r.kind,
        recipient=r.recipient,
        subject=r.subject,
        text=r.body_text,
        html=r.body_html,
        created_at=r.created_at,
    )


def sent_event(r: Notification, now: datetime) -> tuple[Event, str]:
    event = NotificationSent.new(
        producer="notifier",
        correlation_id=r.correlation_id,
        occurred_at=now,
        notification_id=r.id,
        unit_code=r.unit_code,
        kind=r.kind,
        channel=r.channel,
        recipient=r.recipient,
    )
    return event, subjects.notification_sent(r.unit_code)


def failed_event(
    r: Notification, now: datetime, attempts: int, failure: DeliveryFailure
) -> tuple[Event, str]:
    event = NotificationFailed.new(
        producer="notifier",
        correlation_id=r.correlation_id,
        occurred_at=now,
        notification_id=r.id,
        unit_code=r.unit_code,
        kind=r.kind,
        channel=r.channel,
        recipient=r.recipient,
        attempts=attempts,
        reason=failure.reason[:500],
        permanent=not isinstance(failure, TransientFailure),
    )
    return event, subjects.notification_failed(r.unit_code)
