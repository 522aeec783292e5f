"""The composition root of the notifier. Nothing is built at import."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx
from fastapi import FastAPI
from faststream.nats import NatsBroker
from nats.aio.client import Client
from nats.js import JetStreamContext
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bdhvs_shared.auth.introspection import TokenIntrospector
from bdhvs_shared.auth.routes import install_auth_errors
from bdhvs_shared.catalogue import Catalogue, load_catalogue
from bdhvs_shared.catalogue_follower import CatalogueFollower
from bdhvs_shared.clock import Clock, clock_from_iso
from bdhvs_shared.db.engine import make_engine, make_sessionmaker
from bdhvs_shared.events import AttainmentUpdated, ReportAccepted
from bdhvs_shared.http import service_app
from bdhvs_shared.logs import configure_logging
from bdhvs_shared.metrics import CommonMetrics, common_metrics
from bdhvs_shared.nats.consumers import DurableConsumer, ensure_consumer
from bdhvs_shared.nats.lag import watch_lag
from bdhvs_shared.runtime import EventRuntime, make_broker
from bdhvs_shared.worker import PollingWorker
from notifier.adapters.email import SmtpChannel
from notifier.adapters.messages import Messages
from notifier.adapters.sms_gateway import SmsGatewayChannel
from notifier.adapters.tables import outbox
from notifier.adapters.webhook import WebhookChannel
from notifier.domain.alerts import AlertPolicy
from notifier.domain.channel import Channel
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.directory import known_units_of
from notifier.domain.ledger import LedgerPolicy, ledger_forms
from notifier.domain.rate_limit import TokenBucket
from notifier.domain.retry import RetryPolicy
from notifier.domain.signing import ack_token
from notifier.entrypoints.consumers import (
    kpi_consumer,
    register_handlers,
    register_report_handler,
    reports_consumer,
)
from notifier.entrypoints.http import ack_link as ack_link_routes
from notifier.entrypoints.http import directory as directory_routes
from notifier.entrypoints.http import ledger as ledger_routes
from notifier.entrypoints.http import notifications
from notifier.entrypoints.http import violations as violation_routes
from notifier.entrypoints.http.errors import install_error_handlers
from notifier.entrypoints.workers.alert_tick import AlertTick
from notifier.entrypoints.workers.dispatcher import Dispatcher
from notifier.entrypoints.workers.ledger_tick import LedgerMetrics, LedgerTick, ledger_metrics
from notifier.service_layer.alert_groups import AlertGroups
from notifier.service_layer.alerts import CONSUMER, AlertService
from notifier.service_layer.deliver import Delivery, DeliveryCounters
from notifier.service_layer.directory_admin import DirectoryAdmin
from notifier.service_layer.ledger import REPORTS_CONSUMER, DeadlineLedger
from notifier.settings import NotifierSettings


@dataclass
class NotifierMetrics(CommonMetrics):
    notifications_sent: Counter
    notifications_failed: Counter
    notifications_retried: Counter
    ledger: LedgerMetrics

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
        ledger=ledger_metrics(base.registry),
    )


@dataclass
class Container:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
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

    @property
    def nc(self) -> Client | None:
        return self.runtime.nc

    async def close(self) -> None:
        await self.broker.stop()
        await self.follower.stop()
        await self.ledger_tick.stop()
        await self.alert_tick.stop()
        self.lag_watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.lag_watch
        for dispatcher in self.dispatchers:
            await dispatcher.stop()
        await self.http.aclose()
        await self.introspector.close()
        await self.runtime.close()
        await self.engine.dispose()


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
    )


def delivery_policy(settings: NotifierSettings) -> DeliveryPolicy:
    """One policy for every queued notification: alerts and the ledger's alike."""
    sms = settings.sms
    return DeliveryPolicy(settings.enabled_channels, sms.keep_diacritics, sms.quiet_hours)


def channels(settings: NotifierSettings, client: httpx.AsyncClient) -> list[tuple[Channel, float]]:
    """(channel, sends per second): email always; SMS and webhooks only when configured."""
    smtp, sms, webhooks = settings.smtp, settings.sms, settings.webhooks
    out: list[tuple[Channel, float]] = [(SmtpChannel(smtp), smtp.rate_per_second)]
    if "sms" in settings.enabled_channels:
        out.append((SmsGatewayChannel(sms, client), sms.rate_per_second))
    if "webhook" in settings.enabled_channels:
        out.append((WebhookChannel(webhooks, client), webhooks.rate_per_second))
    return out


def dispatchers(
    settings: NotifierSettings,
    sessions: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    clock: Clock,
    counters: DeliveryCounters,
    relay: PollingWorker | None,
    delivery: DeliveryPolicy,
) -> list[Dispatcher]:
    """The channels this notifier is configured for, each with its own dispatcher and rate limit."""
    dispatch = settings.dispatch
    policy = RetryPolicy(dispatch.max_send_attempts, dispatch.retry_base_seconds, dispatch.retry_max_seconds)
    return [
        Dispatcher(
            Delivery(
                sessions,
                channel,
                # A burst of one second's worth (at least one): a backlog drains at the rate, not at once.
                TokenBucket(rate, max(1, math.ceil(rate)), time.monotonic()),
                policy,
                clock,
                counters,
                quiet=delivery.quiet_for(channel.name),
            ),
            dispatch.poll_seconds,
            on_published=relay,
        )
        for channel, rate in channels(settings, client)
    ]


def caught_up(js: JetStreamContext, consumer: DurableConsumer) -> Callable[[], Awaitable[bool]]:
    """True when the consumer has no report waiting or in flight."""

    async def check() -> bool:
        info = await js.consumer_info(consumer.stream, consumer.durable)
        return not (info.num_pending or info.num_ack_pending)

    return check


async def start(
    settings: NotifierSettings, metrics: NotifierMetrics, clock: Clock | None = None
) -> Container:
    catalogue = load_catalogue()
    policy, forms = ledger_policy(settings), ledger_forms(catalogue, settings.ledger.forms)
    consumer = kpi_consumer(settings.max_deliver, settings.ack_wait_seconds)
    reports = reports_consumer(settings.max_deliver, settings.ack_wait_seconds)
    runtime = EventRuntime(settings, "notifier", ["REPORTS", "KPI", "ALERTS", "DLQ"], consumer, metrics)
    js = await runtime.connect()
    await ensure_consumer(js, reports)
    engine = make_engine(settings.database_url, settings.db_pool)
    sessions = make_sessionmaker(engine)
    clock = clock or clock_from_iso(settings.clock_start)
    relay = runtime.start_relay(sessions, outbox)
    http = httpx.AsyncClient(follow_redirects=False)
    delivery = delivery_policy(settings)
    workers = dispatchers(settings, sessions, http, clock, metrics.delivery, relay, delivery)
    for worker in workers:
        worker.start()
    messages = Messages(catalogue)
    service, alert_tick, ack_secret = alert_use_cases(settings, sessions, messages, clock, delivery, workers)
    ledger = DeadlineLedger(sessions, catalogue, messages, clock, policy, forms, delivery)
    tick = LedgerTick(ledger, settings.ledger.tick_seconds, workers, caught_up(js, reports), metrics.ledger)
    directory = DirectoryAdmin(sessions, clock, lambda: known_units_of(messages.catalogue))
    await directory.seed_rules_if_empty()
    follower = await follow_catalogue(settings, js, messages, ledger)
    broker = await start_broker(settings, js, (consumer, reports), metrics, service, ledger)
    if settings.ledger.enabled:
        tick.start()
    alert_tick.start()
    lag = asyncio.create_task(watch_lag(js, reports, metrics))
    return Container(
        engine,
        sessions,
        runtime,
        broker,
        workers,
        http,
        clock,
        ledger,
        tick,
        lag,
        follower,
        directory,
        token_introspector(settings),
        alerts=service,
        alert_tick=alert_tick,
        ack_secret=ack_secret,
        ack_page_url=settings.notifier_ack_page_url,
    )


def alert_use_cases(
    settings: NotifierSettings,
    sessions: async_sessionmaker[AsyncSession],
    messages: Messages,
    clock: Clock,
    delivery: DeliveryPolicy,
    workers: list[Dispatcher],
) -> tuple[AlertService, AlertTick, bytes]:
    """The alert service (KPI updates → violations), the alert tick and the acknowledge links' key."""
    alerts = settings.alerts
    policy = AlertPolicy(
        repeat_interval=timedelta(days=alerts.repeat_days),
        group_wait=timedelta(seconds=alerts.group_wait_seconds),
        province=alerts.province_unit_code,
    )
    service = AlertService(sessions, clock, policy, delivery.channels)
    ack_secret = settings.ack_secret()
    link = ack_link(alerts.public_url, ack_secret, settings.notifier_ack_page_url)
    groups = AlertGroups(sessions, messages, clock, policy, link, delivery)
    return service, AlertTick(groups, alerts.tick_seconds, workers), ack_secret


async def follow_catalogue(
    settings: NotifierSettings, js: JetStreamContext, messages: Messages, ledger: DeadlineLedger
) -> CatalogueFollower:
    """Load the published catalogue now, then follow it: texts and the ledger switch to a new version."""

    def switch(new: Catalogue) -> None:  # an admin published a new catalogue version
        messages.catalogue = ledger.catalogue = new
        ledger.forms = ledger_forms(new, settings.ledger.forms)

    follower = CatalogueFollower(js, lambda: messages.catalogue, switch, settings.catalogue_poll_seconds)
    await follower.run_once()
    follower.start()
    return follower


async def start_broker(
    settings: NotifierSettings,
    js: JetStreamContext,
    consumers: tuple[DurableConsumer, DurableConsumer],
    metrics: NotifierMetrics,
    service: AlertService,
    ledger: DeadlineLedger,
) -> NatsBroker:
    """Subscribe the KPI consumer (alerts) and the reports consumer (the ledger), then start."""
    consumer, reports = consumers
    broker = make_broker(settings, "notifier", consumer, metrics, js)
    apply, cancel = event_handlers(service, ledger, metrics)
    register_handlers(broker, consumer, apply)
    register_report_handler(broker, reports, cancel)
    await broker.start()
    return broker


def event_handlers(
    service: AlertService, ledger: DeadlineLedger, metrics: NotifierMetrics
) -> tuple[Callable[[AttainmentUpdated], Awaitable[None]], Callable[[ReportAccepted], Awaitable[None]]]:
    """The KPI consumer's handler (alerts) and the reports consumer's (the ledger cancels), counted."""

    async def apply(event: AttainmentUpdated) -> None:
        with metrics.handler_seconds.labels(consumer=CONSUMER).time():
            queued = await service.apply(event)
        (metrics.events_duplicate if queued is None else metrics.events_processed).labels(
            consumer=CONSUMER
        ).inc()

    async def cancel(event: ReportAccepted) -> None:
        with metrics.handler_seconds.labels(consumer=REPORTS_CONSUMER).time():
            cancelled = await ledger.cancel(event)
        (metrics.events_duplicate if cancelled is None else metrics.events_processed).labels(
            consumer=REPORTS_CONSUMER
        ).inc()
        for kind in cancelled or ():
            metrics.ledger.cancelled.labels(kind=kind).inc()

    return apply, cancel


def token_introspector(settings: NotifierSettings) -> TokenIntrospector:
    return TokenIntrospector(
        settings.required_auth_url(),
        settings.auth_cache_seconds,
        stale_seconds=settings.auth_stale_seconds,
    )


def ack_link(public_url: str, secret: bytes, page_url: str = "") -> Callable[[int, str], str]:
    """The acknowledge link of a violation for one recipient, signed so it cannot be forged: to the web
    service's confirm page when NOTIFIER_ACK_PAGE_URL is set, else to this notifier's own."""
    base = public_url.rstrip("/")

    def link(violation_id: int, recipient: str) -> str:
        token = ack_token(secret, violation_id, recipient)
        if page_url:
            return f"{page_url.rstrip('/')}/{violation_id}?token={token}"
        return f"{base}/api/v1/violations/{violation_id}/acknowledge?token={token}"

    return link


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
        ],
    )
    install_error_handlers(app)
    install_auth_errors(app)
    return app
