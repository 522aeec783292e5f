"""Intake's outbox: events staged in the caller's transaction, published to NATS by the relay."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bdhvs_shared.db import outbox as shared_outbox
from bdhvs_shared.events import Event
from intake.adapters.tables import outbox as outbox_table


async def stage(session: AsyncSession, events: Sequence[tuple[Event, str]]) -> None:
    """Stage events (each with its subject) in intake's outbox table."""
    await shared_outbox.stage(session, outbox_table, events)
