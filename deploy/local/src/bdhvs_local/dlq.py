"""The dead-letter stream for operators: what is in it, and sending messages back once fixed.

A replayed message goes to its original subject with a new Nats-Msg-Id (the original id may still be
in the stream's duplicate window); every consumer of that stream sees it again, which is harmless:
consumers skip events whose id they already applied. It is then deleted from the DLQ.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass

import nats

from bdhvs_local.streams_backup import read_stream


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    consumer: str
    subject: str
    reason: str
    event_id: str | None
    body: bytes
    headers: dict[str, str]


async def dead_letters(nats_url: str) -> list[DeadLetter]:
    nc = await nats.connect(nats_url)
    try:
        records = await read_stream(nc.jetstream(), "DLQ")
    finally:
        await nc.close()
    return [
        DeadLetter(
            seq=int(r["seq"]),
            consumer=r["headers"].get("bdhvs-dlq-consumer", "?"),
            subject=r["headers"].get("bdhvs-dlq-subject", "?"),
            reason=r["headers"].get("bdhvs-dlq-reason", ""),
            event_id=r["headers"].get("ce-id"),
            body=base64.b64decode(r["data"]),
            headers={k: v for k, v in r["headers"].items() if not k.startswith("bdhvs-dlq-")},
        )
        for r in records
    ]


async def replay(nats_url: str, letters: list[DeadLetter]) -> int:
    """Publish each letter to its original subject, then remove it from the DLQ; returns how many."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for letter in letters:
            headers = {**letter.headers, "Nats-Msg-Id": f"replay-{uuid.uuid4()}"}
            await js.publish(letter.subject, letter.body, headers=headers, timeout=10)
            await js.delete_msg("DLQ", letter.seq)
    finally:
        await nc.close()
    return len(letters)
