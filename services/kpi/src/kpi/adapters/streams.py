"""Reading the REPORTS and KPI streams from the start, through ephemeral consumers (rebuild, verify).

`NatsReportStream` is the `ReportStream` port of `service_layer.rebuild_ports` on these functions.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import date
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from bdhvs_shared.events import AttainmentUpdated, subjects
from kpi.adapters.report_decoding import decode_report
from kpi.domain.publications import snapshot_of_event
from kpi.domain.rebuild_plan import Key, Recorded
from kpi.domain.replay import ReportReplay
from kpi.domain.replayed import ReplayedReport


class NatsReportStream:
    """`service_layer.rebuild_ports.ReportStream` on JetStream."""

    def __init__(self, js: JetStreamContext) -> None:
        self._js = js

    def replay_reports(
        self, batch: int, today: date, early_days: int = 0
    ) -> AsyncIterator[tuple[Sequence[ReplayedReport], ReportReplay]]:
        return replay_reports(self._js, batch, today, early_days)

    async def last_published(self, batch: int = 1000) -> dict[Key, Recorded]:
        return await last_published(self._js, batch)


async def messages(
    js: JetStreamContext,
    stream: str,
    subject: str,
    policy: DeliverPolicy,
    batch: int,
    on_total: Callable[[int], None] | None = None,
) -> AsyncIterator[list[Any]]:
    """Batches of the messages stored when the call starts (later ones are left to the live consumer);
    `on_total` is told how many there are before the first batch.

    An ephemeral pull consumer without acks: it reads, it never changes any durable's state,
    and the server removes it shortly after.
    """
    try:
        sub = await js.pull_subscribe(
            subject,
            stream=stream,
            config=ConsumerConfig(deliver_policy=policy, ack_policy=AckPolicy.NONE, inactive_threshold=30.0),
        )
    except NotFoundError:
        return
    pending: asyncio.Future[list[Any]] | None = None
    try:
        remaining = int((await sub.consumer_info()).num_pending or 0)
        if on_total is not None:
            on_total(remaining)
        if remaining > 0:
            pending = asyncio.ensure_future(sub.fetch(min(batch, remaining), timeout=5))
        while pending is not None:
            try:
                got = await pending
            except TimeoutError as exc:
                raise RuntimeError(f"stream {stream} stopped delivering with {remaining} left") from exc
            remaining -= len(got)
            # The next batch is requested before this one is handed over: the server sends it
            # while the caller parses and folds this one.
            pending = (
                asyncio.ensure_future(sub.fetch(min(batch, remaining), timeout=5)) if remaining > 0 else None
            )
            yield got
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
        await sub.unsubscribe()


async def replay_reports(
    js: JetStreamContext, batch: int, today: date, early_days: int = 0
) -> AsyncIterator[tuple[Sequence[ReplayedReport], ReportReplay]]:
    """Every accepted-report event on REPORTS from sequence 1 that the consumer would apply on `today`
    (local), in batches, with running counts: not the invalid ones, nor those dated in the future."""
    replay = ReportReplay()

    def total(count: int) -> None:
        replay.total = count

    async for got in messages(js, "REPORTS", subjects.REPORT_ACCEPTED_ALL, DeliverPolicy.ALL, batch, total):
        events = []
        for msg in got:
            replay.last_stream_sequence = msg.metadata.sequence.stream
            if (event := replay.read(msg.data, today, early_days, decode_report)) is not None:
                events.append(event)
        replay.events += len(events)
        yield events, replay


async def last_published(js: JetStreamContext, batch: int = 1000) -> dict[Key, Recorded]:
    """The last AttainmentUpdated per subject on KPI: the snapshot each subscriber holds."""
    out: dict[Key, Recorded] = {}
    policy = DeliverPolicy.LAST_PER_SUBJECT
    async for got in messages(js, "KPI", subjects.KPI_ATTAINMENT_ALL, policy, batch):
        for msg in got:
            try:
                event = AttainmentUpdated.model_validate_json(msg.data)
            except ValidationError:
                continue
            key = (event.unit_code, event.indicator)
            recorded = Recorded(snapshot_of_event(event), event.sequence, event.occurred_at, event.event_id)
            if key not in out or out[key].sequence < recorded.sequence:
                out[key] = recorded
    return out


async def consumer_is_pulled(js: JetStreamContext, stream: str, durable: str, probes: int = 3) -> bool:
    """Whether a running instance is pulling from the durable consumer (waiting pull requests)."""
    for _ in range(probes):
        try:
            info = await js.consumer_info(stream, durable)
        except NotFoundError:
            return False
        if (info.num_waiting or 0) > 0:
            return True
        await asyncio.sleep(0.5)
    return False
