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

import structlog

from bdhvs_shared.clock import Clock
from notifier.adapters.messages import Messages
from notifier.domain.alerts import (
    BELOW_TARGET,
    RECOVERED,
    REPEAT,
    AlertPolicy,
    OpenViolation,
    group_kind,
    inhibitor,
    silenced,
)
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.intents import AlertLine
from notifier.domain.records import AlertItem
from notifier.service_layer.alert_queue import AlertNews, queue_items
from notifier.service_layer.ports import Stores, Transactions
from notifier.service_layer.queueing import Intent, queue_intent

log = structlog.get_logger(__name__)

BATCH = 100  # violations repeated, and recipients grouped, per transaction


@dataclass
class AlertGroups:
    transactions: Transactions
    messages: Messages
    clock: Clock
    policy: AlertPolicy
    ack_url: Callable[[int, str], str]  # (violation id, recipient) → signed acknowledge link
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)

    async def repeat_due(self, batch: int = BATCH) -> int:
        """Queue a repeat for each open, unacknowledged violation whose interval passed (at most `batch`
        of them). Returns how many violations it handled."""
        async with self.transactions() as stores:
            now = self.clock.now()
            due = await stores.violations.due_repeats(now, batch)
            await stores.directory.preload({v.unit_code for v in due})
            for v in due:
                if silenced(v.acknowledged_status, v.last_status):
                    await stores.violations.change(v.id, next_repeat_at=None)
                    continue
                repeats = v.repeats + 1
                # From now, not from when it was due: a notifier that was down sends one, not a burst.
                await stores.violations.change(
                    v.id, repeats=repeats, next_repeat_at=self.policy.next_repeat(now)
                )
                cause = f"kpi-repeat:{v.id}:{repeats}"
                news = AlertNews(
                    v.id, v.unit_code, v.indicator, REPEAT, v.last_status, dict(v.snapshot), cause
                )
                await queue_items(stores, news, now, self.delivery.channels)
            return len(due)

    async def send_due(self, batch: int = BATCH) -> int:
        """One notification per recipient and channel whose first item waited the group wait (at most
        `batch` of them). Returns how many it handled (sent, or every item muted by the province)."""
        async with self.transactions() as stores:
            now = self.clock.now()
            recipients = await stores.alert_queue.due_recipients(now - self.policy.group_wait, batch)
            if not recipients:
                return 0
            province = await stores.violations.open_in(self.policy.province)
            told_of_province = {
                delivery
                for r in await stores.directory.recipients_for(
                    self.policy.province, BELOW_TARGET, enabled=self.delivery.channels
                )
                for delivery in r.deliveries()
            }
            for channel, address in recipients:
                items = await stores.alert_queue.claim(channel, address, now)
                if (channel, address) in told_of_province:
                    items = [i for i in items if not await self._muted(stores, i, province, now)]
                if items:
                    await self._send(stores, channel, address, items, now)
            return len(recipients)

    async def _muted(
        self, stores: Stores, item: AlertItem, province: Sequence[OpenViolation], now: datetime
    ) -> bool:
        if item.kind == RECOVERED:
            return False
        by = inhibitor(item.unit_code, item.indicator, item.status, self.policy.province, list(province))
        if by is None:
            return False
        await stores.alert_queue.finish([item.id], "inhibited", now)
        await stores.violations.change(item.violation_id, inhibited_by=by.id, inhibited_at=now)
        log.info("alert muted by the province", unit=item.unit_code, indicator=item.indicator, by=by.id)
        return True

    async def _send(
        self, stores: Stores, channel: str, address: str, items: list[AlertItem], now: datetime
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
        # Several units in one message: it is about the province's campaign as a whole.
        unit_code = units.pop() if len(units) == 1 else self.policy.province
        kind, workdays = group_kind([i.kind for i in items]), self.messages.catalogue.workdays
        intent = Intent(rendered, unit_code, kind, notification_id, now, workdays, alert=True)
        await queue_intent(stores, channel, address, intent, self.delivery, key, notification_id)
        await stores.alert_queue.finish([i.id for i in items], "grouped", now, notification_id)
        for violation_id in {i.violation_id for i in items if i.kind in (BELOW_TARGET, REPEAT)}:
            # inhibited_by stays: the recipients it was muted for hear of it when the province changes
            await stores.violations.change(violation_id, alerted_at=now)
