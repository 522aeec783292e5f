"""Every log line written while a message is handled names the event and its correlation id.

The ids come from the CloudEvents headers (`ce-id`, `ce-correlationid`) that every producer sets, so
one report can be followed through intake, kpi and notifier by its correlation id. Bound as structlog
context variables on receipt and reset once the message is settled (after any dead-lettering line).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

import structlog
from faststream import BaseMiddleware


def message_log_context(msg: Any) -> dict[str, str]:
    """The log fields of a raw nats-py message: event id, correlation id, subject, consumer."""
    headers = getattr(msg, "headers", None) or {}
    fields = {"subject": str(getattr(msg, "subject", ""))}
    if "ce-id" in headers:
        fields["event_id"] = headers["ce-id"]
    if "ce-correlationid" in headers:
        fields["correlation_id"] = headers["ce-correlationid"]
    try:
        consumer = msg.metadata.consumer
    except Exception:  # not a JetStream message (no metadata in its reply subject)
        consumer = None
    if consumer:
        fields["consumer"] = str(consumer)
    return fields


class LogContext(BaseMiddleware):
    """Broker middleware; put it first so its context also covers the other middlewares' lines."""

    def __init__(self, msg: Any, /, *, context: Any) -> None:
        super().__init__(msg, context=context)
        self._tokens: Mapping[str, Any] = {}

    async def on_receive(self) -> None:
        self._tokens = structlog.contextvars.bind_contextvars(**message_log_context(self.msg))

    async def after_processed(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: TracebackType | None = None,
    ) -> bool | None:
        structlog.contextvars.reset_contextvars(**self._tokens)
        return False
