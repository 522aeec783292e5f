"""Helpers for tests that talk to intake over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
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


def intake_command(
    database_url: str, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`intake ARGS…` as a new process on `database_url` (no NATS), with `env` and none of this
    process's INTAKE_* variables (a password in one would leak into the command's)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    full = {**clean, "DATABASE_URL": database_url, "NATS_URL": "nats://unused.invalid:4222", **env}
    return subprocess.run(
        [sys.executable, "-m", "intake", *args],
        env=full,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


TEST_COMMUNE = "09999"  # not in the packaged catalogue


async def add_test_commune(client: httpx.AsyncClient, admin_token: str) -> None:
    """An admin adds commune 09999 (Thử Nghiệm) through the catalogue API: a new version in force."""
    path = "/api/v1/admin/catalogue/files/units.csv"
    units = (await client.get(path, headers=auth(admin_token))).json()
    added = units["content"].rstrip("\n") + f"\n{TEST_COMMUNE},Thử Nghiệm,xa,20.00,10000,2025-07-01,,\n"
    body = {"content": added, "summary": "Thêm xã thử nghiệm"}
    reply = await client.put(path, json=body, headers=auth(admin_token))
    assert reply.status_code == 200, reply.text
