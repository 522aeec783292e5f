"""The composition root of the notifier. Nothing is built at import."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from faststream.nats import NatsBroker
from nats.aio.client import Client
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import clock_from_iso
from bdhvs_shared.db.engine import make_engine, make_sessionmaker
from bdhvs_shared.events import AttainmentUpdated
from bdhvs_shared.http import service_app
from bdhvs_shared.logs import configure_logging
from bdhvs_shared.metrics import CommonMetrics, common_metrics
from bdhvs_shared.runtime import EventRuntime, make_broker
from notifier.adapters.email import SmtpSender
from notifier.adapters.tables import outbox
from notifier.dispatcher import Dispatcher
from notifier.handlers import kpi_consumer, register_handlers
from notifier.messages import Messages
from notifier.routes import notifications
from notifier.service import CONSUMER, AlertService
from notifier.settings import NotifierSettings


@dataclass
class NotifierMetrics(CommonMetrics):
    notifications_sent: Counter
    notifications_failed: Counter


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
            "Notifications given up after the last attempt",
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

    @property
    def nc(self) -> Client | None:
        return self.runtime.nc

    async def close(self) -> None:
        await self.broker.stop()
        await self.dispatcher.stop()
        await self.runtime.close()
        await self.engine.dispose()

    dispatcher: Dispatcher


async def start(settings: NotifierSettings, metrics: NotifierMetrics) -> Container:
    consumer = kpi_consumer(settings.max_deliver, settings.ack_wait_seconds)
    runtime = EventRuntime(settings, "notifier", ["KPI", "ALERTS", "DLQ"], consumer, metrics)
    js = await runtime.connect()
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    clock = clock_from_iso(settings.clock_start)
    relay = runtime.start_relay(sessions, outbox)
    dispatcher = Dispatcher(
        sessions,
        SmtpSender(settings),
        clock,
        metrics.notifications_sent,
        metrics.notifications_failed,
        settings.max_send_attempts,
        settings.dispatch_poll_seconds,
        on_published=relay,
    )
    dispatcher.start()
    service = AlertService(sessions, Messages(load_catalogue()), clock)

    async def apply(event: AttainmentUpdated) -> None:
        with metrics.handler_seconds.labels(consumer=CONSUMER).time():
            queued = await service.apply(event)
        (metrics.events_duplicate if queued is None else metrics.events_processed).labels(
            consumer=CONSUMER
        ).inc()
        if queued:
            dispatcher.wake()

    broker = make_broker(settings, "notifier", consumer, metrics, js)
    register_handlers(broker, consumer, apply)
    await broker.start()
    return Container(engine, sessions, runtime, broker, dispatcher)


def create_app(settings: NotifierSettings) -> FastAPI:
    configure_logging(settings.log_format, settings.log_level)
    metrics = notifier_metrics()
    return service_app(
        "BDHVS notifier",
        "Alerts by email when a unit's KPI falls below its target trajectory; the delivery log.",
        metrics.registry,
        lambda: start(settings, metrics),
        [notifications.router],
    )
