"""The API documents, generated from the code (committed under docs/ and checked by a test)."""

from __future__ import annotations

from typing import Any

from bdhvs_shared.asyncapi import asyncapi_for
from bdhvs_shared.events import ReportAccepted, subjects
from bdhvs_shared.events.catalogue import CataloguePublished


def openapi_document() -> dict[str, Any]:
    from intake.bootstrap import create_app
    from intake.settings import IntakeSettings

    settings = IntakeSettings(
        nats_url="nats://docs.invalid:4222", database_url="postgresql+asyncpg://docs.invalid/x"
    )
    return create_app(settings).openapi()


def asyncapi_document() -> dict[str, Any]:
    return asyncapi_for(
        title="BDHVS intake events",
        description="Events published by the intake service.",
        publishes=[
            (subjects.REPORT_ACCEPTED, "REPORTS", ReportAccepted),
            (subjects.CATALOGUE_PUBLISHED, "CATALOGUE", CataloguePublished),
        ],
    )
