"""AsyncAPI 3.0 documents from the real publishers and subscribers (FastStream's generator)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from faststream.nats import JStream, NatsBroker
from faststream.specification import AsyncAPI

from bdhvs_shared.events.envelope import Event


def declare_publishers(broker: NatsBroker, publishes: Sequence[tuple[str, str, type[Event]]]) -> None:
    """Register what a service publishes (through its outbox) so the document lists it."""
    for subject, stream, model in publishes:
        broker.publisher(
            subject,
            stream=JStream(stream, declare=False),
            schema=model,
            title=f"{subject}:publish",
            description=(model.__doc__ or "").strip(),
        )


def document(broker: NatsBroker, title: str, description: str) -> dict[str, Any]:
    spec = AsyncAPI(broker, title=title, version="0.1.0", description=description)
    result: dict[str, Any] = json.loads(spec.to_specification().to_json())
    return result


def asyncapi_for(
    title: str, description: str, publishes: Sequence[tuple[str, str, type[Event]]]
) -> dict[str, Any]:
    broker = NatsBroker()
    declare_publishers(broker, publishes)
    return document(broker, title, description)
