"""The composition root of the KPI service. Nothing is built at import."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from faststream.nats import NatsBroker
from nats.aio.client import Client
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import clock_from_iso
from bdhvs_shared.db.engine import make_engine, make_sessionmaker
from bdhvs_shared.events import ReportAccepted
from bdhvs_shared.http import service_app
from bdhvs_shared.logs import configure_logging
from bdhvs_shared.metrics import CommonMetrics, common_metrics
from bdhvs_shared.runtime import EventRuntime, make_broker
from kpi.adapters.tables import outbox
from kpi.attainment_gauges import AttainmentGauges, AttainmentMetrics, attainment_metrics
from kpi.domain.projection import ProjectionRules
from kpi.handlers import register_handlers, reports_consumer
from kpi.rollup_worker import RollupWorker
from kpi.routes import attainment
from kpi.service import CONSUMER, KpiService
from kpi.settings import KpiSettings


@dataclass
class Container:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    service: KpiService
    runtime: EventRuntime
    broker: NatsBroker
    rollup_worker: RollupWorker
    gauges: AttainmentGauges | None = field(default=None)

    @property
    def nc(self) -> Client | None:
        return self.runtime.nc

    async def close(self) -> None:
        await self.broker.stop()
        await self.rollup_worker.stop()
        if self.gauges is not None:
            await self.gauges.stop()
        await self.runtime.close()
        await self.engine.dispose()


def build_service(settings: KpiSettings, sessions: async_sessionmaker[AsyncSession]) -> KpiService:
    return KpiService(
        sessions=sessions,
        catalogue=load_catalogue(),
        clock=clock_from_iso(settings.clock_start),
        tz=ZoneInfo(settings.timezone),
        rules=ProjectionRules(
            window_days=settings.window_days, at_risk_margin=settings.at_risk_margin_pp / 100
        ),
    )


async def start(
    settings: KpiSettings, metrics: CommonMetrics, gauges_metrics: AttainmentMetrics | None = None
) -> Container:
    consumer = reports_consumer(settings.max_deliver, settings.ack_wait_seconds)
    runtime = EventRuntime(settings, "kpi", ["REPORTS", "KPI", "DLQ"], consumer, metrics)
    js = await runtime.connect()
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    service = build_service(settings, sessions)
    relay = runtime.start_relay(sessions, outbox)
    rollup_worker = RollupWorker(service, relay, settings.outbox_poll_seconds, settings.rollup_pause_seconds)
    rollup_worker.start()

    async def apply(event: ReportAccepted) -> None:
        with metrics.handler_seconds.labels(consumer=CONSUMER).time():
            applied = await service.apply(event)
        (metrics.events_processed if applied else metrics.events_duplicate).labels(consumer=CONSUMER).inc()
        relay.wake()
        rollup_worker.wake()

    broker = make_broker(settings, "kpi", consumer, metrics, js)
    register_handlers(broker, consumer, apply)
    await broker.start()
    gauges = AttainmentGauges(sessions, gauges_metrics or attainment_metrics(metrics.registry))
    gauges.start()
    return Container(engine, sessions, service, runtime, broker, rollup_worker, gauges)


def create_app(settings: KpiSettings) -> FastAPI:
    configure_logging(settings.log_format, settings.log_level)
    metrics = common_metrics("kpi")
    gauges_metrics = attainment_metrics(metrics.registry)
    return service_app(
        "BDHVS KPI",
        "Attainment, pace, projection and status per unit and indicator, and for the province.",
        metrics.registry,
        lambda: start(settings, metrics, gauges_metrics),
        [attainment.router],
    )
