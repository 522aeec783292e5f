"""Reading what is on the bus, as an outside subscriber would."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy


@contextlib.asynccontextmanager
async def jetstream(url: str) -> AsyncIterator[Any]:
    nc = await nats.connect(url)
    try:
        yield nc.jetstream()
    finally:
        await nc.close()


async def stream_messages(url: str, stream: str, subject: str = ">") -> list[Any]:
    """Every message currently stored in `stream` on `subject`, oldest first."""
    async with jetstream(url) as js:
        try:
            info = await js.stream_info(stream)
        except nats.js.errors.NotFoundError:
            return []
        total = info.state.messages
        if total == 0:
            return []
        sub = await js.pull_subscribe(
            subject,
            stream=stream,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=5),
        )
        out: list[Any] = []
        with contextlib.suppress(nats.errors.TimeoutError):
            while len(out) < total:
                batch = await sub.fetch(min(256, total - len(out)), timeout=1)
                out.extend(batch)
        await sub.unsubscribe()
        return out


async def consumer_backlog(url: str, stream: str, durable: str) -> int:
    """Messages the durable consumer has not yet acknowledged (pending + in flight)."""
    async with jetstream(url) as js:
        info = await js.consumer_info(stream, durable)
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)
