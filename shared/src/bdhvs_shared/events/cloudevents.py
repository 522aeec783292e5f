"""CloudEvents 1.0 binary mode over NATS: attributes as `ce-*` headers, body = the model's JSON.

Header values are percent-encoded as the NATS protocol binding asks (space,
double quote, percent and anything non-ASCII).
"""

from __future__ import annotations

from urllib.parse import quote

from bdhvs_shared.events.envelope import Event

_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"%')
# The reverse-DNS prefix of `ce-type` when staged; the outbox relay swaps it for the province's
# EVENT_TYPE_PREFIX (settings) as it publishes (`with_type_prefix`).
STAGED_PREFIX = "vn.bacninh"


def _encode(value: str) -> str:
    return quote(value, safe=_SAFE)


def headers_for(event: Event, subject: str | None = None) -> dict[str, str]:
    """Headers to publish `event` with: CloudEvents attributes plus Nats-Msg-Id for de-duplication."""
    event_id = str(event.event_id)
    headers = {
        "Nats-Msg-Id": event_id,
        "ce-specversion": "1.0",
        "ce-id": event_id,
        "ce-source": f"/bdhvs/{event.producer}",
        "ce-type": f"{STAGED_PREFIX}.{event.event_type}.v{event.schema_version}",
        "ce-time": event.occurred_at.isoformat(),
        "ce-correlationid": str(event.correlation_id),
        "content-type": "application/json",
    }
    if subject is not None:
        headers["ce-subject"] = _encode(subject)
    return headers


def with_type_prefix(headers: dict[str, str], prefix: str) -> dict[str, str]:
    """The headers with `ce-type` under `prefix` (EVENT_TYPE_PREFIX, e.g. vn.hatinh) instead of the
    staged one: vn.bacninh.bdhvs.report.accepted.v1 → vn.hatinh.bdhvs.report.accepted.v1."""
    current = headers.get("ce-type", "")
    if prefix == STAGED_PREFIX or not current.startswith(STAGED_PREFIX + "."):
        return headers
    return {**headers, "ce-type": prefix + current[len(STAGED_PREFIX) :]}


def body_for(event: Event) -> bytes:
    return event.model_dump_json().encode()
