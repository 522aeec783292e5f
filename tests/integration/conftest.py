"""Fixtures of the integration tier: intake as an app on real PostgreSQL and NATS, with tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from support.auth_server import AuthServer, auth_server
from support.intake import intake_settings, intake_with_tokens


@pytest.fixture
async def intake(
    database_url: str, clean_nats: str
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    async with intake_with_tokens(intake_settings(clean_nats, database_url)) as (client, tokens):
        yield client, tokens


@pytest.fixture
async def auth(database_url: str, clean_nats: str) -> AsyncIterator[AuthServer]:
    """Intake over real HTTP for kpi's and notifier's token checks (AUTH_URL), with tokens."""
    async with auth_server(database_url, clean_nats) as server:
        yield server
