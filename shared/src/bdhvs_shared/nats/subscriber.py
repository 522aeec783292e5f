"""A service's consumer: one durable pull subscription that hands each typed event to the service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from faststream.nats import JStream, NatsBroker, PullSub
from nats.aio.client import DEFAULT_INBOX_PREFIX

from bdhvs_shared.events.envelope import Event
from bdhvs_shared.nats.consumers import DurableConsumer

E = TypeVar("E", bound=Event)


def subscribe(
    broker: NatsBroker,
    consumer: DurableConsumer,
    model: type[E],
    apply: Callable[[E], Awaitable[None]],
    description: str,
    batch_size: int = 1,
) -> None:
    """Register `apply` for `model` events on the pre-provisioned durable `consumer`.

    One message at a time by default (batch_size=1): FastStream runs the handlers of
    the messages of one pull concurrently, and per-subject order matters to most
    consumers. A consumer whose `apply` puts them back in order (kpi's batcher) may
    pull more at once.
    """

    async def handle(event: Event) -> None:
        await apply(event)  # type: ignore[arg-type]  # FastStream decodes the body as `model`

    # FastStream reads the body type (for decoding and the AsyncAPI document) from the annotations.
    handle.__annotations__ = {"event": model, "return": None}
    handle.__name__ = handle.__qualname__ = f"on_{model.__name__}"
    broker.subscriber(
        consumer.filter_subject,
        inbox_prefix=_pull_inbox_prefix(broker),
        stream=JStream(consumer.stream, declare=False),
        durable=consumer.durable,
        pull_sub=PullSub(batch_size=batch_size, timeout=1.0),
        title=f"{consumer.durable}:consume",
        description=description,
    )(handle)


def _pull_inbox_prefix(broker: NatsBroker) -> bytes:
    """Pulled messages arrive on an inbox under the broker's own prefix (`_INBOX_<service>`, which the
    bus permissions let only this service read), not FastStream's default shared `_INBOX.`."""
    kwargs = getattr(broker, "_connection_kwargs", {})  # FastStream keeps no public copy of it
    prefix = kwargs.get("inbox_prefix") or DEFAULT_INBOX_PREFIX
    return (prefix.encode() if isinstance(prefix, str) else bytes(prefix)) + b"."
