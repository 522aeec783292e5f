"""A nats-py connection that keeps reconnecting, and a JetStream publisher that waits for acks."""

from __future__ import annotations

import nats
import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext

log = structlog.get_logger(__name__)


def inbox_prefix(service: str) -> str:
    """Replies (JetStream acks, pulled messages) come to `_INBOX_<service>.>`: the bus permissions
    (deploy/nats/accounts.conf) let each service subscribe there only, so none reads another's replies.
    """
    return f"_INBOX_{service}"


async def connect(url: str, name: str) -> Client:
    async def on_disconnect() -> None:
        log.warning("nats disconnected", client=name)

    async def on_reconnect() -> None:
        log.info("nats reconnected", client=name)

    return await nats.connect(
        url,
        name=name,
        inbox_prefix=inbox_prefix(name),
        max_reconnect_attempts=-1,  # NATS down is an outage to wait out, not a reason to exit
        reconnect_time_wait=0.5,
        disconnected_cb=on_disconnect,
        reconnected_cb=on_reconnect,
    )


class JetStreamPublisher:
    """Publishes to JetStream and returns only once the stream stored the message."""

    def __init__(self, js: JetStreamContext, timeout: float = 5.0) -> None:
        self._js = js
        self._timeout = timeout

    async def publish(self, subject: str, payload: bytes, headers: dict[str, str]) -> None:
        await self._js.publish(subject, payload, timeout=self._timeout, headers=headers)


async def broker_ready(nc: Client | None) -> bool:
    return nc is not None and nc.is_connected
