"""The port every delivery channel implements, and how a send can fail (pure).

A channel raises `TransientFailure` for what may heal (5xx, timeouts, a refused
connection, 429 with its Retry-After) and `PermanentFailure` for what never will
(a 400, an unknown number); anything else it raises counts as transient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class OutgoingMessage:
    notification_id: UUID
    idempotency_key: str
    unit_code: str
    kind: str
    recipient: str
    subject: str
    text: str
    html: str | None
    created_at: datetime


@dataclass(frozen=True)
class Receipt:
    provider_message_id: str | None = None


class DeliveryFailure(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientFailure(DeliveryFailure):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailure(DeliveryFailure):
    pass


class Channel(Protocol):
    name: str

    async def send(self, message: OutgoingMessage) -> Receipt:
        """Hand the message over; return once the peer accepted it, or raise a DeliveryFailure.
        Concurrent calls are allowed (a dispatcher's senders)."""
        ...

    async def close(self) -> None:
        """Release what is kept between sends (open SMTP sessions), at shutdown."""
        ...
