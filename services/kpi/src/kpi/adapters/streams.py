"""Reading the REPORTS and KPI streams from the start, through ephemeral consumers (rebuild, verify).

`NatsReportStream` is the `ReportStream` port of `service_layer.rebuild_ports` on these functions.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import date

from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from bdhvs_shared.events import AttainmentUpdated, subjects
from kpi.adapters.raw_pull import pulled
from kpi.adapters.report_decoding import decode_report
from kpi.domain.partition import WHOLE, Partition
from kpi.domain.publications import snapshot_of_event
from kpi.domain.rebuild_plan import Key, Recorded
from kpi.domain.replay import ReportReplay
from kpi.domain.replayed import ReplayedReport


class NatsReportStream:
    """`service_layer.rebuild_ports.ReportStream` on JetStream."""

    def __init__(self, js: JetStreamContext) -> None:
        self._js = js

    def replay_reports(
        self, batch: int, today: date, early_days: int = 0, partition: Partition = WHOLE
    ) -> AsyncIterator[tuple[Sequence[ReplayedReport], ReportReplay]]:
        return replay_reports(self._js, batch, today, early_days, partition)

    async def last_published(self, batch: int = 1000) -> dict[Key, Recorded]:
        return await last_published(self._js, batch)


async def replay_reports(
    js: JetStreamContext, batch: int, today: date, early_days: int = 0, partition: Partition = WHOLE
) -> AsyncIterator[tuple[Sequence[ReplayedReport], ReportReplay]]:
    """Every accepted-report event on REPORTS from sequence 1 that the consumer would apply on `today`
    (local), in batches, with running counts: not the invalid ones, nor those dated in the future;
    only those on the subjects of `partition`'s units."""
    replay = ReportReplay()

    def total(count: int) -> None:
        replay.total = count

    keep = None if partition == WHOLE else _subject_filter(partition)
    every = [subjects.REPORT_ACCEPTED_ALL]
    async for got in pulled(js, "REPORTS", every, DeliverPolicy.ALL, batch, total, keep=keep):
        read = replay.read
        events = [e for msg in got if (e := read(msg.data, today, early_days, decode_report)) is not None]
        replay.last_stream_sequence = got[-1].metadata.sequence.stream  # once a batch, not per message
        replay.events += len(events)
        yield events, replay


def _subject_filter(partition: Partition) -> Callable[[str], bool]:
    """Whether a report subject's unit (its last token) is `partition`'s, remembered per subject.

    Each worker reads the whole stream and keeps its units' messages: a consumer filtered on the
    partition's subjects (`filter_subjects`, one per unit) cost nats-server four times the CPU of
    the whole stream's (v2.15, 200 000 messages over 99 units), more than the decode it saved.
    """
    known: dict[str, bool] = {}

    def keep(subject: str) -> bool:
        kept = known.get(subject)
        if kept is None:
            kept = known[subject] = partition.holds(subject.rsplit(".", 1)[-1])
        return kept

    return keep


async def last_published(js: JetStreamContext, batch: int = 1000) -> dict[Key, Recorded]:
    """The last AttainmentUpdated per subject on KPI: the snapshot each subscriber holds."""
    out: dict[Key, Recorded] = {}
    policy = DeliverPolicy.LAST_PER_SUBJECT
    async for got in pulled(js, "KPI", [subjects.KPI_ATTAINMENT_ALL], policy, batch):
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
