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
            await js.stream_info(stream)
        except nats.js.errors.NotFoundError:
            return []
        sub = await js.pull_subscribe(
            subject,
            stream=stream,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=5),
        )
        # The consumer's own count is the number of messages on `subject` (the
        # stream's total counts every subject), so we know when we have them all.
        wanted = int((await sub.consumer_info()).num_pending or 0)
        out: list[Any] = []
        attempts = 0
        while len(out) < wanted and attempts < 5:
            # nats-py raises the builtin TimeoutError as well as its own subclass.
            try:
                out.extend(await sub.fetch(min(256, wanted - len(out)), timeout=1))
            except TimeoutError:
                attempts += 1
        await sub.unsubscribe()
        return out


async def consumer_backlog(url: str, stream: str, durable: str) -> int:
    """Messages the durable consumer has not yet acknowledged (pending + in flight)."""
    async with jetstream(url) as js:
        info = await js.consumer_info(stream, durable)
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)
