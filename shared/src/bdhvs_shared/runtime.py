"""What a consuming service runs besides its HTTP API: the broker, its consumer, the outbox relay.

Start order matters: streams and the durable consumer are provisioned before
the broker binds to them; the relay starts before the broker so that effects
staged by the first message are published promptly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from faststream.nats import NatsBroker
from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.db.outbox import OutboxRelay
from bdhvs_shared.metrics import CommonMetrics
from bdhvs_shared.nats.connection import JetStreamPublisher, connect, inbox_prefix
from bdhvs_shared.nats.consumers import DurableConsumer, ensure_consumer
from bdhvs_shared.nats.lag import watch_lag
from bdhvs_shared.nats.logcontext import LogContext
from bdhvs_shared.nats.metric_labels import prometheus_middleware
from bdhvs_shared.nats.reliable import ReliableDelivery
from bdhvs_shared.nats.streams import ensure_streams
from bdhvs_shared.settings import ServiceSettings


def make_broker(
    settings: ServiceSettings,
    service: str,
    consumer: DurableConsumer,
    metrics: CommonMetrics,
    js: JetStreamContext | None = None,
) -> NatsBroker:
    """The FastStream broker with reliable delivery and Prometheus middlewares (not yet connected)."""

    def current_js() -> JetStreamContext:
        if js is None:
            raise RuntimeError("no JetStream context: the broker was built for documentation only")
        return js

    return NatsBroker(
        settings.nats_url,
        name=f"{service}-consumer",
        inbox_prefix=inbox_prefix(service),
        max_reconnect_attempts=-1,
        middlewares=[
            LogContext,  # first: its ids are bound around the others' log lines too
            ReliableDelivery(current_js, consumer.max_deliver, metrics.dead_lettered),
            prometheus_middleware(metrics.registry, service),  # labelled by kind of event
        ],
        graceful_timeout=10.0,
        # Per-message "Received/Processed" lines at DEBUG: shown with LOG_LEVEL=DEBUG, free otherwise.
        logger=_faststream_logger(settings.log_level),
        log_level=logging.DEBUG,
    )


def _faststream_logger(level: str) -> logging.Logger:
    logger = logging.getLogger("bdhvs.faststream")
    logger.setLevel(level.upper())
    return logger


@dataclass
class EventRuntime:
    settings: ServiceSettings
    service: str
    streams: list[str]
    consumer: DurableConsumer
    metrics: CommonMetrics
    nc: Client | None = None
    js: JetStreamContext | None = None
    relay: OutboxRelay | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def connect(self) -> JetStreamContext:
        self.nc = await connect(self.settings.nats_url, self.service)
        self.js = self.nc.jetstream()
        await ensure_streams(self.js, self.streams, self.settings.stream_replicas)
        await ensure_consumer(self.js, self.consumer)
        return self.js

    def start_relay(self, sessions: async_sessionmaker[AsyncSession], outbox: Table) -> OutboxRelay:
        assert self.js is not None, "connect() first"
        self.relay = OutboxRelay(
            sessions,
            outbox,
            JetStreamPublisher(self.js),
            self.metrics.outbox,
            self.settings.outbox_poll_seconds,
            type_prefix=self.settings.event_type_prefix,
        )
        self.relay.start()
        self._tasks.append(asyncio.create_task(watch_lag(self.js, self.consumer, self.metrics)))
        return self.relay

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.relay is not None:
            await self.relay.stop()
        if self.nc is not None:
            await self.nc.drain()
