"""Prometheus: how long each page takes, by route template (not by URL: no unit codes in labels)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass
class WebMetrics:
    registry: CollectorRegistry
    page_seconds: Histogram
    api_refusals: Counter


def web_metrics() -> WebMetrics:
    registry = CollectorRegistry()
    return WebMetrics(
        registry=registry,
        page_seconds=Histogram(
            "bdhvs_web_page_seconds",
            "Server time of a page or fragment, by route template",
            ["route", "method", "status"],
            registry=registry,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
        ),
        api_refusals=Counter(
            "bdhvs_web_api_failures",
            "Calls to intake, kpi or the notifier that failed, by kind",
            ["kind"],
            registry=registry,
        ),
    )
