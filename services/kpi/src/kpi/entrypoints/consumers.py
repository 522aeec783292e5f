"""The KPI consumer: thin; the work is in KpiService."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bdhvs_shared.events import ReportAccepted, subjects
from bdhvs_shared.nats.consumers import DurableConsumer

if TYPE_CHECKING:  # FastStream is imported by the service only: `kpi rebuild` starts without it
    from faststream.nats import NatsBroker


def reports_consumer(max_deliver: int = 8, ack_wait: float = 30.0) -> DurableConsumer:
    return DurableConsumer(
        stream="REPORTS",
        durable="kpi-reports",
        filter_subject=subjects.REPORT_ACCEPTED_ALL,
        max_deliver=max_deliver,
        ack_wait_seconds=ack_wait,
    )


def register_handlers(
    broker: NatsBroker,
    consumer: DurableConsumer,
    apply: Callable[[ReportAccepted], Awaitable[None]],
    batch_size: int = 1,
) -> None:
    from bdhvs_shared.nats.subscriber import subscribe

    subscribe(
        broker,
        consumer,
        ReportAccepted,
        apply,
        "Applies each accepted report revision to the unit's and the province's projections.",
        batch_size,
    )
