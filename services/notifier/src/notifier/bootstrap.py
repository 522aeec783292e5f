"""The composition root of the notifier. Nothing is built at import.

`create_app` makes the FastAPI app; its lifespan calls `start`, which builds everything in order:
the bus and the database, the channel dispatchers, the use cases (alerts, the deadline ledger, the
directory) on the PostgreSQL stores, the catalogue follower (entrypoints/workers/catalogue.py), the
consumers (entrypoints/consumers.py), then the ticks. The builders below `start` each make one part
from its settings group.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from faststream.nats import NatsBroker
from nats.aio.client import Client
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bdhvs_shared.auth.introspection import TokenIntrospector
from bdhvs_shared.auth.routes import install_auth_errors
from bdhvs_shared.catalogue import Catalogue, load_catalogue
from bdhvs_shared.catalogue_follower import CatalogueFollower
from bdhvs_shared.clock import Clock, clock_from_iso, on_file_clock_change
from bdhvs_shared.db.engine import make_engine, make_sessionmaker
from bdhvs_shared.http import service_app
from bdhvs_shared.logs import configure_logging
from bdhvs_shared.nats.consumers import ensure_consumer
from bdhvs_shared.nats.lag import watch_lag
from bdhvs_shared.runtime import EventRuntime
from notifier.adapters.channels import channels
from notifier.adapters.messages import Messages
from notifier.adapters.stores import transactions
from notifier.adapters.tables import outbox
from notifier.domain.alerts import AlertPolicy
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.directory import known_units_of
from notifier.domain.ledger import LedgerPolicy, ledger_forms
from notifier.domain.signing import ack_link
from notifier.entrypoints.consumers import caught_up, kpi_consumer, reports_consumer, start_broker
from notifier.entrypoints.http import ack_link as ack_link_routes
from notifier.entrypoints.http import directory as directory_routes
from notifier.entrypoints.http import ledger as ledger_routes
from notifier.entrypoints.http import notifications
from notifier.entrypoints.http import sms_receipts as sms_receipt_routes
from notifier.entrypoints.http import violations as violation_routes
from notifier.entrypoints.http.errors import install_error_handlers
from notifier.entrypoints.metrics import NotifierMetrics, notifier_metrics
from notifier.entrypoints.workers.alert_tick import AlertTick
from notifier.entrypoints.workers.catalogue import follow_catalogue
from notifier.entrypoints.workers.dispatcher import Dispatcher, dispatchers
from notifier.entrypoints.workers.ledger_tick import LedgerTick
from notifier.entrypoints.workers.precedence import TicksFirst
from notifier.service_layer.alert_groups import AlertGroups
from notifier.service_layer.alerts import AlertService
from notifier.service_layer.directory_admin import DirectoryAdmin
from notifier.service_layer.ledger import DeadlineLedger
from notifier.service_layer.ports import Transactions
from notifier.settings import NotifierSettings


def create_app(settings: NotifierSettings, clock: Clock | None = None) -> FastAPI:
    """`clock`: tests move time by hand; otherwise the system clock (or BDHVS_CLOCK_START)."""
    settings.ack_secret()  # fail fast: alert emails carry links signed with it
    configure_logging(settings.log_format, settings.log_level)
    settings.required_auth_url()  # fail at start, not at the first request
    metrics = notifier_metrics()
    app = service_app(
        "BDHVS notifier",
        "Alerts by email, SMS and webhooks when a unit's KPI falls below its target trajectory; "
        "deadline reminders, overdue notices, escalations, summaries and the operators' consolidation "
        "reminder (the deadline ledger); the delivery log; the contact directory and routing rules "
        "(admin API, audited). Every /api/v1 route takes an operator's or admin's intake token "
        "(the directory: an admin's).",
        metrics.registry,
        lambda: start(settings, metrics, clock),
        [
            notifications.router,
            ledger_routes.router,
            directory_routes.router,
            violation_routes.router,
            ack_link_routes.router,
            sms_receipt_routes.router,
        ],
    )
    install_error_handlers(app)
    install_auth_errors(app)
    return app


@dataclass
class Container:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    transactions: Transactions
    runtime: EventRuntime
    broker: NatsBroker
    dispatchers: list[Dispatcher]
    http: httpx.AsyncClient
    clock: Clock
    ledger: DeadlineLedger
    ledger_tick: LedgerTick
    lag_watch: asyncio.Task[None]
    follower: CatalogueFollower
    directory: DirectoryAdmin
    introspector: TokenIntrospector
    alerts: AlertService
    alert_tick: AlertTick
    ack_secret: bytes
    ack_page_url: str = ""
    clock_watch: asyncio.Task[None] | None = None  # demo only (FileClock): the ticks run when it moves

    @property
    def nc(self) -> Client | None:
        return self.runtime.nc

    async def close(self) -> None:
        await self.broker.stop()
        await self.follower.stop()
        await self.ledger_tick.stop()
        await self.alert_tick.stop()
        for task in (self.lag_watch, self.clock_watch):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for dispatcher in self.dispatchers:
            await dispatcher.stop()
        await self.http.aclose()
        await self.introspector.close()
        await self.runtime.close()
        await self.engine.dispose()


async def start(
    settings: NotifierSettings, metrics: NotifierMetrics, clock: Clock | None = None
) -> Container:
    catalogue = load_catalogue()
    consumer = kpi_consumer(settings.max_deliver, settings.ack_wait_seconds)
    reports = reports_consumer(settings.max_deliver, settings.ack_wait_seconds)
    runtime = EventRuntime(settings, "notifier", ["REPORTS", "KPI", "ALERTS", "DLQ"], consumer, metrics)
    js = await runtime.connect()
    await ensure_consumer(js, reports)
    engine = make_engine(settings.database_url, settings.db_pool, "notifier")
    sessions = make_sessionmaker(engine)
    stores = transactions(sessions)
    clock = clock or clock_from_iso(settings.clock_start)
    relay = runtime.start_relay(sessions, outbox)
    http = httpx.AsyncClient(follow_redirects=False)
    delivery = delivery_policy(settings)
    precedence = TicksFirst()  # the ticks before the dispatchers (entrypoints/workers/precedence.py)
    workers = dispatchers(
        channels(settings, http),
        stores,
        settings.dispatch,
        clock,
        metrics.delivery,
        relay,
        delivery,
        precedence,
    )
    for worker in workers:
        worker.start()
    messages = Messages(catalogue)
    service, alert_tick, ack_secret = alert_use_cases(
        settings, stores, messages, clock, delivery, workers, precedence
    )
    policy, forms = ledger_policy(settings), ledger_forms(catalogue, settings.ledger.forms)
    ledger = DeadlineLedger(
        stores, catalogue, messages, clock, policy, forms, delivery, go_live(settings, catalogue)
    )
    tick = LedgerTick(
        ledger,
        settings.ledger.tick_seconds,
        workers,
        caught_up(js, reports),
        metrics.ledger,
        precedence=precedence,
    )
    directory = DirectoryAdmin(stores, clock, lambda: known_units_of(messages.catalogue))
    await directory.seed_rules_if_empty()
    follower = await follow_catalogue(settings, js, messages, ledger, (service, alert_tick.groups))
    broker = await start_broker(settings, js, (consumer, reports), metrics, service, ledger)
    if settings.ledger.enabled:
        tick.start()
    alert_tick.start()
    lag = asyncio.create_task(watch_lag(js, reports, metrics))
    wakes = [w.wake for w in (tick, alert_tick, *workers)]
    moved = asyncio.create_task(on_file_clock_change(clock, wakes))
    return Container(
        engine, sessions, stores, runtime, broker, workers, http, clock, ledger, tick, lag, follower,
        directory, token_introspector(settings), service, alert_tick, ack_secret,
        settings.notifier_ack_page_url, moved,
    )  # fmt: skip


def delivery_policy(settings: NotifierSettings) -> DeliveryPolicy:
    """One policy for every queued notification: alerts and the ledger's alike."""
    sms = settings.sms
    return DeliveryPolicy(
        settings.enabled_channels,
        sms.keep_diacritics,
        sms.quiet_hours,
        working_days_only=True,
        working_hours=settings.office_hours,
        alerts_any_time=settings.alerts_outside_working_hours,
    )


def alert_use_cases(
    settings: NotifierSettings,
    stores: Transactions,
    messages: Messages,
    clock: Clock,
    delivery: DeliveryPolicy,
    workers: list[Dispatcher],
    precedence: TicksFirst | None = None,
) -> tuple[AlertService, AlertTick, bytes]:
    """The alert service (KPI updates → violations), the alert tick and the acknowledge links' key."""
    alerts = settings.alerts
    policy = AlertPolicy(
        province=messages.catalogue.province.code,  # follow_catalogue switches it with the catalogue
        repeat_interval=timedelta(days=alerts.repeat_days),
        group_wait=timedelta(seconds=alerts.group_wait_seconds),
    )
    service = AlertService(stores, clock, policy, delivery.channels)
    ack_secret = settings.ack_secret()
    link = ack_link(alerts.public_url, ack_secret, settings.notifier_ack_page_url)
    groups = AlertGroups(stores, messages, clock, policy, link, delivery)
    return service, AlertTick(groups, alerts.tick_seconds, workers, precedence=precedence), ack_secret


def go_live(settings: NotifierSettings, catalogue: Catalogue) -> datetime | None:
    """LEDGER_GO_LIVE as 00:00 local; None: the ledger's stored first start decides."""
    day = settings.ledger.go_live
    return None if day is None else datetime.combine(day, time(), tzinfo=ZoneInfo(catalogue.timezone))


def ledger_policy(settings: NotifierSettings) -> LedgerPolicy:
    ledger, consolidation = settings.ledger, settings.consolidation
    return LedgerPolicy(
        reminder_days=ledger.reminder_days,
        escalation_days=ledger.escalation_days,
        send_hour=ledger.send_hour,
        catch_up_days=ledger.catch_up_days,
        inclusive=ledger.deadline_inclusive,
        consolidation_day=consolidation.day,
        consolidation_days_before=consolidation.days_before,
        consolidation_hour=consolidation.hour,
        deadline_working_day=settings.deadline_working_day,
        early_days=settings.report_early_days,
    )


def token_introspector(settings: NotifierSettings) -> TokenIntrospector:
    return TokenIntrospector(
        settings.required_auth_url(),
        settings.auth_cache_seconds,
        stale_seconds=settings.auth_stale_seconds,
    )
