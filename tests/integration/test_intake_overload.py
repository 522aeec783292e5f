"""Intake sheds load: when it cannot take more it answers 503 service.overloaded with Retry-After in
the {"errors"} shape at once (nothing stored), instead of queueing the request until the database
pool gives up after 30 s with a plain-text 500 — by then the client gave up, and the report could
still be committed behind its back."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx

from intake.adapters.tokens import create_token
from intake.bootstrap import create_app
from intake.domain.principal import Role
from intake.settings import IntakeSettings
from support.apps import eventually, running
from support.databases import dsn
from support.events import REPORT_BODY
from support.intake import auth, counts


@contextlib.asynccontextmanager
async def intake_with(
    database_url: str, nats_url: str, **settings: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Any, dict[str, str]]]:
    app = create_app(
        IntakeSettings(
            nats_url=nats_url,
            database_url=database_url,
            BDHVS_CLOCK_START="2026-03-14T09:00:00+07:00",
            **settings,
        )
    )
    async with running(app) as client:
        container = app.state.container
        async with container.sessions() as session, session.begin():
            now = container.clock.now()
            tokens = {
                "commune": await create_token(session, Role.COMMUNE, "09313", "test", now),
                "operator": await create_token(session, Role.OPERATOR, None, "test", now),
            }
        yield client, container, tokens


def assert_overloaded(reply: httpx.Response) -> None:
    assert reply.status_code == 503, reply.text
    assert reply.headers["Retry-After"] == "1"
    body = reply.json()
    assert [e["code"] for e in body["errors"]] == ["service.overloaded"], body
    assert body["errors"][0]["severity"] == "error" and body["warnings"] == []
    assert "quá tải" in body["errors"][0]["message"]


async def test_a_saturated_connection_pool_answers_503_quickly_not_a_500_after_30_s(
    database_url: str, clean_nats: str, db: asyncpg.Connection
) -> None:
    async with intake_with(
        database_url,
        clean_nats,
        db_pool_size=1,
        db_max_overflow=0,  # DB_POOL_TIMEOUT_SECONDS: 1 s
    ) as (client, container, tokens):
        async with container.engine.connect() as held:  # the pool's only connection, taken
            await held.exec_driver_sql("SELECT 1")
            started = time.monotonic()
            reply = await client.post("/api/v1/reports", json=REPORT_BODY, headers=auth(tokens["commune"]))
            waited = time.monotonic() - started
        assert_overloaded(reply)
        assert waited < 10, waited  # a guard against the old 30 s queue, not a performance bound
        assert await counts(db) == (0, 0, 0)
        again = await client.post("/api/v1/reports", json=REPORT_BODY, headers=auth(tokens["commune"]))
        assert again.status_code == 201, again.text  # the connection is back: accepted


async def test_writes_beyond_the_limit_are_refused_at_once_and_reads_still_answer(
    database_url: str, clean_nats: str, db: asyncpg.Connection
) -> None:
    async with intake_with(database_url, clean_nats, max_concurrent_writes=1, write_queue_seconds=0.2) as (
        client,
        _,
        tokens,
    ):
        blocker = await asyncpg.connect(dsn(database_url))
        try:
            # A lock on the reports table holds the first report inside the database.
            transaction = blocker.transaction()
            await transaction.start()
            await blocker.execute("LOCK TABLE intake.reports IN ACCESS EXCLUSIVE MODE")
            first = asyncio.create_task(
                client.post("/api/v1/reports", json=REPORT_BODY, headers=auth(tokens["commune"]))
            )
            await eventually(
                lambda: db.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted"), lambda n: n > 0
            )
            async with asyncio.timeout(20):  # a guard against waiting for the lock, not a bound
                second = await client.post(
                    "/api/v1/reports", json=REPORT_BODY, headers=auth(tokens["operator"])
                )
            assert_overloaded(second)
            who = await client.get("/api/v1/auth/whoami", headers=auth(tokens["operator"]))
            assert who.status_code == 200, who.text  # reads are not held up by the write limit
            await transaction.rollback()
        finally:
            await blocker.close()
        assert (await first).status_code == 201
        assert await counts(db) == (1, 1, 1)  # the first report only; the refused one stored nothing
