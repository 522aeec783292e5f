"""What an alert owes people: one queued item per recipient and channel of the unit, sent later in
the recipient's group message (service_layer/alert_groups.py)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notifier.domain.alerts import idempotency_key
from notifier.domain.records import NewAlertItem
from notifier.service_layer.ports import Stores


@dataclass(frozen=True)
class AlertNews:
    """What to tell of one violation, and why (the cause makes the items' idempotency keys)."""

    violation_id: int
    unit_code: str
    indicator: str
    kind: str
    status: str
    snapshot: dict[str, Any]
    cause: str


async def queue_items(
    stores: Stores,
    news: AlertNews,
    now: datetime,
    channels: Collection[str],
    only: Collection[tuple[str, str]] | None = None,
) -> int:
    """One pending item per recipient and channel of the unit for this kind (or only those of
    `only`, (channel, address) pairs); returns how many."""
    queued = 0
    recipients = await stores.directory.recipients_for(news.unit_code, news.kind, enabled=channels)
    for recipient in recipients:
        for channel, address in recipient.deliveries():
            if only is not None and (channel, address) not in only:
                continue
            queued += await stores.alert_queue.add(
                NewAlertItem(
                    violation_id=news.violation_id,
                    kind=news.kind,
                    unit_code=news.unit_code,
                    indicator=news.indicator,
                    status=news.status,
                    channel=channel,
                    address=address,
                    recipient_name=recipient.contact.name,
                    snapshot=news.snapshot,
                    idempotency_key=idempotency_key(news.cause, channel, address),
                    due_at=now,
                )
            )
    return queued
