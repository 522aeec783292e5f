"""A fresh database per test, copied from the migrated template (fast: no migrations)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.db.engine import PoolSettings, make_engine, make_sessionmaker


def dsn(url: str, database: str | None = None) -> str:
    """asyncpg's form of a SQLAlchemy URL, optionally for another database."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def copy_of_template(postgres_url: str, template: str) -> AsyncIterator[str]:
    """A new database made from `template`, dropped afterwards; yields its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(dsn(postgres_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await conn.close()
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        conn = await asyncpg.connect(dsn(postgres_url))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@contextlib.asynccontextmanager
async def sessions_on_a_copy(
    postgres_url: str, template: str
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a fresh copy of `template` (a small pool), disposed of and dropped afterwards."""
    async with copy_of_template(postgres_url, template) as url:
        engine = make_engine(url, PoolSettings(size=2))
        try:
            yield make_sessionmaker(engine)
        finally:
            await engine.dispose()
