"""Transactional outbox: the state change and its event commit together; a relay publishes.

The relay claims unpublished rows with FOR UPDATE SKIP LOCKED (so replicas
share the work), publishes each with Nats-Msg-Id = event id and waits for the
JetStream ack, then marks the rows published. A crash between publish and mark
republishes, and JetStream's duplicate window drops the copy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import structlog
from prometheus_client import Counter, Gauge
from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.events.cloudevents import STAGED_PREFIX, body_for, headers_for, with_type_prefix
from bdhvs_shared.events.envelope import Event
from bdhvs_shared.worker import PollingWorker

log = structlog.get_logger(__name__)


class Publisher(Protocol):
    async def publish(self, subject: str, payload: bytes, headers: dict[str, str]) -> None:
        """Store the message durably (JetStream ack) or raise."""


async def stage(
    session: AsyncSession,
    outbox: Table,
    events: Sequence[tuple[Event, str]],
    ordered_from: datetime | None = None,
) -> None:
    """Stage events (with their subjects) for publication in the caller's transaction.

    Rows staged together share the transaction's `now()`, and the relay publishes by
    `created_at`: a caller that stages two events of one subject passes `ordered_from`,
    and the rows get strictly increasing times from it (1 µs apart), in list order.
    """
    if not events:
        return
    note_staged(events)
    await session.execute(
        outbox.insert(),
        [
            {
                "id": e.event_id,
                "subject": s,
                "headers": headers_for(e, s),
                "payload": body_for(e),
                **({} if ordered_from is None else {"created_at": ordered_from + timedelta(microseconds=n)}),
            }
            for n, (e, s) in enumerate(events)
        ],
    )


def note_staged(events: Sequence[tuple[Event, str]]) -> None:
    """Log the staged events; within an HTTP request, name their correlation id in its log lines.

    For a caller that writes the outbox rows itself (intake's `store_revision` in one round trip)."""
    # An HTTP request (intake) starts the chain: from here on its log lines name the correlation id.
    # (Only within a request, whose context ends with it; never in a long-lived worker task.)
    bound = structlog.contextvars.get_contextvars()
    if "request_id" in bound and "correlation_id" not in bound:
        structlog.contextvars.bind_contextvars(correlation_id=str(events[0][0].correlation_id))
    for event, subject in events:
        log.debug("event staged", staged_event_id=str(event.event_id), staged_subject=subject)


class OutboxMetrics:
    def __init__(self, published: Counter, oldest_age: Gauge) -> None:
        self.published = published
        self.oldest_age = oldest_age


class OutboxRelay(PollingWorker):
    name = "outbox-relay"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Table,
        publisher: Publisher,
        metrics: OutboxMetrics,
        poll_seconds: float = 0.5,
        batch_size: int = 200,
        type_prefix: str = STAGED_PREFIX,
    ) -> None:
        super().__init__(poll_seconds)
        self._prefix = type_prefix  # EVENT_TYPE_PREFIX: ce-type names the province that publishes
        self._sessions = sessions
        self._outbox = outbox
        self._publisher = publisher
        self._metrics = metrics
        self._batch = batch_size

    async def run_once(self) -> int:
        return await self.relay_once()

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows were published."""
        o = self._outbox
        async with self._sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(o.c.id, o.c.subject, o.c.headers, o.c.payload, o.c.created_at)
                    .where(o.c.published_at.is_(None))
                    .order_by(o.c.created_at)
                    .limit(self._batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                self._metrics.oldest_age.set(0)
                return 0
            self._metrics.oldest_age.set((datetime.now(UTC) - rows[0].created_at).total_seconds())
            # The last message per subject must be the newest snapshot: each subject's messages go
            # out in order, one ack at a time, while different subjects' messages share the wait.
            for run in distinct_subject_runs(rows):
                await asyncio.gather(
                    *(
                        self._publisher.publish(
                            r.subject, r.payload, with_type_prefix(dict(r.headers), self._prefix)
                        )
                        for r in run
                    )
                )
            await session.execute(
                update(o).where(o.c.id.in_([r.id for r in rows])).values(published_at=func.now())
            )
        self._metrics.published.inc(len(rows))
        return len(rows)


def distinct_subject_runs(rows: Sequence[Any]) -> list[list[Any]]:
    """Consecutive runs of rows (in order) in which no subject appears twice.

    A run is published at once and acknowledged together; a failure stops before the next
    run, so a subject's later message is never stored while an earlier one is not.
    """
    runs: list[list[Any]] = []
    subjects: set[str] = set()
    for row in rows:
        if not runs or row.subject in subjects:
            runs.append([])
            subjects = set()
        runs[-1].append(row)
        subjects.add(row.subject)
    return runs
