"""`kpi` command."""

from __future__ import annotations

from pathlib import Path

from bdhvs_shared.cli import service_cli
from kpi.bootstrap import create_app
from kpi.docs import asyncapi_document, openapi_document
from kpi.settings import KpiSettings


def _settings() -> KpiSettings:
    return KpiSettings()  # type: ignore[call-arg]  # read from the environment


app = service_cli(
    "kpi",
    _settings,
    create_app,
    Path(__file__).parent / "adapters" / "migrations",
    openapi_document,
    asyncapi_document,
)
