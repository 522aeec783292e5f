"""Alembic per service: each service migrates its own schema, with its own version table."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(script_location: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(script_location: Path, database_url: str, revision: str = "head") -> None:
    """Apply the service's migrations (sync; run it before the service starts)."""
    command.upgrade(alembic_config(script_location, database_url), revision)


def run_env(metadata: MetaData, schema: str) -> None:
    """Body of each service's alembic env.py (online mode, asyncpg).

    A transaction-level advisory lock makes concurrent migrators (several
    replicas starting at once) take turns.
    """
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None

    def do_run(connection: Connection) -> None:
        # CREATE SCHEMA needs the CREATE right on the database, even with IF NOT EXISTS; a service
        # role that owns its provisioned schema (deploy/postgres/roles.sql) has no such right.
        exists = connection.execute(
            text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}
        ).first()
        if exists is None:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"migrate:{schema}"})
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            # Only this service's schema: the others belong to other services' migrations.
            include_name=lambda name, kind, _parent: kind != "schema" or name == schema,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.begin() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run())
