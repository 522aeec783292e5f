"""Helpers for tests that talk to intake over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx

from intake.adapters.tokens import create_token
from intake.bootstrap import create_app
from intake.domain.principal import Role
from intake.settings import IntakeSettings
from support.apps import running


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def counts(db: asyncpg.Connection) -> tuple[int, int, int]:
    return (
        await db.fetchval("SELECT count(*) FROM intake.reports"),
        await db.fetchval("SELECT count(*) FROM intake.report_revisions"),
        await db.fetchval("SELECT count(*) FROM intake.outbox"),
    )


def intake_settings(nats_url: str, database_url: str, **more: Any) -> IntakeSettings:
    """Intake's settings for a test, its clock at 2026-03-14 09:00 (before March's cut-off)."""
    return IntakeSettings(
        nats_url=nats_url, database_url=database_url, BDHVS_CLOCK_START="2026-03-14T09:00:00+07:00", **more
    )


@asynccontextmanager
async def intake_with_tokens(
    settings: IntakeSettings,
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """Intake as an app, and a token by role: `commune` (09313), `other` (09292), `operator`,
    `admin`, `police` (the agency cong_an)."""
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
