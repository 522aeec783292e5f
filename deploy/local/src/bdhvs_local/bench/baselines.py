"""The raw baselines `make bench` compares the pipeline with: JetStream publish, PostgreSQL writes.

Measured on the same servers, in the same run, so a ratio says how much of what the
machine can do the pipeline gets (each report costs a few commits and publishes).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import asyncpg
import nats
from sqlalchemy.engine import make_url

PAYLOAD = b"x" * 600  # about the size of a ReportAccepted event
_SCHEMA = "bench_baseline"


@dataclass(frozen=True)
class Baselines:
    jetstream_msgs_per_s: float  # async publish, acks awaited at the end
    pg_commits_per_s_1conn: float  # single-row INSERT, one commit each, one connection
    pg_commits_per_s_concurrent: float  # the same from `connections` connections at once
    pg_executemany_rows_per_s: float
    pg_copy_rows_per_s: float
    connections: int


async def jetstream_publish(nats_url: str, count: int) -> float:
    """Messages per second of JetStream async publish (every ack received) into a scratch stream."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await js.add_stream(name="BENCH", subjects=["bench.>"])
        try:
            start = time.perf_counter()
            for i in range(count):
                await js.publish_async(f"bench.{i % 99}", PAYLOAD)
            await js.publish_async_completed()
            return count / (time.perf_counter() - start)
        finally:
            await js.delete_stream("BENCH")
    finally:
        await nc.close()


def asyncpg_dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def postgres(database_url: str, rows: int, connections: int = 8) -> Baselines:
    """PostgreSQL write baselines in a scratch schema (dropped afterwards); JetStream left at 0."""
    dsn = asyncpg_dsn(database_url)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE; CREATE SCHEMA {_SCHEMA}")
        await conn.execute(
            f"CREATE TABLE {_SCHEMA}.t (id uuid PRIMARY KEY, subject text NOT NULL, payload bytea NOT NULL)"
        )
        single = await _single_row_commits(conn, rows)
        concurrent = await _concurrent_commits(dsn, rows, connections)
        await conn.execute(f"TRUNCATE {_SCHEMA}.t")
        records = _records(rows * 10)
        start = time.perf_counter()
        await conn.executemany(f"INSERT INTO {_SCHEMA}.t VALUES ($1, $2, $3)", records)
        executemany = len(records) / (time.perf_counter() - start)
        await conn.execute(f"TRUNCATE {_SCHEMA}.t")
        start = time.perf_counter()
        await conn.copy_records_to_table("t", records=records, schema_name=_SCHEMA)
        copy = len(records) / (time.perf_counter() - start)
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE")
        await conn.close()
    return Baselines(0.0, single, concurrent, executemany, copy, connections)


def _records(count: int) -> list[tuple[uuid.UUID, str, bytes]]:
    return [(uuid.uuid4(), f"bench.{i % 99}", PAYLOAD) for i in range(count)]


async def _single_row_commits(conn: asyncpg.Connection, rows: int) -> float:
    records = _records(rows)
    start = time.perf_counter()
    for record in records:  # autocommit: each INSERT is its own transaction and WAL flush
        await conn.execute(f"INSERT INTO {_SCHEMA}.t VALUES ($1, $2, $3)", *record)
    return rows / (time.perf_counter() - start)


async def _concurrent_commits(dsn: str, rows: int, connections: int) -> float:
    pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
    try:
        per = max(1, rows // connections)

        async def writer() -> None:
            async with pool.acquire() as conn:
                for record in _records(per):
                    await conn.execute(f"INSERT INTO {_SCHEMA}.t VALUES ($1, $2, $3)", *record)

        start = time.perf_counter()
        await asyncio.gather(*(writer() for _ in range(connections)))
        return per * connections / (time.perf_counter() - start)
    finally:
        await pool.close()


async def measure(nats_url: str, database_url: str, messages: int, rows: int) -> Baselines:
    js = await jetstream_publish(nats_url, messages)
    pg = await postgres(database_url, rows)
    return Baselines(
        js,
        pg.pg_commits_per_s_1conn,
        pg.pg_commits_per_s_concurrent,
        pg.pg_executemany_rows_per_s,
        pg.pg_copy_rows_per_s,
        pg.connections,
    )
