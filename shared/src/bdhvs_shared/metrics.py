"""Prometheus: one registry per service, with the counters every service shares."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bdhvs_shared.db.outbox import OutboxMetrics


@dataclass
class CommonMetrics:
    registry: CollectorRegistry
    outbox: OutboxMetrics
    events_processed: Counter
    events_duplicate: Counter
    dead_lettered: Counter
    consumer_pending: Gauge
    consumer_ack_pending: Gauge
    consumer_redelivered: Gauge
    handler_seconds: Histogram
    dlq_messages: Gauge


class WorkerHeartbeats(Collector):
    """When each background worker of this process last ran without failing (Unix time)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from bdhvs_shared.worker import RUNNING

        family = GaugeMetricFamily(
            "bdhvs_worker_last_success_timestamp_seconds",
            "Unix time of the last successful run of each background worker (relay, dispatcher, ticks)",
            labels=["worker"],
        )
        for worker in list(RUNNING):
            if worker.last_success is not None:
                family.add_metric([worker.name], worker.last_success)
        yield family


def common_metrics(service: str) -> CommonMetrics:
    registry = CollectorRegistry()
    registry.register(WorkerHeartbeats())
    outbox = _outbox_metrics(registry)  # registered in this order: /metrics lists them so
    processed, duplicate, dead_lettered = _event_counters(registry)
    pending, ack_pending, redelivered = _consumer_gauges(registry)
    handler_seconds = Histogram(
        "bdhvs_handler_seconds", f"{service}: time to apply one event", ["consumer"], registry=registry
    )
    dlq_messages = Gauge(
        "bdhvs_dlq_messages",
        "Messages in the DLQ stream (all consumers), as JetStream counts them",
        registry=registry,
    )
    return CommonMetrics(
        registry=registry,
        outbox=outbox,
        events_processed=processed,
        events_duplicate=duplicate,
        dead_lettered=dead_lettered,
        consumer_pending=pending,
        consumer_ack_pending=ack_pending,
        consumer_redelivered=redelivered,
        handler_seconds=handler_seconds,
        dlq_messages=dlq_messages,
    )


def _outbox_metrics(r: CollectorRegistry) -> OutboxMetrics:
    return OutboxMetrics(
        published=Counter("bdhvs_outbox_published", "Outbox rows published to JetStream", registry=r),
        oldest_age=Gauge(
            "bdhvs_outbox_oldest_unpublished_seconds",
            "Age of the oldest outbox row not yet published (0 when empty)",
            registry=r,
        ),
    )


def _event_counters(r: CollectorRegistry) -> tuple[Counter, Counter, Counter]:
    """Events applied, skipped as duplicates, dead-lettered."""
    return (
        Counter("bdhvs_events_processed", "Events consumed and applied", ["consumer"], registry=r),
        Counter(
            "bdhvs_events_duplicate",
            "Redelivered events skipped as already processed",
            ["consumer"],
            registry=r,
        ),
        Counter("bdhvs_events_dead_lettered", "Messages sent to the DLQ stream", ["consumer"], registry=r),
    )


def _consumer_gauges(r: CollectorRegistry) -> tuple[Gauge, Gauge, Gauge]:
    """A durable consumer's pending, ack-pending and redelivered counts."""
    return (
        Gauge(
            "bdhvs_consumer_num_pending", "Messages in the stream not yet delivered", ["consumer"], registry=r
        ),
        Gauge("bdhvs_consumer_num_ack_pending", "Delivered, not yet acknowledged", ["consumer"], registry=r),
        Gauge(
            "bdhvs_consumer_num_redelivered", "Messages redelivered at least once", ["consumer"], registry=r
        ),
    )
