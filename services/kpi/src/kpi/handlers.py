"""The KPI consumer: thin; the work is in KpiService."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from faststream.nats import JStream, NatsBroker, PullSub

from bdhvs_shared.events import ReportAccepted, subjects
from bdhvs_shared.nats.consumers import DurableConsumer


def reports_consumer(max_deliver: int = 8, ack_wait: float = 30.0) -> DurableConsumer:
    return DurableConsumer(
        stream="REPORTS",
        durable="kpi-reports",
        filter_subject=subjects.REPORT_ACCEPTED_ALL,
        max_deliver=max_deliver,
        ack_wait_seconds=ack_wait,
    )


def register_handlers(
    broker: NatsBroker,
    consumer: DurableConsumer,
    apply: Callable[[ReportAccepted], Awaitable[None]],
) -> None:
    @broker.subscriber(
        consumer.filter_subject,
        stream=JStream(consumer.stream, declare=False),
        durable=consumer.durable,
        pull_sub=PullSub(batch_size=1, timeout=1.0),
        title="kpi-reports:consume",
        description="Applies each accepted report revision to the unit's and the province's projections.",
    )
    async def on_report_accepted(event: ReportAccepted) -> None:
        await apply(event)
