"""The consumers' and publishers' Prometheus series are labelled by the kind of event, never by a
subject's unit code or indicator (one series per kind, however many units and indicators)."""

from __future__ import annotations

import pytest
from faststream.nats import NatsBroker, TestNatsBroker
from prometheus_client import CollectorRegistry

from bdhvs_shared.events import subjects
from bdhvs_shared.nats.metric_labels import prometheus_middleware


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (subjects.report_accepted("07642"), subjects.REPORT_ACCEPTED_ALL),
        (subjects.kpi_attainment("07642", "dinh_danh_16"), subjects.KPI_ATTAINMENT_ALL),
        (subjects.kpi_status("09238", "c"), subjects.KPI_STATUS_ALL),
        (subjects.kpi_reporting("monthly"), subjects.KPI_REPORTING_ALL),
        (subjects.kpi_consolidated("2026-11"), subjects.KPI_CONSOLIDATED_ALL),
        (subjects.notification_sent("07642"), "bdhvs.notification.sent.>"),
        (subjects.CATALOGUE_PUBLISHED, subjects.CATALOGUE_PUBLISHED),
    ],
)
def test_a_subjects_family_drops_its_unit_indicator_form_and_period(subject: str, expected: str) -> None:
    assert subjects.family(subject) == expected


def _handlers(registry: CollectorRegistry, metric: str, label: str) -> dict[str, float]:
    return {
        s.labels[label]: s.value for family in registry.collect() for s in family.samples if s.name == metric
    }


async def test_messages_of_many_units_make_one_series_per_kind_of_event() -> None:
    registry = CollectorRegistry()
    broker = NatsBroker(middlewares=[prometheus_middleware(registry, "notifier")])

    @broker.subscriber(subjects.KPI_ATTAINMENT_ALL)
    async def handle(body: dict[str, str]) -> None:
        return None

    async with TestNatsBroker(broker) as test_broker:
        for unit, indicator in [("07642", "d"), ("09238", "c"), ("07594", "dinh_danh_16")]:
            await test_broker.publish({"unit": unit}, subjects.kpi_attainment(unit, indicator))

    received = _handlers(registry, "faststream_received_messages_total", "handler")
    published = _handlers(registry, "faststream_published_messages_total", "destination")
    assert received == {subjects.KPI_ATTAINMENT_ALL: 3}
    assert published == {subjects.KPI_ATTAINMENT_ALL: 3}
