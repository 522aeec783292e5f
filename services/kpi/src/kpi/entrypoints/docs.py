"""The API documents, generated from the code."""

from __future__ import annotations

from typing import Any

from bdhvs_shared.asyncapi import declare_publishers, document
from bdhvs_shared.events import (
    AttainmentUpdated,
    ConsolidatedReportProduced,
    ReportAccepted,
    ReportingUpdated,
    StatusChanged,
    subjects,
)
from bdhvs_shared.metrics import common_metrics
from bdhvs_shared.runtime import make_broker
from kpi.entrypoints.consumers import register_handlers, reports_consumer
from kpi.settings import KpiSettings

_DOCS = {
    "nats_url": "nats://docs.invalid:4222",
    "database_url": "postgresql+asyncpg://docs.invalid/x",
    "auth_url": "http://docs.invalid",
}


def asyncapi_document() -> dict[str, Any]:
    settings = KpiSettings(**_DOCS)  # type: ignore[arg-type]
    consumer = reports_consumer()
    broker = make_broker(settings, "kpi", consumer, common_metrics("kpi"))

    async def unused(_: ReportAccepted) -> None:  # the document needs the subscriber, not its work
        return None

    register_handlers(broker, consumer, unused)
    declare_publishers(
        broker,
        [
            (subjects.KPI_ATTAINMENT, "KPI", AttainmentUpdated),
            (subjects.KPI_STATUS, "KPI", StatusChanged),
            (subjects.KPI_REPORTING, "KPI", ReportingUpdated),
            (subjects.KPI_CONSOLIDATED, "KPI", ConsolidatedReportProduced),
        ],
    )
    return document(broker, "BDHVS KPI events", "Events the KPI service consumes and publishes.")


def openapi_document() -> dict[str, Any]:
    from kpi.bootstrap import create_app

    return create_app(KpiSettings(**_DOCS)).openapi()  # type: ignore[arg-type]
