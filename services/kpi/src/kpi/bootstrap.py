"""The composition root of the KPI service. Nothing is built at import.

The web and broker halves (FastAPI, FastStream, the HTTP routes, the token introspector) are
imported by `start` and `create_app`, which use them: `kpi rebuild` and `kpi verify` build the
service alone (`build_service`, `catalogue_follower`) and start faster without them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.catalogue_follower import CatalogueFollower
from bdhvs_shared.clock import clock_from_iso, on_file_clock_change
from bdhvs_shared.db.engine import make_engine, make_sessionmaker
from bdhvs_shared.events import ReportAccepted
from bdhvs_shared.logs import configure_logging
from bdhvs_shared.metrics import CommonMetrics, common_metrics
from bdhvs_shared.worker import PollingWorker
from kpi.adapters import report_stores
from kpi.adapters.tables import outbox
from kpi.domain.projection import ProjectionRules
from kpi.entrypoints.batcher import Batcher
from kpi.entrypoints.consumers import register_handlers, reports_consumer
from kpi.entrypoints.workers.attainment_gauges import AttainmentGauges, AttainmentMetrics, attainment_metrics
from kpi.entrypoints.workers.rollup_worker import RollupWorker
from kpi.entrypoints.workers.status_tick import StatusTick
from kpi.service_layer.apply_batch import apply_batch
from kpi.service_layer.apply_report import CONSUMER, KpiService
from kpi.settings import KpiSettings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from faststream.nats import NatsBroker

    from bdhvs_shared.auth.introspection import TokenIntrospector
    from bdhvs_shared.runtime import EventRuntime
    from kpi.entrypoints.workers.consolidation_tick import ConsolidationTick


@dataclass
class Container:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    service: KpiService
    runtime: EventRuntime
    broker: NatsBroker
    rollup_worker: RollupWorker
    status_tick: StatusTick
    consolidation_tick: ConsolidationTick
    follower: CatalogueFollower
    introspector: TokenIntrospector
    gauges: AttainmentGauges | None = field(default=None)
    clock_watch: asyncio.Task[None] | None = None  # demo only (FileClock): the ticks run when it moves

    @property
    def nc(self) -> Client | None:
        return self.runtime.nc

    async def close(self) -> None:
        await self.broker.stop()
        await self.follower.stop()
        await self.rollup_worker.stop()
        await self.status_tick.stop()
        await self.consolidation_tick.stop()
        if self.clock_watch is not None:
            self.clock_watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.clock_watch
        if self.gauges is not None:
            await self.gauges.stop()
        await self.introspector.close()
        await self.runtime.close()
        await self.engine.dispose()


def build_service(settings: KpiSettings, sessions: async_sessionmaker[AsyncSession]) -> KpiService:
    return KpiService(
        transactions=report_stores.transactions(sessions, CONSUMER),
        catalogue=load_catalogue(),
        clock=clock_from_iso(settings.clock_start),
        tz=ZoneInfo(settings.timezone),
        rules=ProjectionRules(
            window_days=settings.window_days, at_risk_margin=settings.at_risk_margin_pp / 100
        ),
        deadline_inclusive=settings.deadline_inclusive,
        early_days=settings.report_early_days,
        deadline_working_day=settings.deadline_working_day,
    )


def catalogue_follower(js: JetStreamContext, service: KpiService, poll_seconds: float) -> CatalogueFollower:
    """Switches `service` to each catalogue an admin publishes (its `run_once`: to the one in force)."""
    return CatalogueFollower(
        js, lambda: service.catalogue, lambda c: setattr(service, "catalogue", c), poll_seconds
    )


async def start(
    settings: KpiSettings, metrics: CommonMetrics, gauges_metrics: AttainmentMetrics | None = None
) -> Container:
    from bdhvs_shared.auth.introspection import TokenIntrospector
    from bdhvs_shared.runtime import EventRuntime, make_broker

    consumer = reports_consumer(settings.max_deliver, settings.ack_wait_seconds)
    runtime = EventRuntime(settings, "kpi", ["REPORTS", "KPI", "DLQ"], consumer, metrics)
    js = await runtime.connect()
    engine = make_engine(settings.database_url, settings.db_pool, "kpi")
    sessions = make_sessionmaker(engine)
    service = build_service(settings, sessions)
    follower = catalogue_follower(js, service, settings.catalogue_poll_seconds)
    await follower.run_once()  # the published catalogue before the first report is applied
    follower.start()
    relay = runtime.start_relay(sessions, outbox)
    rollup_worker, status_tick, consolidation_tick = _start_workers(settings, service, relay)
    broker = make_broker(settings, "kpi", consumer, metrics, js)
    register_handlers(
        broker,
        consumer,
        _applier(settings, service, metrics, relay, rollup_worker),
        settings.consume_batch_size,
    )
    await broker.start()
    gauges = AttainmentGauges(
        service, gauges_metrics or attainment_metrics(metrics.registry), service.catalogue.province.code
    )
    gauges.start()
    introspector = TokenIntrospector(
        settings.required_auth_url(),
        settings.auth_cache_seconds,
        stale_seconds=settings.auth_stale_seconds,
    )
    return Container(
        engine,
        sessions,
        service,
        runtime,
        broker,
        rollup_worker,
        status_tick,
        consolidation_tick,
        follower,
        introspector,
        gauges,
        asyncio.create_task(on_file_clock_change(service.clock, [status_tick.wake, consolidation_tick.wake])),
    )


def _start_workers(
    settings: KpiSettings, service: KpiService, relay: PollingWorker
) -> tuple[RollupWorker, StatusTick, ConsolidationTick]:
    """The roll-up worker, the daily status tick and the consolidation tick, started."""
    from kpi.adapters import consolidated_files  # Jinja2 and the workbook's writer: the serving side only
    from kpi.entrypoints.workers.consolidation_tick import ConsolidationSchedule, ConsolidationTick

    rollup_worker = RollupWorker(service, relay, settings.outbox_poll_seconds, settings.rollup_pause_seconds)
    rollup_worker.start()
    status_tick = StatusTick(service, relay, settings.status_tick_seconds)
    status_tick.start()
    schedule = ConsolidationSchedule(
        settings.consolidation_day, settings.consolidation_hour, settings.public_base_url
    )
    consolidation_tick = ConsolidationTick(
        service, consolidated_files, relay, schedule, settings.status_tick_seconds
    )
    consolidation_tick.start()
    return rollup_worker, status_tick, consolidation_tick


def _applier(
    settings: KpiSettings,
    service: KpiService,
    metrics: CommonMetrics,
    relay: PollingWorker,
    rollup_worker: RollupWorker,
) -> Callable[[ReportAccepted], Awaitable[None]]:
    """What the consumer calls per report: batched (`apply_batch`), counted, then the relay woken."""
    batcher = Batcher(lambda events: apply_batch(service, events), service.apply, settings.consume_batch_size)

    async def apply(event: ReportAccepted) -> None:
        with metrics.handler_seconds.labels(consumer=CONSUMER).time():
            applied = await batcher.submit(event)
        (metrics.events_processed if applied else metrics.events_duplicate).labels(consumer=CONSUMER).inc()
        relay.wake()
        rollup_worker.wake()

    return apply


def create_app(settings: KpiSettings) -> FastAPI:
    from bdhvs_shared.api import install_error_handlers
    from bdhvs_shared.auth.routes import install_auth_errors
    from bdhvs_shared.http import service_app
    from kpi.entrypoints.http import attainment, completeness, consolidated, groups, history, views

    configure_logging(settings.log_format, settings.log_level)
    settings.required_auth_url()  # fail at start, not at the first request
    metrics = common_metrics("kpi")
    gauges_metrics = attainment_metrics(metrics.registry)
    app = service_app(
        "BDHVS KPI",
        "Attainment, pace, projection and status per unit and indicator, and for the province. "
        "Every /api/v1 route takes an intake token (Authorization: Bearer …).",
        metrics.registry,
        lambda: start(settings, metrics, gauges_metrics),
        [
            attainment.router,
            history.router,
            views.router,
            groups.router,
            completeness.router,
            consolidated.router,
        ],
    )
    install_error_handlers(app)
    install_auth_errors(app)
    return app
