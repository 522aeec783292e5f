"""What happens to a message whose handler failed: retry later, or dead-letter it.

FastStream's default `REJECT_ON_ERROR` terms a failed message (lost), and
`NACK_ON_ERROR` naks with no delay (a hot loop). This middleware decides:
- a message that can never succeed (bad payload) goes to the DLQ stream at once;
- any other error is retried with a growing delay, and after the last allowed
  delivery the message goes to the DLQ stream with the reason.
Either way the original is then `term`ed, so it stops blocking the consumer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from types import TracebackType
from typing import Any

import structlog
from faststream import BaseMiddleware
from faststream.exceptions import HandlerException, NackMessage, RejectMessage
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from prometheus_client import Counter
from pydantic import ValidationError

from bdhvs_shared.nats.poison import PoisonMessage

log = structlog.get_logger(__name__)


def backoff_seconds(num_delivered: int, base: float = 0.5, cap: float = 30.0) -> float:
    """0.5 s, 1 s, 2 s, 4 s… capped: transient faults (a DB restart) get time to heal."""
    return float(min(cap, base * 2 ** max(0, num_delivered - 1)))


def dlq_subject(consumer: str, original_subject: str) -> str:
    return f"bdhvs.dlq.{consumer}.{original_subject}"


class ReliableDelivery:
    """Factory for the broker middleware; holds what every message needs."""

    def __init__(self, js: Callable[[], JetStreamContext], max_deliver: int, dead_lettered: Counter) -> None:
        self._js = js
        self.max_deliver = max_deliver
        self.dead_lettered = dead_lettered

    def __call__(self, msg: Any, /, *, context: Any) -> _ReliableDeliveryMiddleware:
        return _ReliableDeliveryMiddleware(msg, context=context, policy=self)

    async def dead_letter(self, raw: Msg, reason: str) -> None:
        consumer = getattr(raw.metadata, "consumer", None) or "unknown"
        headers = dict(raw.headers or {})
        headers.pop("Nats-Msg-Id", None)
        headers["bdhvs-dlq-reason"] = reason[:500]
        headers["bdhvs-dlq-subject"] = raw.subject
        headers["bdhvs-dlq-consumer"] = consumer
        await self._js().publish(dlq_subject(consumer, raw.subject), raw.data, headers=headers, timeout=5)
        self.dead_lettered.labels(consumer=consumer).inc()
        log.error("message dead-lettered", subject=raw.subject, consumer=consumer, reason=reason)


class _ReliableDeliveryMiddleware(BaseMiddleware):
    """Decides at exit, so it also sees errors raised while decoding the body."""

    def __init__(self, msg: Msg, /, *, context: Any, policy: ReliableDelivery) -> None:
        super().__init__(msg, context=context)
        self.msg: Msg = msg
        self.policy = policy

    async def after_processed(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: TracebackType | None = None,
    ) -> bool | None:
        if exc_val is None or isinstance(exc_val, HandlerException | asyncio.CancelledError):
            return False
        raw: Msg = self.msg  # the raw nats-py message
        if isinstance(exc_val, PoisonMessage | ValidationError | json.JSONDecodeError | UnicodeDecodeError):
            await self.policy.dead_letter(raw, f"poison: {exc_val}")
            raise RejectMessage() from exc_val
        delivered = int(getattr(raw.metadata, "num_delivered", 1) or 1)
        if delivered >= self.policy.max_deliver:
            await self.policy.dead_letter(raw, f"gave up after {delivered} deliveries: {exc_val!r}")
            raise RejectMessage() from exc_val
        delay = backoff_seconds(delivered)
        log.warning("handler failed, will retry", error=repr(exc_val), delivered=delivered, delay=delay)
        raise NackMessage(delay=delay) from exc_val
