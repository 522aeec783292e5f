"""In-memory fakes of the notifier's ports (`notifier.service_layer.ports`), for fast unit tests.

The same behaviour as the PostgreSQL adapters (tests/integration/test_notifier_*_store.py and
test_notifier_alert_queue.py run the same assertions on both): unique keys make a second intent or
item a no-op, claims come oldest first, and a transaction is all or nothing (the stores work on a
copy, kept only when the block ends normally). Locks are not modelled: one test, one writer.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import uuid
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bdhvs_shared.events import Event
from notifier.domain.alerts import OpenViolation, is_newer
from notifier.domain.directory import ContactFields, StoredContact
from notifier.domain.ledger import OVERDUE, DueItem
from notifier.domain.records import (
    AlertItem,
    Arrival,
    AuditEntry,
    LedgerDone,
    LedgerRow,
    NewAlertItem,
    NewNotification,
    Notification,
    TakenUpdate,
    Violation,
)
from notifier.domain.routing import Recipient, Rule, route
from notifier.service_layer.ports import Stores


@dataclass
class FakeLastStatuses:
    rows: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)

    async def get(self, unit_code: str, indicator: str) -> tuple[str, int] | None:
        return self.rows.get((unit_code, indicator))

    async def save(self, unit_code: str, indicator: str, status: str, sequence: int) -> None:
        self.rows[(unit_code, indicator)] = (status, sequence)


@dataclass
class FakeViolations:
    rows: dict[int, Violation] = field(default_factory=dict)
    next_id: int = 1

    def _open(self) -> list[Violation]:
        return [v for v in sorted(self.rows.values(), key=lambda v: v.id) if v.resolved_at is None]

    async def open_for(self, unit_code: str, indicator: str) -> Violation | None:
        return next((v for v in self._open() if (v.unit_code, v.indicator) == (unit_code, indicator)), None)

    async def get(self, violation_id: int, *, lock: bool = False) -> Violation | None:
        return self.rows.get(violation_id)

    async def open(self, violation: Violation) -> int:
        if await self.open_for(violation.unit_code, violation.indicator) is not None:
            raise ValueError("uq_violations_open: one open violation per unit and indicator")
        new = dataclasses.replace(violation, id=self.next_id)
        self.rows[new.id], self.next_id = new, self.next_id + 1
        return new.id

    async def change(self, violation_id: int, **values: object) -> None:
        if violation_id in self.rows:
            self.rows[violation_id] = dataclasses.replace(self.rows[violation_id], **values)  # type: ignore[arg-type]

    async def open_in(self, unit_code: str) -> list[OpenViolation]:
        return [
            OpenViolation(v.id, v.unit_code, v.indicator, v.last_status)
            for v in self._open()
            if v.unit_code == unit_code
        ]

    async def muted_by(self, inhibitor_id: int) -> list[Violation]:
        return [v for v in self._open() if v.inhibited_by == inhibitor_id]

    async def due_repeats(self, now: datetime, limit: int) -> list[Violation]:
        due = [v for v in self._open() if v.next_repeat_at is not None and v.next_repeat_at <= now]
        return sorted(due, key=lambda v: (v.next_repeat_at, v.id))[:limit]


@dataclass
class QueuedItem:
    id: int
    item: NewAlertItem
    state: str = "pending"  # pending, grouped, cancelled, inhibited
    done_at: datetime | None = None
    notification_id: uuid.UUID | None = None


@dataclass
class FakeAlertQueue:
    violations: FakeViolations  # claimed items carry their violation's opening
    rows: dict[int, QueuedItem] = field(default_factory=dict)

    def _pending(self) -> list[QueuedItem]:
        return sorted(
            (q for q in self.rows.values() if q.state == "pending"), key=lambda q: (q.item.due_at, q.id)
        )

    async def add(self, item: NewAlertItem) -> bool:
        if any(q.item.idempotency_key == item.idempotency_key for q in self.rows.values()):
            return False
        new_id = len(self.rows) + 1
        self.rows[new_id] = QueuedItem(new_id, item)
        return True

    async def cancel_pending(self, violation_id: int, kinds: Collection[str], now: datetime) -> None:
        for q in self._pending():
            if q.item.violation_id == violation_id and q.item.kind in kinds:
                q.state, q.done_at = "cancelled", now

    async def due_recipients(self, waited_since: datetime, limit: int) -> list[tuple[str, str]]:
        first: dict[tuple[str, str], datetime] = {}
        for q in self._pending():  # by due time: the first seen is the oldest
            first.setdefault((q.item.channel, q.item.address), q.item.due_at)
        return [k for k, due in first.items() if due <= waited_since][:limit]

    async def claim(self, channel: str, address: str, now: datetime) -> list[AlertItem]:
        return [
            AlertItem(
                q.id,
                i.violation_id,
                i.kind,
                i.unit_code,
                i.indicator,
                i.status,
                i.recipient_name,
                i.snapshot,
                self.violations.rows[i.violation_id].opened_at,
            )
            for q in self._pending()
            if ((i := q.item).channel, i.address) == (channel, address) and i.due_at <= now
        ]

    async def inhibited_deliveries(self, violation_id: int) -> set[tuple[str, str]]:
        return {
            (q.item.channel, q.item.address)
            for q in self.rows.values()
            if q.item.violation_id == violation_id and q.state == "inhibited"
        }

    async def finish(
        self, ids: Sequence[int], state: str, now: datetime, notification_id: uuid.UUID | None = None
    ) -> None:
        for i in ids:
            self.rows[i].state, self.rows[i].done_at, self.rows[i].notification_id = (
                state,
                now,
                notification_id,
            )


@dataclass
class LedgerEntry:
    row: LedgerRow
    note: str | None = None
    recipients: int = 0
    done_at: datetime | None = None


@dataclass
class FakeLedger:
    rows: dict[tuple[str, str, str, str], LedgerEntry] = field(default_factory=dict)
    arrived: dict[tuple[str, str, str], bool] = field(default_factory=dict)  # (form, period, unit) → on time
    started: datetime | None = None

    async def first_start(self, now: datetime) -> datetime:
        if self.started is None:
            self.started = now
        return self.started

    def _new(self, item: DueItem, status: str) -> LedgerEntry:
        row = LedgerRow(**dataclasses.asdict(item), id=len(self.rows) + 1, status=status)
        entry = self.rows[(item.form, item.period, item.unit_code, item.kind)] = LedgerEntry(row)
        return entry

    async def add_planned(self, items: Sequence[DueItem], now: datetime) -> int:
        new = [i for i in items if (i.form, i.period, i.unit_code, i.kind) not in self.rows]
        for item in new:
            self._new(item, "pending")
        return len(new)

    async def cancel(self, items: Sequence[DueItem], now: datetime, note: str) -> list[str]:
        cancelled = []
        for item in items:
            entry = self.rows.get((item.form, item.period, item.unit_code, item.kind))
            if entry is None:
                entry = self._new(item, "pending")
            if entry.row.status == "pending":
                entry.row = dataclasses.replace(entry.row, status="cancelled")
                entry.note, entry.done_at = note, now
                cancelled.append(item.kind)
        return cancelled

    async def claim_due(self, now: datetime, limit: int) -> list[LedgerRow]:
        due = [e.row for e in self.rows.values() if e.row.status == "pending" and e.row.due_at <= now]
        return sorted(due, key=lambda r: (r.due_at, r.id))[:limit]

    async def finish(self, done: Sequence[LedgerDone], now: datetime) -> None:
        for end in done:
            entry = next(e for e in self.rows.values() if e.row.id == end.row_id)
            entry.row = dataclasses.replace(entry.row, status=end.status)
            entry.note, entry.recipients, entry.done_at = end.note, end.recipients, now

    async def overdue_units(self, form: str, period: str) -> tuple[list[str], int]:
        rows = sorted(
            (
                e.row
                for e in self.rows.values()
                if (e.row.form, e.row.period, e.row.kind) == (form, period, OVERDUE)
            ),
            key=lambda r: r.unit_code,
        )
        return [r.unit_code for r in rows if r.status != "cancelled"], len(rows)

    async def record_arrival(
        self, form: str, period: str, unit_code: str, received_at: datetime, on_time: bool
    ) -> None:
        self.arrived.setdefault((form, period, unit_code), on_time)

    async def arrivals(self, form: str, period: str) -> dict[str, bool]:
        out = {u: on_time for (f, p, u), on_time in self.arrived.items() if (f, p) == (form, period)}
        for e in self.rows.values():
            if (e.row.form, e.row.period, e.row.status) == (form, period, "cancelled"):
                out.setdefault(e.row.unit_code, True)
        return out

    async def pending_by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.rows.values():
            if e.row.status == "pending":
                out[e.row.kind] = out.get(e.row.kind, 0) + 1
        return out


NOTIFICATION_FIELDS = {f.name for f in dataclasses.fields(Notification)}
MARKABLE = {
    "status",
    "attempts",
    "last_error",
    "sent_at",
    "next_attempt_at",
    "provider_message_id",
    "failed_at",
}


@dataclass
class FakeNotifications:
    rows: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)  # the delivery log's columns

    async def add(self, notification: NewNotification) -> None:
        if any(r["idempotency_key"] == notification.idempotency_key for r in self.rows.values()):
            return
        row = {**dataclasses.asdict(notification), "id": notification.id or uuid.uuid4()}
        self.rows[row["id"]] = {**row, "status": "pending", "attempts": 0}

    async def claim_next(self, channel: str, now: datetime) -> Notification | None:
        due = [
            r
            for r in self.rows.values()
            if r["status"] == "pending" and r["channel"] == channel and r["next_attempt_at"] <= now
        ]
        if not due:
            return None
        first = min(due, key=lambda r: (r["next_attempt_at"], r["created_at"]))
        return Notification(**{k: v for k, v in first.items() if k in NOTIFICATION_FIELDS})

    async def any_due(self, channel: str, now: datetime) -> bool:
        return await self.claim_next(channel, now) is not None  # this fake's claim locks nothing

    async def mark(self, notification_id: uuid.UUID, **values: object) -> None:
        if unknown := set(values) - MARKABLE:
            raise TypeError(f"not a column of the delivery log: {sorted(unknown)}")
        self.rows[notification_id].update(values)

    async def record_receipt(
        self, notification_id: uuid.UUID, state: str, at: datetime, provider_message_id: str | None
    ) -> bool:
        row = self.rows.get(notification_id)
        if row is None or row["channel"] != "sms" or row["status"] != "sent":
            return False
        if provider_message_id and row.get("provider_message_id") not in (None, provider_message_id):
            return False
        row.update(delivery_status=state, delivery_reported_at=at)
        return True


@dataclass
class FakeDirectory:
    people: dict[int, StoredContact] = field(default_factory=dict)
    routing: list[Rule] = field(default_factory=list)
    next_id: int = 1

    async def recipients_for(self, unit_code: str, kind: str, *, enabled: Collection[str]) -> list[Recipient]:
        rules = [r for r in self.routing if r.kind == kind]
        roles = {r.role for r in rules}
        found = [
            c.as_contact()
            for c in sorted(self.people.values(), key=lambda c: c.id)
            if c.fields.unit_code == unit_code and c.fields.active and c.fields.role in roles
        ]
        return route(rules, found, enabled) if rules else []

    async def preload(self, unit_codes: Collection[str]) -> None:
        pass  # every contact is at hand already

    async def rules(self) -> list[Rule]:
        return sorted(self.routing, key=lambda r: (r.kind, r.tier, r.role))

    async def replace_rules(self, rules: Sequence[Rule]) -> None:
        self.routing = list(rules)

    async def has_rules(self) -> bool:
        return bool(self.routing)

    async def lock_rules(self) -> None:
        return None

    async def contacts(self) -> list[StoredContact]:
        return sorted(self.people.values(), key=lambda c: (c.fields.unit_code, c.fields.role, c.id))

    async def contact(self, contact_id: int, *, lock: bool = False) -> StoredContact | None:
        return self.people.get(contact_id)

    async def add_contact(self, fields: ContactFields, now: datetime) -> StoredContact:
        stored = self.people[self.next_id] = StoredContact(self.next_id, fields)
        self.next_id += 1
        return stored

    async def update_contact(self, contact_id: int, fields: ContactFields, now: datetime) -> StoredContact:
        stored = self.people[contact_id] = StoredContact(contact_id, fields)
        return stored

    async def replace_contacts(self, rows: Sequence[ContactFields], now: datetime) -> None:
        self.people = {}
        for fields in rows:
            await self.add_contact(fields, now)


@dataclass
class FakeAuditLog:
    entries: list[AuditEntry] = field(default_factory=list)

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


@dataclass
class FakeStores:
    last_statuses: FakeLastStatuses = field(default_factory=FakeLastStatuses)
    violations: FakeViolations = field(default_factory=FakeViolations)
    alert_queue: FakeAlertQueue = field(init=False)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    notifications: FakeNotifications = field(default_factory=FakeNotifications)
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    processed: set[tuple[str, uuid.UUID]] = field(default_factory=set)
    outbox: list[tuple[Event, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.alert_queue = FakeAlertQueue(self.violations)

    async def first_time(self, consumer: str, event_id: uuid.UUID) -> bool:
        new = (consumer, event_id) not in self.processed
        self.processed.add((consumer, event_id))
        return new

    async def stage(self, events: Sequence[tuple[Event, str]]) -> None:
        self.outbox += events

    async def take_update(
        self, consumer: str, event_id: uuid.UUID, unit_code: str, indicator: str, status: str, sequence: int
    ) -> TakenUpdate | None:
        if not await self.first_time(consumer, event_id):
            return None
        stored = await self.last_statuses.get(unit_code, indicator)
        if not is_newer(stored[1] if stored else None, sequence):
            return TakenUpdate(newer=False)
        await self.last_statuses.save(unit_code, indicator, status, sequence)
        return TakenUpdate(newer=True, open=await self.violations.open_for(unit_code, indicator))

    async def take_report(
        self,
        consumer: str,
        event_id: uuid.UUID,
        arrival: Arrival,
        items: Sequence[DueItem],
        now: datetime,
        note: str,
    ) -> list[str] | None:
        if not await self.first_time(consumer, event_id):
            return None
        a = arrival
        await self.ledger.record_arrival(a.form, a.period, a.unit_code, a.received_at, a.on_time)
        return await self.ledger.cancel(items, now, note)


class FakeDatabase:
    """`Transactions` in memory: `committed` is what a new transaction sees."""

    def __init__(self) -> None:
        self.committed = FakeStores()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Stores]:
        working = copy.deepcopy(self.committed)
        yield working
        self.committed = working  # not reached when the block raises: a rollback
