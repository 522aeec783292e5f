"""The notifier's consumers: KPI updates (AlertService) and accepted reports (the deadline ledger); thin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from faststream.nats import NatsBroker

from bdhvs_shared.events import AttainmentUpdated, ReportAccepted, subjects
from bdhvs_shared.nats.consumers import DurableConsumer
from bdhvs_shared.nats.subscriber import subscribe


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
