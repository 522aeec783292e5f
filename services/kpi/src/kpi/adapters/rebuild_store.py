"""The rebuild's staging schema and the swap into the live tables.

The replay writes into schema `kpi_rebuild` (the live tables' definitions, created
at run time and dropped at the end), so a rebuild that fails half-way leaves the
live tables untouched. The swap replaces the live observations and projections,
adds the replayed event ids to `processed_events`, clears the roll-up work list and the
stored roll-ups (built again from the new observations) and stages the events to publish,
all in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bdhvs_shared.db.outbox import stage
from kpi.adapters.projections import find, row_of
from kpi.adapters.tables import attainment, observations, outbox, report_receipts, rollup_dirty, rollups
from kpi.domain.projector import StoredObservation
from kpi.domain.rebuild_plan import Key, Recorded
from kpi.domain.receipts import StoredReceipt
from kpi.service_layer.rebuild_ports import Decide

STAGING = "kpi_rebuild"
# The replayed event ids, without a key: the stream may hold one event twice (a re-publish
# after the duplicate window), and the swap de-duplicates them into processed_events.
_REPLAYED_IDS = "replayed_event_ids"


async def prepare(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{STAGING}" CASCADE'))
        await conn.execute(text(f'CREATE SCHEMA "{STAGING}"'))
        staged = await conn.execution_options(schema_translate_map={"kpi": STAGING})
        await staged.run_sync(
            lambda sync: observations.metadata.create_all(sync, tables=[observations, report_receipts])
        )
        await conn.execute(text(f"CREATE TABLE {STAGING}.{_REPLAYED_IDS} (event_id uuid NOT NULL)"))


async def drop(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{STAGING}" CASCADE'))


async def copy_event_ids(engine: AsyncEngine, event_ids: Sequence[UUID]) -> None:
    await _copy(engine, _REPLAYED_IDS, ["event_id"], [(i,) for i in event_ids])


async def copy_observations(engine: AsyncEngine, rows: Iterable[StoredObservation]) -> None:
    columns = [c.name for c in observations.columns]
    # getattr, not dataclasses.asdict: asdict deep-copies every field of every row (seconds per rebuild).
    await _copy(engine, observations.name, columns, [tuple(getattr(r, c) for c in columns) for r in rows])


async def copy_receipts(engine: AsyncEngine, rows: Iterable[StoredReceipt]) -> None:
    columns = [c.name for c in report_receipts.columns]
    await _copy(engine, report_receipts.name, columns, [tuple(getattr(r, c) for c in columns) for r in rows])


async def _copy(engine: AsyncEngine, table: str, columns: list[str], records: list[tuple[Any, ...]]) -> None:
    if not records:
        return
    async with engine.begin() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection  # asyncpg: COPY is the fast path for bulk rows
        await driver.copy_records_to_table(table, records=records, columns=columns, schema_name=STAGING)


async def swap(
    sessions: async_sessionmaker[AsyncSession],
    consumer: str,
    decide: Decide,
) -> None:
    """In one transaction: lock the live tables, let `decide` plan against the live rows, replace."""
    async with sessions() as session, session.begin():
        await session.execute(
            text(
                "LOCK TABLE kpi.observations, kpi.attainment, kpi.rollup_dirty, kpi.rollups, "
                "kpi.report_receipts IN ACCESS EXCLUSIVE MODE"
            )
        )
        rows, staged = decide(await live_recorded(session))
        columns = ", ".join(c.name for c in observations.columns)
        await session.execute(text("TRUNCATE kpi.observations"))
        await session.execute(
            text(f"INSERT INTO kpi.observations ({columns}) SELECT {columns} FROM {STAGING}.observations")
        )
        receipts = ", ".join(c.name for c in report_receipts.columns)
        await session.execute(text("TRUNCATE kpi.report_receipts"))
        await session.execute(
            text(
                f"INSERT INTO kpi.report_receipts ({receipts}) "
                f"SELECT {receipts} FROM {STAGING}.report_receipts"
            )
        )
        await session.execute(delete(attainment))
        if rows:
            await session.execute(attainment.insert(), [row_of(r) for r in rows])
        await session.execute(
            text(
                "INSERT INTO kpi.processed_events (consumer, event_id) "
                f"SELECT DISTINCT :consumer, event_id FROM {STAGING}.{_REPLAYED_IDS} "
                "ON CONFLICT DO NOTHING"
            ),
            {"consumer": consumer},
        )
        await session.execute(delete(rollup_dirty))
        await session.execute(delete(rollups))  # built again from the new observations when next marked
        await stage(session, outbox, staged)


async def live_recorded(session: AsyncSession) -> dict[Key, Recorded]:
    return {(r.snapshot.unit_code, r.snapshot.indicator): r for r in await find(session, None, None)}


class PgRebuildStore:
    """`service_layer.rebuild_ports.RebuildStore` on PostgreSQL (COPY through `engine`)."""

    def __init__(self, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._engine, self._sessions = engine, sessions

    async def prepare(self) -> None:
        await prepare(self._engine)

    async def copy_event_ids(self, event_ids: Sequence[UUID]) -> None:
        await copy_event_ids(self._engine, event_ids)

    async def copy_observations(self, rows: Iterable[StoredObservation]) -> None:
        await copy_observations(self._engine, rows)

    async def copy_receipts(self, rows: Iterable[StoredReceipt]) -> None:
        await copy_receipts(self._engine, rows)

    async def swap(self, consumer: str, decide: Decide) -> None:
        await swap(self._sessions, consumer, decide)

    async def drop(self) -> None:
        await drop(self._engine)
