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
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from bdhvs_shared.db.tables import outbox_table, processed_events_table

metadata = MetaData(schema="notifier")

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
    Column("indicator", String(10), primary_key=True),
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
Index(
    "ix_deadline_ledger_pending",
    deadline_ledger.c.due_at,
    postgresql_where=text("status = 'pending'"),
)

outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
