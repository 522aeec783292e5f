"""Tables every service has in its own schema: the outbox and the processed-event ids."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.sql.functions import FunctionElement


def outbox_table(metadata: MetaData, staged_at: FunctionElement[Any] | None = None) -> Table:
    """`staged_at`: the default of `created_at` (the relay's order); `now()`, the transaction's start,
    unless given (intake: `clock_timestamp()`, as one transaction stages several reports)."""
    default = func.now() if staged_at is None else staged_at
    table = Table(
        "outbox",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("subject", Text, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column(
            "created_at",
            DateTime(timezone=True),
            nullable=False,
            server_default=default,
        ),
        Column("published_at", DateTime(timezone=True), nullable=True),
    )
    Index(
        "ix_outbox_unpublished",
        table.c.created_at,
        postgresql_where=text("published_at IS NULL"),
    )
    return table


def processed_events_table(metadata: MetaData) -> Table:
    """Ids of consumed events, written in the same transaction as their effect."""
    return Table(
        "processed_events",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
