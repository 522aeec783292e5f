"""A service's consumer: one durable pull subscription that hands each typed event to the service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from faststream.nats import JStream, NatsBroker, PullSub

from bdhvs_shared.events.envelope import Event
from bdhvs_shared.nats.consumers import DurableConsumer

E = TypeVar("E", bound=Event)


def subscribe(
    broker: NatsBroker,
    consumer: DurableConsumer,
    model: type[E],
    apply: Callable[[E], Awaitable[None]],
    description: str,
) -> None:
    """Register `apply` for `model` events on the pre-provisioned durable `consumer`.

    One message at a time (batch_size=1): FastStream runs a batch's handlers
    concurrently, and per-subject order matters to the projections.
    """

    async def handle(event: Event) -> None:
        await apply(event)  # type: ignore[arg-type]  # FastStream decodes the body as `model`

    # FastStream reads the body type (for decoding and the AsyncAPI document) from the annotations.
    handle.__annotations__ = {"event": model, "return": None}
    handle.__name__ = handle.__qualname__ = f"on_{model.__name__}"
    broker.subscriber(
        consumer.filter_subject,
        stream=JStream(consumer.stream, declare=False),
        durable=consumer.durable,
        pull_sub=PullSub(batch_size=1, timeout=1.0),
        title=f"{consumer.durable}:consume",
        description=description,
    )(handle)
