"""Helpers for tests that talk to intake over HTTP."""

from __future__ import annotations

import asyncpg


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def counts(db: asyncpg.Connection) -> tuple[int, int, int]:
    return (
        await db.fetchval("SELECT count(*) FROM intake.reports"),
        await db.fetchval("SELECT count(*) FROM intake.report_revisions"),
        await db.fetchval("SELECT count(*) FROM intake.outbox"),
    )
