"""kpi's HTTP API in-process, with a real intake answering its token checks."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx

from kpi.bootstrap import create_app
from kpi.settings import KpiSettings
from support.apps import running
from support.auth_server import AuthServer, auth_server

MARCH_20 = "2026-03-20T09:00:00+07:00"


@contextlib.asynccontextmanager
async def kpi_api(
    database_url: str, nats_url: str, clock: str = MARCH_20
) -> AsyncIterator[tuple[httpx.AsyncClient, AuthServer]]:
    """kpi running on `clock`; its client carries an operator's token."""
    async with auth_server(database_url, nats_url) as auth:
        settings = KpiSettings(
            nats_url=nats_url, database_url=database_url, auth_url=auth.url, BDHVS_CLOCK_START=clock
        )
        async with running(create_app(settings)) as client:
            client.headers.update(auth.headers("operator"))
            yield client, auth
