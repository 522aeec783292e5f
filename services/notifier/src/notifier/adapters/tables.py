"""Notifier's tables, all in schema `notifier`."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    literal_column,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.sql.elements import ColumnClause

from bdhvs_shared.catalogue.model import INDICATOR_CODE_MAX
from bdhvs_shared.db.tables import outbox_table, processed_events_table

metadata = MetaData(schema="notifier")

# 'pending' written into the SQL, not bound, wherever a query reads the pending rows of a table with a
# partial index on them (`ix_notifications_pending`, `ix_deadline_ledger_pending`,
# `ix_alert_items_pending`): a prepared statement's generic plan can use such an index only then. With
# 'pending' bound, the dispatchers' any_due read the whole notifications table (3.9 ms a call by the
# middle of `make demo`, PostgreSQL's costliest statement); the ledger and the alert queue grow as
# long, a year's rows each (tests/integration/test_notifier_due_plan.py).
PENDING: ColumnClause[str] = literal_column("'pending'")

# The contact directory: who, per unit (a commune code, or 24 for the province and its departments)
# and role, with addresses and preferred channels. Deactivated, not deleted: the audit log names them.
contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("unit_code", String(5), nullable=False, index=True),
    Column("email", Text, nullable=True),  # a system reached only by webhook has none
    Column("role", String(30), nullable=False),
    Column("name", Text, nullable=False, server_default=""),
    Column("phone", Text, nullable=True),  # 84xxxxxxxxx
    Column("webhook_url", Text, nullable=True),
    # Preferred channels in order, comma-separated: "email", "sms,email", "webhook".
    Column("channels", Text, nullable=False, server_default="email"),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)

# Which notification kinds go to which roles, by which channels; tiers are tried in order.
routing_rules = Table(
    "routing_rules",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("role", String(30), nullable=False),
    Column("channels", Text, nullable=False),  # allowed channels in order, comma-separated
    Column("tier", SmallInteger, nullable=False, server_default="1"),
    UniqueConstraint("kind", "role", name="uq_routing_rules_kind_role"),
)

# Every change of the directory or the rules: who, when, what before and after.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(40), nullable=False),  # contact.create, contact.update, contacts.import…
    Column("entity", String(20), nullable=False),  # contact, routing
    Column("entity_id", Text, nullable=True),
    Column("before", JSONB, nullable=True),
    Column("after", JSONB, nullable=True),
)
Index("ix_audit_log_at", audit_log.c.at)

# The first arrival of each unit's report per form and period: the consolidation reminder lists the
# missing ones and the late ones (first revision after the cut-off).
report_arrivals = Table(
    "report_arrivals",
    metadata,
    Column("form", String(40), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("unit_code", String(5), primary_key=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("on_time", Boolean, nullable=False),
)

# Last status seen per unit and indicator: an alert goes out when it changes into a bad one.
alert_state = Table(
    "alert_state",
    metadata,
    Column("unit_code", String(5), primary_key=True),
    Column("indicator", String(INDICATOR_CODE_MAX), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("sequence", Integer, nullable=False),
)

# Intent before sending, result after: a crash in between re-sends at most once, loses nothing.
notifications = Table(
    "notifications",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("idempotency_key", Text, nullable=False, unique=True),
    Column("unit_code", String(5), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=True),
    Column("status", String(10), nullable=False),  # pending, sent, failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("source_event_id", UUID(as_uuid=True), nullable=False),
    Column("correlation_id", UUID(as_uuid=True), nullable=False),
    # SMS only: the parts the text costs, and gsm7 or ucs2; computed when the intent is stored.
    Column("sms_segments", Integer, nullable=True),
    Column("sms_encoding", String(5), nullable=True),
    Column("provider_message_id", Text, nullable=True),
    Column("failed_at", DateTime(timezone=True), nullable=True),
    # SMS: the gateway's delivery report (domain/sms_receipts.py): delivered / undelivered, and when.
    Column("delivery_status", String(12), nullable=True),
    Column("delivery_reported_at", DateTime(timezone=True), nullable=True),
)
Index(
    "ix_notifications_pending",
    notifications.c.next_attempt_at,
    postgresql_where=text("status = 'pending'"),
)
Index("ix_notifications_created_at", notifications.c.created_at)

# What falls due per (form, period, unit, kind): reminders, overdue notice, escalation; and per
# (form, period) the operators' summary (unit_code = the province). A report cancels its unit's rows.
deadline_ledger = Table(
    "deadline_ledger",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("form", String(40), nullable=False),
    Column("period", String(10), nullable=False),
    Column("unit_code", String(5), nullable=False),
    Column("kind", String(20), nullable=False),  # reminder_3d, …, overdue, escalation, summary, consolidation
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),  # reminders: skipped from then on
    Column("status", String(10), nullable=False),  # pending, sent, cancelled, skipped
    Column("note", Text, nullable=True),  # why skipped or cancelled
    Column("recipients", Integer, nullable=False, server_default="0"),  # notifications queued
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("form", "period", "unit_code", "kind", name="uq_deadline_ledger_item"),
)
# The ledger's first start (one row): it chases only periods whose deadline comes after it, unless
# LEDGER_GO_LIVE names a day.
ledger_start = Table(
    "ledger_start",
    metadata,
    Column("id", SmallInteger, primary_key=True),  # always 1
    Column("started_at", DateTime(timezone=True), nullable=False),
)
Index(
    "ix_deadline_ledger_pending",
    deadline_ledger.c.due_at,
    postgresql_where=text("status = 'pending'"),
)

# Each (unit, indicator) condition at_risk/off_track from opened to resolved (at most one open per
# unit and indicator). Kept from the KPI events in the transaction that records their ids.
violations = Table(
    "violations",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("unit_code", String(5), nullable=False),
    Column("indicator", String(INDICATOR_CODE_MAX), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("opened_sequence", Integer, nullable=False),  # the KPI update that opened it
    Column("last_sequence", Integer, nullable=False),  # the last KPI update applied to it
    Column("worst_status", String(20), nullable=False),
    Column("last_status", String(20), nullable=False),  # while open: at_risk or off_track
    Column("resolved_status", String(20), nullable=True),  # the status that ended it
    Column("status_changed_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_by", Text, nullable=True),
    Column("acknowledged_at", DateTime(timezone=True), nullable=True),
    Column("acknowledged_status", String(20), nullable=True),  # silences repeats while it lasts
    Column("alerted_at", DateTime(timezone=True), nullable=True),  # last alert or repeat sent out
    Column("next_repeat_at", DateTime(timezone=True), nullable=True),  # null once resolved
    Column("repeats", Integer, nullable=False, server_default="0"),
    Column("inhibited_by", BigInteger, nullable=True),  # the province's violation muting it now
    Column("inhibited_at", DateTime(timezone=True), nullable=True),  # last time an alert was muted
    Column("snapshot", JSONB, nullable=False),  # the last AttainmentUpdated: the figures to show
)
Index(
    "uq_violations_open",
    violations.c.unit_code,
    violations.c.indicator,
    unique=True,
    postgresql_where=text("resolved_at IS NULL"),
)
Index("ix_violations_opened_at", violations.c.opened_at)
Index(
    "ix_violations_next_repeat",
    violations.c.next_repeat_at,
    postgresql_where=text("resolved_at IS NULL"),
)

# What an alert owes each recipient and channel, until the group wait is over and one message
# carries every item that became due: pending → grouped (into notification_id), cancelled (superseded
# before it went out) or inhibited (muted by the province's violation).
alert_items = Table(
    "alert_items",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("violation_id", BigInteger, nullable=False, index=True),
    Column("kind", String(40), nullable=False),  # kpi_below_target, kpi_repeat, kpi_recovered
    Column("unit_code", String(5), nullable=False),
    Column("indicator", String(INDICATOR_CODE_MAX), nullable=False),
    Column("status", String(20), nullable=False),  # the status the item tells about
    Column("channel", String(10), nullable=False),
    Column("address", Text, nullable=False),
    Column("recipient_name", Text, nullable=False, server_default=""),
    Column("snapshot", JSONB, nullable=False),
    Column("idempotency_key", Text, nullable=False, unique=True),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("state", String(10), nullable=False),  # pending, grouped, cancelled, inhibited
    Column("notification_id", UUID(as_uuid=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=True),
)
Index(
    "ix_alert_items_pending",
    alert_items.c.channel,
    alert_items.c.address,
    alert_items.c.due_at,
    postgresql_where=text("state = 'pending'"),
)

outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
