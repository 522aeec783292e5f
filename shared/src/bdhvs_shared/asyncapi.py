"""AsyncAPI 3.0 documents from the real publishers and subscribers (FastStream's generator), with
what the generator leaves out: the CloudEvents `ce-*` headers every message carries (binary mode,
`events/cloudevents.py`), the correlation id where the relay puts it (`ce-correlationid`), and the
parameters of each channel's address (`{unit_code}`…)."""

from __future__ import annotations

import json
import re
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


UUID = {"type": "string", "format": "uuid"}
CE_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 in NATS binary mode: the attributes are headers, the body the event.",
    "properties": {
        "Nats-Msg-Id": {**UUID, "description": "= ce-id: JetStream drops a duplicate publish"},
        "ce-specversion": {"type": "string", "const": "1.0"},
        "ce-id": {**UUID, "description": "The event id (the body's event_id)"},
        "ce-source": {"type": "string", "description": "/bdhvs/<producer>, e.g. /bdhvs/intake"},
        "ce-type": {
            "type": "string",
            "description": "<EVENT_TYPE_PREFIX>.<event_type>.v<schema_version>, e.g. "
            "vn.bacninh.bdhvs.report.accepted.v1",
        },
        "ce-time": {"type": "string", "format": "date-time", "description": "When it happened"},
        "ce-correlationid": {**UUID, "description": "The chain's id, from the first event (or request)"},
        "ce-subject": {"type": "string", "description": "The NATS subject, percent-encoded"},
        "content-type": {"type": "string", "const": "application/json"},
    },
    "required": [
        "Nats-Msg-Id",
        "ce-specversion",
        "ce-id",
        "ce-source",
        "ce-type",
        "ce-time",
        "ce-correlationid",
    ],
}
PARAMETERS = {
    "unit_code": "The unit's GSO code: 5 digits for a commune or ward, 2 for the province (24)",
    "indicator": "The indicator's code from the catalogue (a, b, c, d, dd…)",
    "period": "The period, e.g. 2026-03",
    "form": "The form's code from the catalogue, e.g. monthly",
}


def with_cloudevents(doc: dict[str, Any]) -> dict[str, Any]:
    """The generator's document plus the `ce-*` headers, the correlation id's location and the
    channels' parameters."""
    for message in doc.get("components", {}).get("messages", {}).values():
        message["headers"] = CE_HEADERS
        message["correlationId"] = {
            "description": "ce-correlationid: the id shared by every event of one chain",
            "location": "$message.header#/ce-correlationid",
        }
    for channel in doc.get("channels", {}).values():
        names = re.findall(r"{([a-z_]+)}", channel.get("address") or "")
        if names:
            channel["parameters"] = {n: {"description": PARAMETERS.get(n, n)} for n in names}
    return doc


def document(broker: NatsBroker, title: str, description: str) -> dict[str, Any]:
    spec = AsyncAPI(broker, title=title, version="0.1.0", description=description)
    result: dict[str, Any] = json.loads(spec.to_specification().to_json())
    return with_cloudevents(result)


def asyncapi_for(
    title: str, description: str, publishes: Sequence[tuple[str, str, type[Event]]]
) -> dict[str, Any]:
    broker = NatsBroker()
    declare_publishers(broker, publishes)
    return document(broker, title, description)
