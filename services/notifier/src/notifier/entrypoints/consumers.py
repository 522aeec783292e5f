"""The notifier's consumers: KPI updates (AlertService) and accepted reports (the deadline ledger); thin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from faststream.nats import NatsBroker
from nats.js import JetStreamContext

from bdhvs_shared.events import AttainmentUpdated, ReportAccepted, subjects
from bdhvs_shared.nats.consumers import DurableConsumer
from bdhvs_shared.nats.subscriber import subscribe
from bdhvs_shared.runtime import make_broker
from notifier.entrypoints.metrics import NotifierMetrics
from notifier.service_layer.alerts import CONSUMER, AlertService
from notifier.service_layer.ledger import REPORTS_CONSUMER, DeadlineLedger
from notifier.settings import NotifierSettings

T = TypeVar("T")


def kpi_consumer(max_deliver: int = 8, ack_wait: float = 30.0) -> DurableConsumer:
    return DurableConsumer(
        stream="KPI",
        durable="notifier-kpi",
        filter_subject=subjects.KPI_ATTAINMENT_ALL,
        max_deliver=max_deliver,
        ack_wait_seconds=ack_wait,
    )


def register_handlers(
    broker: NatsBroker, consumer: DurableConsumer, apply: Callable[[AttainmentUpdated], Awaitable[None]]
) -> None:
    subscribe(
        broker,
        consumer,
        AttainmentUpdated,
        apply,
        "Queues notifications to the unit's recipients (email, SMS or webhook, as each prefers) "
        "when its status becomes at_risk or off_track.",
    )


def reports_consumer(max_deliver: int = 8, ack_wait: float = 30.0) -> DurableConsumer:
    return DurableConsumer(
        stream="REPORTS",
        durable="notifier-reports",
        filter_subject=subjects.REPORT_ACCEPTED_ALL,
        max_deliver=max_deliver,
        ack_wait_seconds=ack_wait,
    )


def register_report_handler(
    broker: NatsBroker, consumer: DurableConsumer, apply: Callable[[ReportAccepted], Awaitable[None]]
) -> None:
    subscribe(
        broker,
        consumer,
        ReportAccepted,
        apply,
        "Cancels the deadline ledger's pending reminders, overdue notice and escalation of the "
        "report's unit, form and period.",
    )


def event_handlers(
    service: AlertService, ledger: DeadlineLedger, metrics: NotifierMetrics
) -> tuple[Callable[[AttainmentUpdated], Awaitable[None]], Callable[[ReportAccepted], Awaitable[None]]]:
    """The KPI consumer's handler (alerts) and the reports consumer's (the ledger cancels), counted."""

    async def counted(consumer: str, work: Awaitable[T]) -> T:
        with metrics.handler_seconds.labels(consumer=consumer).time():
            result = await work
        (metrics.events_duplicate if result is None else metrics.events_processed).labels(
            consumer=consumer
        ).inc()  # None: a redelivery
        return result

    async def apply(event: AttainmentUpdated) -> None:
        await counted(CONSUMER, service.apply(event))

    async def cancel(event: ReportAccepted) -> None:
        for kind in await counted(REPORTS_CONSUMER, ledger.cancel(event)) or ():
            metrics.ledger.cancelled.labels(kind=kind).inc()

    return apply, cancel


def caught_up(js: JetStreamContext, consumer: DurableConsumer) -> Callable[[], Awaitable[bool]]:
    """True when the consumer has no message waiting or in flight."""

    async def check() -> bool:
        info = await js.consumer_info(consumer.stream, consumer.durable)
        return not (info.num_pending or info.num_ack_pending)

    return check


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
