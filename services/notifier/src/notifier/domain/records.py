"""What the stores hand the use cases (`service_layer/ports.py`): typed records, never database rows.

Each mirrors a table of `adapters/tables.py` (or the part of it a use case reads); the in-memory
fakes of the tests keep the same records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from notifier.domain.ledger import DueItem


@dataclass(frozen=True)
class Violation:
    """A below-target condition of one unit and indicator, from opened to resolved."""

    id: int
    unit_code: str
    indicator: str
    opened_at: datetime
    opened_sequence: int
    last_sequence: int
    worst_status: str
    last_status: str
    status_changed_at: datetime
    snapshot: dict[str, Any]  # the last AttainmentUpdated: the figures to show
    resolved_at: datetime | None = None
    resolved_status: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    acknowledged_status: str | None = None
    alerted_at: datetime | None = None
    next_repeat_at: datetime | None = None
    repeats: int = 0
    inhibited_by: int | None = None
    inhibited_at: datetime | None = None


@dataclass(frozen=True)
class TakenUpdate:
    """A KPI update just recorded as processed: newer than the stored status of its unit and indicator
    (then stored in its place) or not, and the unit's open violation of the indicator (locked) when
    newer."""

    newer: bool
    open: Violation | None = None


@dataclass(frozen=True)
class Arrival:
    """A report's arrival for the ledger: the first revision's counts (`report_arrivals`)."""

    form: str
    period: str
    unit_code: str
    received_at: datetime
    on_time: bool


@dataclass(frozen=True)
class NewAlertItem:
    """What an alert owes one recipient on one channel, until its group goes out."""

    violation_id: int
    kind: str
    unit_code: str
    indicator: str
    status: str
    channel: str
    address: str
    recipient_name: str
    snapshot: dict[str, Any]
    idempotency_key: str
    due_at: datetime


@dataclass(frozen=True)
class AlertItem:
    """A pending item claimed for its group message, with its violation's opening."""

    id: int
    violation_id: int
    kind: str
    unit_code: str
    indicator: str
    status: str
    recipient_name: str
    snapshot: dict[str, Any]
    opened_at: datetime


@dataclass(frozen=True)
class LedgerRow(DueItem):
    """One deadline ledger item (form, period, unit, kind) and where it stands."""

    id: int
    status: str  # pending, sent, cancelled, skipped


@dataclass(frozen=True)
class LedgerDone:
    """How a due ledger row ended: a tick stores all of its rows' ends in one statement."""

    row_id: int
    status: str  # sent, skipped
    note: str | None = None
    recipients: int = 0  # notifications queued for it


@dataclass(frozen=True, kw_only=True)
class Message:
    """What every notification says, to whom, and by which channel."""

    idempotency_key: str
    unit_code: str
    kind: str
    channel: str
    recipient: str
    subject: str
    body_text: str
    body_html: str | None
    sms_segments: int | None = None
    sms_encoding: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewNotification(Message):
    """An intent: one message to one address on one channel (the unique key makes it once)."""

    created_at: datetime
    next_attempt_at: datetime
    source_event_id: UUID
    correlation_id: UUID
    id: UUID | None = None  # chosen by the store when None


@dataclass(frozen=True, kw_only=True)
class Notification(Message):
    """A stored intent as the dispatcher sends it."""

    id: UUID
    status: str  # pending, sent, failed
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    correlation_id: UUID


@dataclass(frozen=True)
class AuditEntry:
    """A change of the directory or the routing rules, or a violation acknowledged: who, when, what before
    and after."""

    actor: str
    action: str  # contact.create, contact.update, contact.deactivate, contacts.import, routing.…
    entity: str  # contact, routing, violation
    at: datetime
    entity_id: str | None = None
    before: object = None
    after: object = None
