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
    r = registry
    return CommonMetrics(
        registry=registry,
        outbox=OutboxMetrics(
            published=Counter("bdhvs_outbox_published", "Outbox rows published to JetStream", registry=r),
            oldest_age=Gauge(
                "bdhvs_outbox_oldest_unpublished_seconds",
                "Age of the oldest outbox row not yet published (0 when empty)",
                registry=r,
            ),
        ),
        events_processed=Counter(
            "bdhvs_events_processed", "Events consumed and applied", ["consumer"], registry=r
        ),
        events_duplicate=Counter(
            "bdhvs_events_duplicate",
            "Redelivered events skipped as already processed",
            ["consumer"],
            registry=r,
        ),
        dead_lettered=Counter(
            "bdhvs_events_dead_lettered", "Messages sent to the DLQ stream", ["consumer"], registry=r
        ),
        consumer_pending=Gauge(
            "bdhvs_consumer_num_pending",
            "Messages in the stream not yet delivered",
            ["consumer"],
            registry=r,
        ),
        consumer_ack_pending=Gauge(
            "bdhvs_consumer_num_ack_pending",
            "Delivered, not yet acknowledged",
            ["consumer"],
            registry=r,
        ),
        consumer_redelivered=Gauge(
            "bdhvs_consumer_num_redelivered",
            "Messages redelivered at least once",
            ["consumer"],
            registry=r,
        ),
        handler_seconds=Histogram(
            "bdhvs_handler_seconds", f"{service}: time to apply one event", ["consumer"], registry=r
        ),
        dlq_messages=Gauge(
            "bdhvs_dlq_messages",
            "Messages in the DLQ stream (all consumers), as JetStream counts them",
            registry=r,
        ),
    )
