"""Consumer lag and the DLQ size as the service's own gauges, so alerts work without an external exporter."""

from __future__ import annotations

import asyncio

import structlog
from nats.js import JetStreamContext

from bdhvs_shared.metrics import CommonMetrics
from bdhvs_shared.nats.consumers import DurableConsumer

log = structlog.get_logger(__name__)


async def watch_lag(
    js: JetStreamContext, consumer: DurableConsumer, metrics: CommonMetrics, every: float = 5.0
) -> None:
    while True:
        try:
            info = await js.consumer_info(consumer.stream, consumer.durable)
            name = consumer.durable
            metrics.consumer_pending.labels(consumer=name).set(info.num_pending or 0)
            metrics.consumer_ack_pending.labels(consumer=name).set(info.num_ack_pending or 0)
            metrics.consumer_redelivered.labels(consumer=name).set(info.num_redelivered or 0)
            dlq = await js.stream_info("DLQ")
            metrics.dlq_messages.set(dlq.state.messages or 0)
        except Exception as exc:  # lag is observability: never let it kill the service
            log.debug("consumer info unavailable", error=repr(exc))
        await asyncio.sleep(every)
