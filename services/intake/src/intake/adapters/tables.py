"""Intake's tables, all in schema `intake` (no other service reads them)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from bdhvs_shared.db.tables import outbox_table
from intake.adapters.account_tables import identity_tables

metadata = MetaData(schema="intake")

reports = Table(
    "reports",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("unit_code", String(5), nullable=False),
    Column("form", String(50), nullable=False),
    Column("period", String(10), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("first_received_at", DateTime(timezone=True), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("on_time", Boolean, nullable=False),
    Column("latest_revision", Integer, nullable=False),
    UniqueConstraint("unit_code", "form", "period", name="uq_reports_unit_form_period"),
)

report_revisions = Table(
    "report_revisions",
    metadata,
    Column("report_id", UUID(as_uuid=True), ForeignKey("intake.reports.id"), primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("values", JSONB, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("submitted_by", Text, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("catalogue_version", String(40), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("unit_code", String(5), nullable=True),
    Column("agency_code", String(40), nullable=True),
    Column("label", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=True),  # NULL: never
)

# A client's retry key → the revision it created: the same key and body replay the original reply.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("token_id", UUID(as_uuid=True), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("request_sha256", String(64), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata, func.clock_timestamp())  # migration 0008

# Every catalogue version an admin published, whole, with who and why: the catalogue's audit log.
catalogue_versions = Table(
    "catalogue_versions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("version", String(40), nullable=False, unique=True),
    Column("previous_version", String(40), nullable=True),
    Column("files", JSONB, nullable=False),
    Column("changed_files", JSONB, nullable=False),
    Column("changed_by", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
)

# People's accounts, their sessions and the audit of sign-ins (adapters/account_tables.py).
accounts, account_sessions, auth_audit = identity_tables(metadata)
