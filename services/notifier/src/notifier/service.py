"""The notifier use cases: turn KPI updates into notification intents; deliver them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.clock import Clock
from bdhvs_shared.db.idempotency import first_time
from bdhvs_shared.events import AttainmentUpdated
from notifier.adapters import store
from notifier.adapters.directory import recipients_for
from notifier.adapters.tables import processed_events
from notifier.domain.alert_policy import idempotency_key, is_newer, should_alert
from notifier.messages import Messages
from notifier.queueing import queue_to_recipient

CONSUMER = "notifier-kpi"


@dataclass
class AlertService:
    sessions: async_sessionmaker[AsyncSession]
    messages: Messages
    clock: Clock
    channels: Collection[str] = ("email",)
    sms_keep_diacritics: bool = False

    async def apply(self, event: AttainmentUpdated) -> int | None:
        """Record the status; queue alerts for a change into a bad status.

        Returns how many notifications were queued, or None for a redelivery.
        """
        async with self.sessions() as session, session.begin():
            if not await first_time(session, processed_events, CONSUMER, event.event_id):
                return None
            state = await store.last_state(session, event.unit_code, event.indicator)
            if not is_newer(state[1] if state else None, event.sequence):
                return 0  # an older update arriving late: the newer one already decided
            await store.save_state(session, event.unit_code, event.indicator, event.status, event.sequence)
            if not should_alert(state[0] if state else None, event.status):
                return 0
            queued, now = 0, self.clock.now()
            for recipient in await recipients_for(
                session, event.unit_code, "kpi_below_target", enabled=self.channels
            ):
                rendered = self.messages.below_target(event, recipient.contact.name)
                queued += await queue_to_recipient(
                    session,
                    recipient,
                    rendered,
                    sms_keep_diacritics=self.sms_keep_diacritics,
                    key=lambda channel, address: idempotency_key(
                        event.unit_code, event.indicator, event.sequence, event.status, channel, address
                    ),
                    unit_code=event.unit_code,
                    kind="kpi_below_target",
                    now=now,
                    source_event_id=event.event_id,
                    correlation_id=event.correlation_id,
                )
            return queued
