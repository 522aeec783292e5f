"""The notifier's Prometheus metrics: the common ones, deliveries by channel and the ledger's."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter

from bdhvs_shared.metrics import CommonMetrics, common_metrics
from notifier.entrypoints.workers.ledger_tick import LedgerMetrics, ledger_metrics
from notifier.service_layer.deliver import DeliveryCounters


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
