"""The notifier's ports: what its use cases need from storage and the bus, as Protocols.

One transaction hands out every store (`Stores`): the alert side (the last status per unit and
indicator, the violations, the per-recipient alert queue), the deadline ledger, the notifications
(intents the dispatchers send), the contact directory with its routing rules, the audit log, and the
idempotency record and the outbox. The PostgreSQL adapters are in `notifier.adapters` (`stores.py`
opens the transaction); the in-memory fakes are tests/support/notifier_fakes.py, and
tests/integration/test_notifier_*_store.py run the same assertions on both. Every method hands typed
records (`domain/records.py`, domain types), never database rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol
from uuid import UUID

from bdhvs_shared.events import Event
from notifier.domain.alerts import OpenViolation
from notifier.domain.directory import ContactFields, StoredContact
from notifier.domain.ledger import DueItem
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
from notifier.domain.routing import Recipient, Rule


class LastStatuses(Protocol):
    async def get(self, unit_code: str, indicator: str) -> tuple[str, int] | None:
        """The last status seen and its sequence, locked for this transaction."""

    async def save(self, unit_code: str, indicator: str, status: str, sequence: int) -> None: ...


class Violations(Protocol):
    async def open_for(self, unit_code: str, indicator: str) -> Violation | None:
        """The unit's open violation of the indicator, locked for this transaction."""

    async def get(self, violation_id: int, *, lock: bool = False) -> Violation | None: ...

    async def open(self, violation: Violation) -> int:
        """Store a new open violation (its `id` is ignored); returns its id."""

    async def change(self, violation_id: int, **values: object) -> None:
        """Set some fields (names of `Violation`)."""

    async def open_in(self, unit_code: str) -> list[OpenViolation]:
        """The unit's open violations (what inhibition needs of them)."""

    async def muted_by(self, inhibitor_id: int) -> list[Violation]:
        """Open violations the given (province) violation mutes, by id, locked."""

    async def due_repeats(self, now: datetime, limit: int) -> list[Violation]:
        """Open violations whose repeat is due, by due time; replicas share them (SKIP LOCKED)."""


class AlertQueue(Protocol):
    async def add(self, item: NewAlertItem) -> bool:
        """Queue an item; its idempotency key makes a second one a no-op. True when added."""

    async def cancel_pending(self, violation_id: int, kinds: Collection[str], now: datetime) -> None:
        """Pending items of these kinds that a newer status makes wrong."""

    async def due_recipients(self, waited_since: datetime, limit: int) -> list[tuple[str, str]]:
        """(channel, address) whose oldest pending item was due by `waited_since`, oldest first."""

    async def claim(self, channel: str, address: str, now: datetime) -> list[AlertItem]:
        """A recipient's pending items due by `now`, by due time, locked (SKIP LOCKED)."""

    async def inhibited_deliveries(self, violation_id: int) -> set[tuple[str, str]]:
        """The (channel, address) pairs a violation's alert was muted for."""

    async def finish(
        self, ids: Sequence[int], state: str, now: datetime, notification_id: UUID | None = None
    ) -> None:
        """Items leave the queue: grouped (into `notification_id`), inhibited or cancelled."""


class Ledger(Protocol):
    async def first_start(self, now: datetime) -> datetime:
        """The moment the ledger first planned: stored as `now` by the first call, kept after."""

    async def add_planned(self, items: Sequence[DueItem], now: datetime) -> int:
        """Add what is not in the ledger yet (a row already there stays); returns how many."""

    async def cancel(self, items: Sequence[DueItem], now: datetime, note: str) -> list[str]:
        """Pending rows become cancelled, missing rows are created cancelled; the kinds cancelled."""

    async def claim_due(self, now: datetime, limit: int) -> list[LedgerRow]:
        """Pending rows due by `now`, oldest first, locked (SKIP LOCKED)."""

    async def finish(self, done: Sequence[LedgerDone], now: datetime) -> None:
        """Store how each of these claimed rows ended (one statement for a tick's rows)."""

    async def overdue_units(self, form: str, period: str) -> tuple[list[str], int]:
        """(units whose report is missing, units expected), by the overdue rows."""

    async def record_arrival(
        self, form: str, period: str, unit_code: str, received_at: datetime, on_time: bool
    ) -> None:
        """The first revision's arrival counts."""

    async def arrivals(self, form: str, period: str) -> dict[str, bool]:
        """unit → on time, of every unit that reported (or whose rows a report cancelled: on time)."""

    async def pending_by_kind(self) -> dict[str, int]: ...


class Notifications(Protocol):
    async def add(self, notification: NewNotification) -> None:
        """Store an intent, pending; a second with the same idempotency key is a no-op."""

    async def claim_next(self, channel: str, now: datetime) -> Notification | None:
        """The oldest pending notification of `channel` due by `now`, locked (SKIP LOCKED)."""

    async def any_due(self, channel: str, now: datetime) -> bool:
        """Whether a pending notification of `channel` is due by `now` (locked or not)."""

    async def mark(self, notification_id: UUID, **values: object) -> None:
        """Set some columns of the delivery log (status, attempts, sent_at, last_error…)."""

    async def record_receipt(
        self, notification_id: UUID, state: str, at: datetime, provider_message_id: str | None
    ) -> bool:
        """The gateway's delivery report on a sent SMS (its SMSID must match the one stored, when
        given); False when there is no such sent SMS."""


class Directory(Protocol):
    async def recipients_for(self, unit_code: str, kind: str, *, enabled: Collection[str]) -> list[Recipient]:
        """Who in the unit gets a notification of `kind`, each with its channels (`domain.routing`)."""

    async def preload(self, unit_codes: Collection[str]) -> None:
        """Read these units' contacts at once: `recipients_for` them in this transaction reads no more
        (a tick asks for many units, one after the other)."""

    async def rules(self) -> list[Rule]:
        """Every routing rule, by kind, tier and role."""

    async def replace_rules(self, rules: Sequence[Rule]) -> None: ...

    async def has_rules(self) -> bool: ...

    async def lock_rules(self) -> None:
        """Two replicas starting at once take turns to seed the default rules."""

    async def contacts(self) -> list[StoredContact]:
        """The whole directory, by unit, role and id."""

    async def contact(self, contact_id: int, *, lock: bool = False) -> StoredContact | None: ...

    async def add_contact(self, fields: ContactFields, now: datetime) -> StoredContact: ...

    async def update_contact(
        self, contact_id: int, fields: ContactFields, now: datetime
    ) -> StoredContact: ...

    async def replace_contacts(self, rows: Sequence[ContactFields], now: datetime) -> None:
        """The whole directory becomes `rows` (a CSV import)."""


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None:
        """In the change's own transaction: no change without its audit row, none for a rollback."""


class Stores(Protocol):
    """The stores of one transaction: all of it is kept, or none of it."""

    @property
    def last_statuses(self) -> LastStatuses: ...

    @property
    def violations(self) -> Violations: ...

    @property
    def alert_queue(self) -> AlertQueue: ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def notifications(self) -> Notifications: ...

    @property
    def directory(self) -> Directory: ...

    @property
    def audit(self) -> AuditLog: ...

    async def first_time(self, consumer: str, event_id: UUID) -> bool:
        """Record the event as handled by `consumer`; False when it already was (a redelivery)."""

    async def stage(self, events: Sequence[tuple[Event, str]]) -> None:
        """Put (event, subject) pairs in the outbox, published after the transaction commits."""

    async def take_update(
        self, consumer: str, event_id: UUID, unit_code: str, indicator: str, status: str, sequence: int
    ) -> TakenUpdate | None:
        """`first_time`, then the status stored when its sequence is newer (`LastStatuses`) and the open
        violation read (`Violations.open_for`) when it was, at once; None for a redelivery."""

    async def take_report(
        self,
        consumer: str,
        event_id: UUID,
        arrival: Arrival,
        items: Sequence[DueItem],
        now: datetime,
        note: str,
    ) -> list[str] | None:
        """`first_time`, then `Ledger.record_arrival` and `Ledger.cancel` of `items`, at once: the kinds
        cancelled, None for a redelivery."""


# Opens a transaction: committed when the block ends normally, rolled back when it raises.
Transactions = Callable[[], AbstractAsyncContextManager[Stores]]
