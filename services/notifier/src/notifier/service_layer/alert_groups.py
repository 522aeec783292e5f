"""Grouped alerts (what the alert tick runs): queue the repeats that fell due, then send each
recipient ONE message per channel with every alert item that waited out the group wait.

Items are claimed FOR UPDATE SKIP LOCKED and marked in the transaction that stores the notification,
so any number of replicas send each item once. Inhibition is decided here, at sending time: the
province's violation often opens a moment after its communes' (the roll-up follows their reports),
and the group wait gives it the chance to mute them. It mutes a unit's item only for a recipient
who also hears of the province's condition (an operator is not told 99 times what the province
alert says); a commune's chairman still hears of his own unit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.clock import Clock
from notifier.adapters import alert_store
from notifier.adapters.directory import recipients_for
from notifier.adapters.messages import Messages
from notifier.domain.alerts import (
    BELOW_TARGET,
    RECOVERED,
    REPEAT,
    AlertPolicy,
    group_kind,
    inhibitor,
    silenced,
)
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.intents import AlertLine
from notifier.service_layer.alerts import queue_items
from notifier.service_layer.queueing import queue_intent

log = structlog.get_logger(__name__)


@dataclass
class AlertGroups:
    sessions: async_sessionmaker[AsyncSession]
    messages: Messages
    clock: Clock
    policy: AlertPolicy
    ack_url: Callable[[int, str], str]  # (violation id, recipient) → signed acknowledge link
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)

    async def repeat_due(self, batch: int = 100) -> int:
        """Queue a repeat for each open, unacknowledged violation whose interval passed."""
        async with self.sessions() as session, session.begin():
            now, queued = self.clock.now(), 0
            for v in await alert_store.due_repeats(session, now, batch):
                if silenced(v.acknowledged_status, v.last_status):
                    await alert_store.change(session, v.id, next_repeat_at=None)
                    continue
                repeats = v.repeats + 1
                # From now, not from when it was due: a notifier that was down sends one, not a burst.
                await alert_store.change(
                    session, v.id, repeats=repeats, next_repeat_at=self.policy.next_repeat(now)
                )
                queued += await queue_items(
                    session,
                    violation_id=v.id,
                    unit_code=v.unit_code,
                    indicator=v.indicator,
                    kind=REPEAT,
                    status=v.last_status,
                    snapshot=dict(v.snapshot),
                    cause=f"kpi-repeat:{v.id}:{repeats}",
                    now=now,
                    channels=self.delivery.channels,
                )
            return queued

    async def send_due(self, batch: int = 100) -> int:
        """One notification per recipient and channel whose first item waited the group wait."""
        async with self.sessions() as session, session.begin():
            now, sent = self.clock.now(), 0
            recipients = await alert_store.due_recipients(session, now - self.policy.group_wait, batch)
            if not recipients:
                return 0
            province = await alert_store.open_in(session, self.policy.province)
            told_of_province = {
                delivery
                for r in await recipients_for(
                    session, self.policy.province, BELOW_TARGET, enabled=self.delivery.channels
                )
                for delivery in r.deliveries()
            }
            for channel, address in recipients:
                items = await alert_store.claim_items(session, channel, address, now)
                if (channel, address) in told_of_province:
                    kept = [i for i in items if not await self._muted(session, i, province, now)]
                else:
                    kept = list(items)
                if kept:
                    await self._send(session, channel, address, kept, now)
                    sent += 1
            return sent

    async def _muted(self, session: AsyncSession, item: Any, province: Sequence[Any], now: datetime) -> bool:
        if item.kind == RECOVERED:
            return False
        by = inhibitor(item.unit_code, item.indicator, item.status, self.policy.province, list(province))
        if by is None:
            return False
        await alert_store.finish_items(session, [item.id], "inhibited", now)
        await alert_store.change(session, item.violation_id, inhibited_by=by.id, inhibited_at=now)
        log.info("alert muted by the province", unit=item.unit_code, indicator=item.indicator, by=by.id)
        return True

    async def _send(
        self, session: AsyncSession, channel: str, address: str, items: list[Any], now: datetime
    ) -> None:
        lines = [
            AlertLine(
                kind=i.kind,
                status=i.status,
                snapshot=i.snapshot,
                opened_at=i.opened_at,
                ack_url=self.ack_url(i.violation_id, address)
                if channel == "email" and i.kind != RECOVERED
                else None,
            )
            for i in items
        ]
        rendered = self.messages.alert_group(lines, items[0].recipient_name)
        key = f"kpi-group:{channel}:{address.lower()}:{items[0].id}"  # an item is in one group only
        notification_id = uuid.uuid5(uuid.NAMESPACE_URL, f"bdhvs:{key}")
        units = {i.unit_code for i in items}
        await queue_intent(
            session,
            channel,
            address,
            rendered,
            sms_keep_diacritics=self.delivery.keep_diacritics,
            idempotency_key=key,
            # Several units in one message: it is about the province's campaign as a whole.
            unit_code=units.pop() if len(units) == 1 else self.policy.province,
            kind=group_kind([i.kind for i in items]),
            now=now,
            source_event_id=notification_id,
            correlation_id=notification_id,
            quiet=self.delivery.quiet_hours,
            notification_id=notification_id,
        )
        await alert_store.finish_items(session, [i.id for i in items], "grouped", now, notification_id)
        for violation_id in {i.violation_id for i in items if i.kind in (BELOW_TARGET, REPEAT)}:
            # inhibited_by stays: the recipients it was muted for hear of it when the province changes
            await alert_store.change(session, violation_id, alerted_at=now)
