"""Each service's migrations build exactly the tables its code declares, in its own schema only."""

from __future__ import annotations

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from intake.adapters.tables import metadata as intake_metadata
from kpi.adapters.tables import metadata as kpi_metadata
from notifier.adapters.tables import metadata as notifier_metadata


@pytest.mark.parametrize(
    "metadata", [intake_metadata, kpi_metadata, notifier_metadata], ids=lambda m: str(m.schema)
)
async def test_migrations_match_the_models(database_url: str, metadata: MetaData) -> None:
    schema = metadata.schema

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "include_name": lambda name, kind, _parent: kind != "schema" or name == schema,
                "version_table_schema": schema,
            },
        )
        return list(compare_metadata(context, metadata))

    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await engine.dispose()


async def test_each_service_has_its_own_schema_and_version_table(db: asyncpg.Connection) -> None:
    rows = await db.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema IN ('intake', 'kpi', 'notifier', 'public')"
    )
    tables = {(r["table_schema"], r["table_name"]) for r in rows}
    for schema in ("intake", "kpi", "notifier"):
        assert (schema, "alembic_version") in tables
        assert (schema, "outbox") in tables
    assert not [t for t in tables if t[0] == "public"]
