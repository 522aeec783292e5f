"""Fixtures of the integration tier: intake as an app on real PostgreSQL and NATS, with tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from intake.adapters.tokens import create_token
from intake.bootstrap import create_app
from intake.domain.principal import Role
from intake.settings import IntakeSettings
from support.apps import running
from support.auth_server import AuthServer, auth_server


@pytest.fixture
async def intake(
    database_url: str, clean_nats: str
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    settings = IntakeSettings(
        nats_url=clean_nats,
        database_url=database_url,
        BDHVS_CLOCK_START="2026-03-14T09:00:00+07:00",
    )
    app = create_app(settings)
    async with running(app) as client:
        container = app.state.container
        tokens = {}
        async with container.sessions() as session, session.begin():
            now = container.clock.now()
            tokens["commune"] = await create_token(session, Role.COMMUNE, "09313", "test", now)
            tokens["other"] = await create_token(session, Role.COMMUNE, "09292", "test", now)
            tokens["operator"] = await create_token(session, Role.OPERATOR, None, "test", now)
            tokens["admin"] = await create_token(session, Role.ADMIN, None, "test", now)
            tokens["police"] = await create_token(session, Role.AGENCY, None, "test", now, "cong_an")
        yield client, tokens


@pytest.fixture
async def auth(database_url: str, clean_nats: str) -> AsyncIterator[AuthServer]:
    """Intake over real HTTP for kpi's and notifier's token checks (AUTH_URL), with tokens."""
    async with auth_server(database_url, clean_nats) as server:
        yield server
