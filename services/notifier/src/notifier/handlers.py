"""The notifier's consumer of KPI updates: thin; the work is in AlertService."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from faststream.nats import JStream, NatsBroker, PullSub

from bdhvs_shared.events import AttainmentUpdated, subjects
from bdhvs_shared.nats.consumers import DurableConsumer


def kpi_consumer(max_deliver: int = 8, ack_wait: float = 30.0) -> DurableConsumer:
    return DurableConsumer(
        stream="KPI",
        durable="notifier-kpi",
        filter_subject=subjects.KPI_ATTAINMENT_ALL,
        max_deliver=max_deliver,
        ack_wait_seconds=ack_wait,
    )


def register_handlers(
    broker: NatsBroker,
    consumer: DurableConsumer,
    apply: Callable[[AttainmentUpdated], Awaitable[None]],
) -> None:
    @broker.subscriber(
        consumer.filter_subject,
        stream=JStream(consumer.stream, declare=False),
        durable=consumer.durable,
        pull_sub=PullSub(batch_size=1, timeout=1.0),
        title="notifier-kpi:consume",
        description="Queues an email to the unit's recipients when its status becomes at_risk or off_track.",
    )
    async def on_attainment_updated(event: AttainmentUpdated) -> None:
        await apply(event)
