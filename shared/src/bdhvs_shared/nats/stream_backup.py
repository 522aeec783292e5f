"""JetStream streams to JSON lines and back, through the JetStream API (the nats CLI is not needed).

Each message keeps its subject, headers (including Nats-Msg-Id, the event id) and body. Restoring
re-publishes them in stream order into streams created from the code's definitions; they get new
sequence numbers, which nothing depends on: consumers recognise events by id.

`backup_streams` writes every stream into a new directory (`<STREAM>.jsonl` and `manifest.json`) and
`restore_streams` brings such a directory back; every service image runs them as
`python -m <service> streams backup|restore` (`bdhvs_shared.streams_cli`), the Kubernetes CronJob and
the compose service `streams-backup` on a schedule; `bdhvs_local backup` adds the PostgreSQL dumps.
"""

from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from bdhvs_shared.nats.streams import STREAM_SUBJECTS, ensure_streams
from bdhvs_shared.progress import NO_PROGRESS, Progress, Shows, silent

# Set by the server on storage; a re-published message gets its own.
# Nats-Expected-Stream is put by a publishing client that names the stream (as `republish` does): it is
# no part of the message, so a restored stream backed up again gives the same records.
SERVER_HEADERS = (
    "Nats-Sequence",
    "Nats-Time-Stamp",
    "Nats-Subject",
    "Nats-Stream",
    "Nats-Last-Sequence",
    "Nats-Expected-Stream",
)


Record = dict[str, Any]


async def read_stream(js: JetStreamContext, stream: str, progress: Progress = NO_PROGRESS) -> list[Record]:
    """Every message of `stream`, oldest first, as JSON-ready records (none if it does not exist);
    `progress` is told the messages read of those stored."""
    try:
        state = (await js.stream_info(stream)).state
    except NotFoundError:
        return []
    records: list[Record] = []
    seq = state.first_seq
    while state.messages and seq <= state.last_seq:
        try:
            msg = await js.get_msg(stream, seq=seq, subject=">", next=True)
        except NotFoundError:
            break  # nothing at or after seq
        records.append(
            {
                "seq": msg.seq,
                "subject": msg.subject,
                "headers": {k: v for k, v in (msg.headers or {}).items() if k not in SERVER_HEADERS},
                "data": base64.b64encode(msg.data or b"").decode("ascii"),
                "time": msg.time.isoformat() if msg.time else None,
            }
        )
        seq = int(msg.seq or seq) + 1
        progress.update(len(records), state.messages)
    return records


async def republish(
    js: JetStreamContext,
    stream: str,
    records: list[Record],
    replicas: int = 1,
    progress: Progress = NO_PROGRESS,
) -> int:
    """Create `stream` if missing and publish the records in order, each acknowledged by the stream."""
    await ensure_streams(js, [stream], replicas)
    for done, record in enumerate(records, start=1):
        await js.publish(
            record["subject"],
            base64.b64decode(record["data"]),
            headers=record["headers"] or None,
            stream=stream,
            timeout=10,
        )
        progress.update(done, len(records))
    return len(records)


async def read_streams(nats_url: str, shows: Shows = silent) -> dict[str, list[Record]]:
    nc = await nats.connect(nats_url)
    try:
        out = {}
        for name in STREAM_SUBJECTS:
            with shows(f"sao lưu luồng {name}", None) as progress:
                out[name] = await read_stream(nc.jetstream(), name, progress)
        return out
    finally:
        await nc.close()


async def republish_streams(
    nats_url: str, streams: dict[str, list[Record]], replicas: int = 1, shows: Shows = silent
) -> dict[str, int]:
    nc = await nats.connect(nats_url)
    try:
        out = {}
        for name, records in streams.items():
            with shows(f"khôi phục luồng {name}", len(records)) as progress:
                out[name] = await republish(nc.jetstream(), name, records, replicas, progress)
        return out
    finally:
        await nc.close()


def write_records(path: Path, records: list[Record]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_records(path: Path) -> list[Record]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


async def backup_streams(nats_url: str, directory: Path, shows: Shows = silent) -> dict[str, object]:
    """Every stream into `directory` (created; it must not exist yet), then its manifest."""
    return write_backup(directory, await read_streams(nats_url, shows))


def write_backup(directory: Path, streams: dict[str, list[Record]]) -> dict[str, object]:
    directory.mkdir(parents=True)
    for name, records in streams.items():
        write_records(directory / f"{name}.jsonl", records)
    manifest: dict[str, object] = {
        "taken_at": datetime.now(UTC).isoformat(),
        "stream_messages": {name: len(records) for name, records in streams.items()},
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


async def restore_streams(
    nats_url: str, directory: Path, replicas: int = 1, shows: Shows = silent
) -> dict[str, int]:
    """Re-publish the streams of a `backup_streams` directory (absent streams are created)."""
    return await republish_streams(nats_url, read_backup(directory), replicas, shows)


def read_backup(directory: Path) -> dict[str, list[Record]]:
    if not (directory / "manifest.json").exists():
        raise FileNotFoundError(f"{directory}: no manifest.json (not a stream backup, or unfinished)")
    return {
        name: read_records(directory / f"{name}.jsonl")
        for name in STREAM_SUBJECTS
        if (directory / f"{name}.jsonl").exists()
    }


def new_target(base: Path, now: datetime, prefix: str = "streams-") -> Path:
    """A directory name for a backup taken at `now` (UTC, to the second) that no earlier backup
    holds: a second backup within the same second gets `-2`, `-3`… (names still sort by time)."""
    stamp = f"{prefix}{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    target, n = base / stamp, 1
    while target.exists():
        n += 1
        target = base / f"{stamp}-{n}"
    return target


def prune(base: Path, keep: int, prefix: str = "streams-") -> list[Path]:
    """Remove all but the `keep` newest finished backups under `base` (names sort by time)."""
    finished = sorted(p for p in base.glob(f"{prefix}*") if (p / "manifest.json").exists())
    removed = finished[: max(0, len(finished) - keep)]
    for path in removed:
        shutil.rmtree(path)
    return removed
