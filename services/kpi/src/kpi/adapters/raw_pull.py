"""Reading a stream from the start fast: pull requests answered on one core-NATS inbox with a callback.

nats-py's `PullSubscription.fetch` makes a future, a task and a `wait_for` per message, and parses
each message's metadata; for a replay of a million reports that was a tenth of the time. Here the
replay publishes the pull requests itself (`$JS.API.CONSUMER.MSG.NEXT`, as `fetch` does, so the same
permissions) to an ephemeral consumer without acks, and one subscription callback gathers the
messages into batches: no task per message. Two batches are requested ahead, and the next only
when the reader takes one, so memory stays bounded however slowly the caller folds.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

AHEAD = 2  # pull requests in flight
EXPIRES_NS = 60_000_000_000  # a pull request's life on the server; a stalled one is noticed sooner


async def pulled(
    js: JetStreamContext,
    stream: str,
    filters: list[str],
    policy: DeliverPolicy,
    batch: int,
    on_total: Callable[[int], None] | None = None,
    stall_seconds: float = 10.0,
    keep: Callable[[str], bool] | None = None,
) -> AsyncIterator[list[Msg]]:
    """Batches of `batch` messages (the last one shorter) of those on the `filters` subjects stored when
    the call starts, in stream order (later ones are left to the live consumer); `on_total` is told how
    many first. With `keep`, only the messages whose subject it keeps (the batches then shorter; a
    batch with none kept is not handed over)."""
    nc: Client = js._nc  # the connection the context wraps (nats-py keeps it there)
    try:
        info = await js.add_consumer(
            stream,
            config=ConsumerConfig(
                deliver_policy=policy,
                ack_policy=AckPolicy.NONE,
                # One filter as filter_subject: servers before 2.10 know no filter_subjects.
                filter_subject=filters[0] if len(filters) == 1 else None,
                filter_subjects=filters if len(filters) > 1 else None,
                inactive_threshold=30.0,  # the server removes it shortly after the replay
                mem_storage=True,
            ),
        )
    except NotFoundError:
        return
    total = int(info.num_pending or 0)
    if on_total is not None:
        on_total(total)
    if total == 0:
        return
    ready: asyncio.Queue[tuple[list[Msg], int]] = asyncio.Queue()  # kept, of how many received
    gathering: list[Msg] = []
    received = requested = walked = 0

    async def gather(msg: Msg) -> None:
        nonlocal gathering, received, walked
        if not msg.reply:
            return  # a status (a request expired, 408; nothing left, 404), not a stored message
        if keep is None or keep(msg.subject):
            gathering.append(msg)
        received += 1
        walked += 1
        if walked == batch or received == total:
            ready.put_nowait((gathering, walked))
            gathering, walked = [], 0

    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox, cb=gather)
    next_subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{info.name}"

    async def request() -> None:
        nonlocal requested
        count = min(batch, total - requested)
        if count > 0:
            requested += count
            body = json.dumps({"batch": count, "expires": EXPIRES_NS}).encode()
            await nc.publish(next_subject, body, reply=inbox)

    try:
        for _ in range(AHEAD):
            await request()
        handed = 0
        while handed < total:
            try:
                got, count = await asyncio.wait_for(ready.get(), stall_seconds)
            except TimeoutError as exc:
                raise RuntimeError(f"stream {stream} stopped delivering with {total - handed} left") from exc
            handed += count
            await request()  # the server sends it while the caller folds this batch
            if got:
                yield got
    finally:
        await sub.unsubscribe()
