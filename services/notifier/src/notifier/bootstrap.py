"""The composition root of the notifier. Nothing is built at import."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from faststream.nats import NatsBroker
from nats.aio.client import Client
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.catalogue_follower import CatalogueFollower
from bdhvs_shared.clock import clock_from_iso
from bdhvs_shared.db.engine import make_engine, make_sessionmaker
from bdhvs_shared.events import AttainmentUpdated
from bdhvs_shared.http import service_app
from bdhvs_shared.logs import configure_logging
from bdhvs_shared.metrics import CommonMetrics, common_metrics
from bdhvs_shared.runtime import EventRuntime, make_broker
from notifier.adapters.tables import outbox
from notifier.dispatcher import DeliveryCounters, Dispatcher
from notifier.dispatchers import dispatchers
from notifier.handlers import kpi_consumer, register_handlers
from notifier.messages import Messages
from notifier.routes import notifications
from notifier.service import CONSUMER, AlertService
from notifier.settings import NotifierSettings


@dataclass
class NotifierMetrics(CommonMetrics):
    notifications_sent: Counter
    notifications_failed: Counter
    notifications_retried: Counter

    @property
    def delivery(self) -> DeliveryCounters:
        return DeliveryCounters(
            self.notifications_sent, self.notifications_failed, self.notifications_retried
        )


def notifier_metrics() -> NotifierMetrics:
    base = common_metrics("notifier")
    return NotifierMetrics(
        **vars(base),
        notifications_sent=Counter(
            "bdhvs_notifications_sent",
            "Notifications delivered",
            ["channel"],
            registry=base.registry,
        ),
        notifications_failed=Counter(
            "bdhvs_notifications_failed",
            "Notifications given up (refused for good, or after the last attempt)",
            ["channel"],
            registry=base.registry,
        ),
        notifications_retried=Counter(
            "bdhvs_notifications_retried",
            "Failed attempts that will be retried",
            ["channel"],
            registry=base.registry,
        ),
    )


@dataclass
class Container:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    runtime: EventRuntime
    broker: NatsBroker
    dispatchers: list[Dispatcher]
    http: httpx.AsyncClient
    follower: CatalogueFollower

    @property
    def nc(self) -> Client | None:
        return self.runtime.nc

    async def close(self) -> None:
        await self.broker.stop()
        await self.follower.stop()
        for dispatcher in self.dispatchers:
            await dispatcher.stop()
        await self.http.aclose()
        await self.runtime.close()
        await self.engine.dispose()


async def start(settings: NotifierSettings, metrics: NotifierMetrics) -> Container:
    consumer = kpi_consumer(settings.max_deliver, settings.ack_wait_seconds)
    runtime = EventRuntime(settings, "notifier", ["KPI", "ALERTS", "DLQ"], consumer, metrics)
    js = await runtime.connect()
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    clock = clock_from_iso(settings.clock_start)
    relay = runtime.start_relay(sessions, outbox)
    http = httpx.AsyncClient(follow_redirects=False)
    workers = dispatchers(settings, sessions, http, clock, metrics.delivery, relay)
    for worker in workers:
        worker.start()
    messages = Messages(load_catalogue())
    follower = CatalogueFollower(
        js,
        lambda: messages.catalogue,
        lambda c: setattr(messages, "catalogue", c),
        settings.catalogue_poll_seconds,
    )
    await follower.run_once()
    follower.start()
    service = AlertService(
        sessions,
        messages,
        clock,
        settings.enabled_channels,
        settings.sms_keep_diacritics,
    )

    async def apply(event: AttainmentUpdated) -> None:
        with metrics.handler_seconds.labels(consumer=CONSUMER).time():
            queued = await service.apply(event)
        (metrics.events_duplicate if queued is None else metrics.events_processed).labels(
            consumer=CONSUMER
        ).inc()
        if queued:
            for worker in workers:
                worker.wake()

    broker = make_broker(settings, "notifier", consumer, metrics, js)
    register_handlers(broker, consumer, apply)
    await broker.start()
    return Container(engine, sessions, runtime, broker, workers, http, follower)


def create_app(settings: NotifierSettings) -> FastAPI:
    configure_logging(settings.log_format, settings.log_level)
    metrics = notifier_metrics()
    return service_app(
        "BDHVS notifier",
        "Alerts by email, SMS and webhooks when a unit's KPI falls below its target trajectory; "
        "the delivery log.",
        metrics.registry,
        lambda: start(settings, metrics),
        [notifications.router],
    )
