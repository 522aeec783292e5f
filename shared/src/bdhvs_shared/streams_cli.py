"""`python -m <service> streams backup|restore`: the JetStream streams backed up from any service image.

Run on a schedule by the Kubernetes CronJob `streams-backup` (deploy/k8s/streams-backup.yaml) and the
compose service `streams-backup`; by hand for a restore. Its settings (`BACKUP_NATS_URL`, `BACKUP_DIR`,
`BACKUP_KEEP`) are `bdhvs_shared.settings.StreamBackupSettings`, listed in docs/settings.md.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bdhvs_shared.nats.stream_backup import backup_streams, new_target, prune, restore_streams
from bdhvs_shared.progress import Progress, progress
from bdhvs_shared.settings import StreamBackupSettings


def _shown(description: str, total: int | None) -> AbstractContextManager[Progress]:
    return progress(description, total, unit="tin")


def streams_cli() -> typer.Typer:
    app = typer.Typer(help="Back up or restore the JetStream streams.", no_args_is_help=True)

    @app.command("backup")
    def backup() -> None:
        """Every stream into BACKUP_DIR/streams-<UTC time>/, then the oldest beyond BACKUP_KEEP removed."""
        settings = StreamBackupSettings()  # type: ignore[call-arg]  # read from the environment
        target = new_target(settings.backup_dir, datetime.now(UTC))
        manifest = asyncio.run(backup_streams(settings.backup_nats_url, target, _shown))
        removed = prune(settings.backup_dir, settings.backup_keep)
        typer.echo(f"stream backup written to {target}: {json.dumps(manifest)}; removed {len(removed)} old")

    @app.command("restore")
    def restore(
        source: Annotated[Path, typer.Option("--from", help="A directory written by `streams backup`")],
        replicas: Annotated[int, typer.Option(help="Stream replicas (3 on a NATS cluster)")] = 1,
    ) -> None:
        """Re-publish a stream backup (services stopped; the streams absent or empty)."""
        settings = StreamBackupSettings()  # type: ignore[call-arg]
        counts = asyncio.run(restore_streams(settings.backup_nats_url, source, replicas, _shown))
        typer.echo(f"restored from {source}: {json.dumps(counts)}")

    return app
