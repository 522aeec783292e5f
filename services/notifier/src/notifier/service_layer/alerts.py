"""Below-target alerts: keep each violation from opened to resolved, and queue what it owes people.

A KPI update is applied once (its id recorded as processed, same transaction, same statement) and
only if newer than the last one of its unit and indicator; one that changes nothing is skipped
without a transaction (`domain/consumer_memory.py`). What people should hear goes into the per-recipient
alert queue (service_layer/alert_queue.py); the alert tick (service_layer/alert_groups.py) sends
it grouped, after the group wait.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from bdhvs_shared.clock import Clock
from bdhvs_shared.events import AttainmentUpdated
from notifier.domain.alerts import (
    BELOW_TARGET,
    RECOVERED,
    REPEAT,
    AlertPolicy,
    Change,
    change,
    sends_recovery,
    silenced,
    worse,
)
from notifier.domain.consumer_memory import StatusMemory
from notifier.domain.records import AuditEntry, Violation
from notifier.service_layer.alert_queue import AlertNews, queue_items
from notifier.service_layer.ports import Stores, Transactions

CONSUMER = "notifier-kpi"


class AckResult(enum.Enum):
    DONE = "done"
    NOT_FOUND = "not_found"
    RESOLVED = "resolved"


@dataclass
class AlertService:
    transactions: Transactions
    clock: Clock
    policy: AlertPolicy
    channels: Collection[str] = ("email",)
    memory: StatusMemory = field(default_factory=StatusMemory)  # this process's, rebuilt from the database

    async def apply(self, event: AttainmentUpdated) -> int | None:
        """Apply a KPI update to the unit's violation; returns items queued, None for a redelivery.

        An update that changes nothing (`domain.consumer_memory.changes_nothing`) costs no transaction.
        """
        unit, indicator = event.unit_code, event.indicator
        if self.memory.skips(unit, indicator, event.sequence, event.status):
            return 0
        async with self.transactions() as stores:
            taken = await stores.take_update(
                CONSUMER, event.event_id, unit, indicator, event.status, event.sequence
            )
            if taken is None:
                return None
            if not taken.newer:
                return 0  # an older update arriving late: the newer one already decided
            queued = await self._apply(stores, event, taken.open)
        self.memory.learn(unit, indicator, event.status, event.sequence)  # committed
        return queued

    async def _apply(self, stores: Stores, event: AttainmentUpdated, current: Violation | None) -> int:
        now = self.clock.now()
        what = change(current.last_status if current else None, event.status)
        if what is Change.NONE:
            return 0
        if current is None:  # Change.OPEN
            return await self._open(stores, event, now)
        if what is Change.UPDATE:  # same bad status: fresher figures for the repeats
            await stores.violations.change(
                current.id, last_sequence=event.sequence, snapshot=event.model_dump(mode="json")
            )
            return 0
        # The status the queued alerts speak of is gone: they would say something untrue.
        await stores.alert_queue.cancel_pending(current.id, (BELOW_TARGET, REPEAT), now)
        if what is Change.CHANGE:
            queued = await self._change_status(stores, current, event, now)
        else:
            queued = await self._resolve(stores, current, event, now)
        if event.unit_code == self.policy.province:
            queued += await self._release(stores, current.id, event, now)
        return queued

    async def _open(self, stores: Stores, event: AttainmentUpdated, now: datetime) -> int:
        snapshot = event.model_dump(mode="json")
        violation_id = await stores.violations.open(
            Violation(
                id=0,
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
        )
        return await self._queue(stores, violation_id, event, BELOW_TARGET, now)

    async def _change_status(
        self, stores: Stores, current: Violation, event: AttainmentUpdated, now: datetime
    ) -> int:
        """at_risk ↔ off_track: alert again."""
        await stores.violations.change(
            current.id,
            last_sequence=event.sequence,
            last_status=event.status,
            worst_status=worse(current.worst_status, event.status),
            status_changed_at=now,
            acknowledged_status=None,  # an acknowledge holds for the status it saw
            next_repeat_at=self.policy.next_repeat(now),
            snapshot=event.model_dump(mode="json"),
        )
        return await self._queue(stores, current.id, event, BELOW_TARGET, now)

    async def _resolve(
        self, stores: Stores, current: Violation, event: AttainmentUpdated, now: datetime
    ) -> int:
        await stores.violations.change(
            current.id,
            last_sequence=event.sequence,
            resolved_at=now,
            resolved_status=event.status,
            status_changed_at=now,
            next_repeat_at=None,
            inhibited_by=None,
            snapshot=event.model_dump(mode="json"),
        )
        if sends_recovery(event.status, current.alerted_at is not None):
            return await self._queue(stores, current.id, event, RECOVERED, now)
        return 0

    async def _queue(
        self, stores: Stores, violation_id: int, event: AttainmentUpdated, kind: str, now: datetime
    ) -> int:
        cause = (
            f"kpi-recovered:{violation_id}"  # once per violation
            if kind == RECOVERED
            else f"kpi:{event.unit_code}:{event.indicator}:{event.sequence}:{event.status}"
        )
        news = AlertNews(
            violation_id,
            event.unit_code,
            event.indicator,
            kind,
            event.status,
            event.model_dump(mode="json"),
            cause,
        )
        return await queue_items(stores, news, now, self.channels)

    async def _release(
        self, stores: Stores, province_violation: int, event: AttainmentUpdated, now: datetime
    ) -> int:
        """The province's violation resolved or changed status: the units it muted and that no longer
        match get their alert now (their condition is news again), to those it was muted for."""
        queued = 0
        for muted in await stores.violations.muted_by(province_violation):
            if muted.last_status == event.status:
                continue  # still the province's status: still muted
            await stores.violations.change(
                muted.id, inhibited_by=None, next_repeat_at=self.policy.next_repeat(now)
            )
            news = AlertNews(
                muted.id,
                muted.unit_code,
                muted.indicator,
                BELOW_TARGET,
                muted.last_status,
                dict(muted.snapshot),
                f"kpi-released:{muted.id}:{province_violation}:{event.sequence}",
            )
            only = await stores.alert_queue.inhibited_deliveries(muted.id)
            queued += await queue_items(stores, news, now, self.channels, only)
        return queued

    async def acknowledge(self, violation_id: int, by: str, reason: str = "") -> AckResult:
        """Silence the repeats of an open violation until its status changes (idempotent); who and why go
        to the audit log in the same transaction."""
        async with self.transactions() as stores:
            current = await stores.violations.get(violation_id, lock=True)
            if current is None:
                return AckResult.NOT_FOUND
            if current.resolved_at is not None:
                return AckResult.RESOLVED
            if silenced(current.acknowledged_status, current.last_status):
                return AckResult.DONE  # already: the first acknowledge stands
            now = self.clock.now()
            await stores.violations.change(
                violation_id,
                acknowledged_by=by,
                acknowledged_at=now,
                acknowledged_status=current.last_status,
                next_repeat_at=None,
            )
            await stores.alert_queue.cancel_pending(violation_id, (REPEAT,), now)
            await stores.audit.record(
                AuditEntry(
                    actor=by,
                    action="violation.acknowledge",
                    entity="violation",
                    at=now,
                    entity_id=str(violation_id),
                    after={"status": current.last_status, "reason": reason},
                )
            )
            return AckResult.DONE
