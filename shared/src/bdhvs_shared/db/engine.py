"""One engine per process; one session per message or request.

SQLAlchemy is imported by the functions that use it: the settings (`PoolSettings`) are read by
every command, most of which (`--help`, `streams`, `openapi`) never open a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@dataclass(frozen=True)
class PoolSettings:
    """The connection pool: `size` kept open, up to `max_overflow` more under load, and how long a
    request waits for a free connection before it fails (sqlalchemy.exc.TimeoutError, answered
    503 service.overloaded) — short, so that a saturated service refuses quickly instead of queueing
    requests past the point where their clients gave up."""

    size: int = 10
    max_overflow: int = 10
    timeout_seconds: float = 1.0
    # No ping on every checkout (BEGIN, a query, ROLLBACK: three round trips before each transaction).
    # A connection the server dropped fails its first statement instead; SQLAlchemy then discards
    # every pooled connection, the request is answered 503 with Retry-After (a consumer's message is
    # retried), and the next one connects afresh. Connections are renewed after `recycle_seconds`.
    pre_ping: bool = False
    recycle_seconds: int = 1800


def make_engine(url: str, pool: PoolSettings | None = None, application_name: str = "bdhvs") -> AsyncEngine:
    """`application_name` names the service in `pg_stat_activity` and the server's log, so a
    sampled wait or a slow statement can be told apart by service."""
    from sqlalchemy.ext.asyncio import create_async_engine

    pool = pool or PoolSettings()
    return create_async_engine(
        url,
        connect_args={"server_settings": {"application_name": application_name}},
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout_seconds,
        pool_pre_ping=pool.pre_ping,
        pool_recycle=pool.recycle_seconds,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    return async_sessionmaker(engine, expire_on_commit=False)


async def database_ready(engine: AsyncEngine) -> bool:
    from sqlalchemy import text

    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
