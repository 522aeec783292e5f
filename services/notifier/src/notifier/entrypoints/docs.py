"""The API documents, generated from the code."""

from __future__ import annotations

from typing import Any

from bdhvs_shared.asyncapi import declare_publishers, document
from bdhvs_shared.events import (
    AttainmentUpdated,
    NotificationFailed,
    NotificationSent,
    ReportAccepted,
    subjects,
)
from bdhvs_shared.metrics import common_metrics
from bdhvs_shared.runtime import make_broker
from notifier.entrypoints.consumers import (
    kpi_consumer,
    register_handlers,
    register_report_handler,
    reports_consumer,
)
from notifier.settings import NotifierSettings

_DOCS = {
    "nats_url": "nats://docs.invalid:4222",
    "database_url": "postgresql+asyncpg://docs.invalid/x",
    "auth_url": "http://docs.invalid",
    "smtp_host": "docs.invalid",
    "notifier_ack_secret": "docs-only-not-a-real-secret",
}


def asyncapi_document() -> dict[str, Any]:
    settings = NotifierSettings(**_DOCS)  # type: ignore[arg-type]
    consumer = kpi_consumer()
    broker = make_broker(settings, "notifier", consumer, common_metrics("notifier"))

    async def unused(
        _: AttainmentUpdated,
    ) -> None:  # the document needs the subscriber, not its work
        return None

    async def unused_report(_: ReportAccepted) -> None:
        return None

    register_handlers(broker, consumer, unused)
    register_report_handler(broker, reports_consumer(), unused_report)
    declare_publishers(
        broker,
        [
            (subjects.NOTIFICATION_SENT, "ALERTS", NotificationSent),
            (subjects.NOTIFICATION_FAILED, "ALERTS", NotificationFailed),
        ],
    )
    return document(broker, "BDHVS notifier events", "Events the notifier consumes and publishes.")


def openapi_document() -> dict[str, Any]:
    from notifier.bootstrap import create_app

    return create_app(NotifierSettings(**_DOCS)).openapi()  # type: ignore[arg-type]
