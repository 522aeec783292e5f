"""PostgreSQL stops while the services run: every API answers 503 service.unavailable with Retry-After
in the {"errors"} shape (not a plain-text 500), and answers normally again once it is back.

The test stops a PostgreSQL of its own, so that the session's server stays up for the other tests."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from bdhvs_local.postgres_server import EmbeddedPostgres
from bdhvs_local.services import migrate_all
from bdhvs_local.smtp_catcher import SmtpCatcher
from kpi.bootstrap import create_app as kpi_app
from kpi.settings import KpiSettings
from notifier.bootstrap import create_app as notifier_app
from notifier.settings import NotifierSettings
from support.apps import running
from support.auth_server import auth_server
from support.databases import dsn
from support.events import REPORT_BODY


@pytest.fixture
async def own_postgres(clean_nats: str) -> AsyncIterator[EmbeddedPostgres]:
    # Not under tmp_path: pytest runs of other checkouts on this machine may prune old numbered
    # tmp_path folders, a running server's data folder with them.
    with tempfile.TemporaryDirectory(prefix="bdhvs-test-down-", ignore_cleanup_errors=True) as folder:
        server = await asyncio.to_thread(EmbeddedPostgres(Path(folder) / "postgres").start)
        try:
            env = {"DATABASE_URL": server.url, "NATS_URL": clean_nats, "SMTP_HOST": "127.0.0.1"}
            await asyncio.to_thread(migrate_all, env)
            yield server
        finally:
            server.stop("immediate")


def assert_unavailable(name: str, reply: httpx.Response) -> None:
    assert reply.status_code == 503, (name, reply.status_code, reply.text)
    assert reply.headers.get("Retry-After") == "5", name
    errors = reply.json()["errors"]
    assert [e["code"] for e in errors] == ["service.unavailable"], name
    assert "thử lại sau 5 giây" in errors[0]["message"] and "field" in errors[0], name


async def test_every_service_answers_503_with_retry_after_while_postgresql_is_down(
    own_postgres: EmbeddedPostgres, clean_nats: str, smtp_server: SmtpCatcher
) -> None:
    url = own_postgres.url
    async with auth_server(url, clean_nats) as intake:
        kpi_settings = KpiSettings(nats_url=clean_nats, database_url=url, auth_url=intake.url)
        notifier_settings = NotifierSettings(
            nats_url=clean_nats,
            database_url=url,
            auth_url=intake.url,
            smtp_host=smtp_server.host,
            smtp_port=smtp_server.port,
            ledger_enabled=False,
            notifier_ack_secret="database-down-test-ack-secret-5c2e",
        )
        operator = intake.headers("operator")
        async with (
            running(kpi_app(kpi_settings)) as kpi,
            running(notifier_app(notifier_settings)) as notifier,
            httpx.AsyncClient(base_url=intake.url, timeout=30) as http,
        ):

            async def ask() -> dict[str, httpx.Response]:
                return {
                    "intake report": await http.post(
                        "/api/v1/reports", json=REPORT_BODY, headers=intake.headers("commune")
                    ),
                    "intake whoami": await http.get("/api/v1/auth/whoami", headers=operator),
                    "kpi attainment": await kpi.get("/api/v1/attainment", headers=operator),
                    "notifier log": await notifier.get("/api/v1/notifications", headers=operator),
                }

            up = await ask()
            assert [r.status_code for r in up.values()] == [201, 200, 200, 200], [r.text for r in up.values()]

            await asyncio.to_thread(own_postgres.stop)
            with pytest.raises(OSError):  # really down: the port refuses connections
                await asyncpg.connect(dsn(url), timeout=5)
            for name, reply in (await ask()).items():
                assert_unavailable(name, reply)
            intake_reply = (await ask())["intake report"].json()  # intake's shape: severity, warnings
            assert intake_reply["errors"][0]["severity"] == "error" and intake_reply["warnings"] == []

            await asyncio.to_thread(own_postgres.start)  # same port, same data
            back = await ask()
            assert [r.status_code for r in back.values()] == [201, 200, 200, 200], [
                r.text for r in back.values()
            ]
