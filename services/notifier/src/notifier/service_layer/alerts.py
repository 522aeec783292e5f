"""Below-target alerts: keep each violation from opened to resolved, and queue what it owes people.

A KPI update is applied once (its id in processed_events, same transaction) and only if newer than
the last one of its unit and indicator. What people should hear goes into the per-recipient alert
queue; the alert tick (service_layer/alert_groups.py) sends it grouped, after the group wait.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.clock import Clock
from bdhvs_shared.db.idempotency import first_time
from bdhvs_shared.events import AttainmentUpdated
from notifier.adapters import alert_store, audit, store
from notifier.adapters.directory import recipients_for
from notifier.adapters.tables import processed_events
from notifier.domain.alerts import (
    BELOW_TARGET,
    RECOVERED,
    REPEAT,
    AlertPolicy,
    Change,
    change,
    idempotency_key,
    is_newer,
    sends_recovery,
    silenced,
    worse,
)

CONSUMER = "notifier-kpi"


class AckResult(enum.Enum):
    DONE = "done"
    NOT_FOUND = "not_found"
    RESOLVED = "resolved"


async def queue_items(
    session: AsyncSession,
    *,
    violation_id: int,
    unit_code: str,
    indicator: str,
    kind: str,
    status: str,
    snapshot: dict[str, Any],
    cause: str,
    now: datetime,
    channels: Collection[str],
    only: Collection[tuple[str, str]] | None = None,
) -> int:
    """One pending item per recipient and channel of the unit for this kind (or only those of
    `only`, (channel, address) pairs); returns how many."""
    queued = 0
    for recipient in await recipients_for(session, unit_code, kind, enabled=channels):
        for channel, address in recipient.deliveries():
            if only is not None and (channel, address) not in only:
                continue
            queued += await alert_store.add_item(
                session,
                violation_id=violation_id,
                kind=kind,
                unit_code=unit_code,
                indicator=indicator,
                status=status,
                channel=channel,
                address=address,
                recipient_name=recipient.contact.name,
                snapshot=snapshot,
                idempotency_key=idempotency_key(cause, channel, address),
                due_at=now,
                created_at=now,
            )
    return queued


@dataclass
class AlertService:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    channels: Collection[str] = ("email",)

    async def apply(self, event: AttainmentUpdated) -> int | None:
        """Apply a KPI update to the unit's violation; returns items queued, None for a redelivery."""
        async with self.sessions() as session, session.begin():
            if not await first_time(session, processed_events, CONSUMER, event.event_id):
                return None
            state = await store.last_state(session, event.unit_code, event.indicator)
            if not is_newer(state[1] if state else None, event.sequence):
                return 0  # an older update arriving late: the newer one already decided
            await store.save_state(session, event.unit_code, event.indicator, event.status, event.sequence)
            return await self._apply(session, event)

    async def _apply(self, session: AsyncSession, event: AttainmentUpdated) -> int:
        now, snapshot = self.clock.now(), event.model_dump(mode="json")
        current = await alert_store.open_violation(session, event.unit_code, event.indicator)
        what = change(current.last_status if current else None, event.status)
        if what is Change.NONE:
            return 0
        if current is None:  # Change.OPEN
            violation_id = await alert_store.open_new(
                session,
                unit_code=event.unit_code,
                indicator=event.indicator,
                opened_at=now,
                opened_sequence=event.sequence,
                last_sequence=event.sequence,
                worst_status=event.status,
                last_status=event.status,
                status_changed_at=now,
                next_repeat_at=self.policy.next_repeat(now),
                snapshot=snapshot,
            )
            return await self._queue(session, violation_id, event, BELOW_TARGET, snapshot, now)
        if what is Change.UPDATE:  # same bad status: fresher figures for the repeats
            await alert_store.change(session, current.id, last_sequence=event.sequence, snapshot=snapshot)
            return 0
        # The status the queued alerts speak of is gone: they would say something untrue.
        await alert_store.cancel_pending(session, current.id, (BELOW_TARGET, REPEAT), now)
        if what is Change.CHANGE:
            await alert_store.change(
                session,
                current.id,
                last_sequence=event.sequence,
                last_status=event.status,
                worst_status=worse(current.worst_status, event.status),
                status_changed_at=now,
                acknowledged_status=None,  # an acknowledge holds for the status it saw
                next_repeat_at=self.policy.next_repeat(now),
                snapshot=snapshot,
            )
            queued = await self._queue(session, current.id, event, BELOW_TARGET, snapshot, now)
        else:  # Change.RESOLVE
            await alert_store.change(
                session,
                current.id,
                last_sequence=event.sequence,
                resolved_at=now,
                resolved_status=event.status,
                status_changed_at=now,
                next_repeat_at=None,
                inhibited_by=None,
                snapshot=snapshot,
            )
            queued = 0
            if sends_recovery(event.status, current.alerted_at is not None):
                queued = await self._queue(session, current.id, event, RECOVERED, snapshot, now)
        if event.unit_code == self.policy.province:
            queued += await self._release(session, current.id, event, now)
        return queued

    async def _queue(
        self,
        session: AsyncSession,
        violation_id: int,
        event: AttainmentUpdated,
        kind: str,
        snapshot: dict[str, Any],
        now: datetime,
    ) -> int:
        cause = (
            f"kpi-recovered:{violation_id}"  # once per violation
            if kind == RECOVERED
            else f"kpi:{event.unit_code}:{event.indicator}:{event.sequence}:{event.status}"
        )
        return await queue_items(
            session,
            violation_id=violation_id,
            unit_code=event.unit_code,
            indicator=event.indicator,
            kind=kind,
            status=event.status,
            snapshot=snapshot,
            cause=cause,
            now=now,
            channels=self.channels,
        )

    async def _release(
        self, session: AsyncSession, province_violation: int, event: AttainmentUpdated, now: datetime
    ) -> int:
        """The province's violation resolved or changed status: the units it muted and that no longer
        match get their alert now (their condition is news again), to those it was muted for."""
        queued = 0
        for muted in await alert_store.muted_by(session, province_violation):
            if muted.last_status == event.status:
                continue  # still the province's status: still muted
            await alert_store.change(
                session, muted.id, inhibited_by=None, next_repeat_at=self.policy.next_repeat(now)
            )
            queued += await queue_items(
                session,
                violation_id=muted.id,
                unit_code=muted.unit_code,
                indicator=muted.indicator,
                kind=BELOW_TARGET,
                status=muted.last_status,
                snapshot=dict(muted.snapshot),
                cause=f"kpi-released:{muted.id}:{province_violation}:{event.sequence}",
                now=now,
                channels=self.channels,
                only=await alert_store.inhibited_deliveries(session, muted.id),
            )
        return queued

    async def acknowledge(self, violation_id: int, by: str, reason: str = "") -> AckResult:
        """Silence the repeats of an open violation until its status changes (idempotent); who and why go
        to the audit log in the same transaction."""
        async with self.sessions() as session, session.begin():
            current = await alert_store.violation(session, violation_id, lock=True)
            if current is None:
                return AckResult.NOT_FOUND
            if current.resolved_at is not None:
                return AckResult.RESOLVED
            if silenced(current.acknowledged_status, current.last_status):
                return AckResult.DONE  # already: the first acknowledge stands
            now = self.clock.now()
            await alert_store.change(
                session,
                violation_id,
                acknowledged_by=by,
                acknowledged_at=now,
                acknowledged_status=current.last_status,
                next_repeat_at=None,
            )
            await alert_store.cancel_pending(session, violation_id, (REPEAT,), now)
            await audit.record(
                session,
                actor=by,
                action="violation.acknowledge",
                entity="violation",
                entity_id=str(violation_id),
                at=now,
                after={"status": current.last_status, "reason": reason},
            )
            return AckResult.DONE
