"""The identity tables (in intake's schema, created by migration 0006): accounts, their sessions,
and the audit of every sign-in, failure, lock, unlock, reset and deactivation."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import UUID


def identity_tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    """accounts, account_sessions and auth_audit, declared on intake's metadata (tables.py)."""
    accounts = Table(
        "accounts",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("username", String(40), nullable=False, unique=True),  # lower case
        Column("display_name", Text, nullable=False),
        Column("role", String(20), nullable=False),
        Column("unit_code", String(5), nullable=True),
        Column("agency_code", String(40), nullable=True),
        Column("email", Text, nullable=True),
        Column("phone", String(20), nullable=True),
        Column("password_hash", Text, nullable=False),  # argon2id, never the password
        Column("active", Boolean, nullable=False),
        Column("must_change_password", Boolean, nullable=False),
        Column("failed_attempts", Integer, nullable=False, server_default="0"),
        Column("locked_until", DateTime(timezone=True), nullable=True),
        Column("last_sign_in_at", DateTime(timezone=True), nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("deactivated_at", DateTime(timezone=True), nullable=True),
    )
    sessions = Table(
        "account_sessions",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("token_sha256", String(64), nullable=False, unique=True),  # never the token
        Column("account_id", UUID(as_uuid=True), ForeignKey("intake.accounts.id"), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("last_seen_at", DateTime(timezone=True), nullable=False),
        Column("idle_expires_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Column("revoked_at", DateTime(timezone=True), nullable=True),
        Column("remote_addr", Text, nullable=True),
    )
    Index("ix_account_sessions_account", sessions.c.account_id)
    audit = Table(
        "auth_audit",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("username", Text, nullable=False),
        Column("action", String(30), nullable=False),
        Column("outcome", String(30), nullable=False),
        Column("remote_addr", Text, nullable=True),
        Column("actor", Text, nullable=True),
        Column("detail", Text, nullable=True),
    )
    Index("ix_auth_audit_username_at", audit.c.username, audit.c.at)
    return accounts, sessions, audit
