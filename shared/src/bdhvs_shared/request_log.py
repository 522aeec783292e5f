"""Each HTTP request's log lines carry a request id (and, once the request stages an event, its
correlation id); one summary line per request. A plain ASGI middleware, so that what the endpoint
binds is still bound when the summary line is written (Starlette's BaseHTTPMiddleware runs the
endpoint in another task, whose context is a copy)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("bdhvs.http")
HEADER = b"x-request-id"


class RequestLogContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(HEADER, b"").decode("latin-1")[:100]
        request_id = given or uuid.uuid4().hex
        status: dict[str, Any] = {}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER, request_id.encode("latin-1"))]
            await send(message)

        structlog.contextvars.clear_contextvars()  # a request starts clean, whatever the server reused
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = scope.get("path", "")
            if not path.startswith(("/health", "/metrics")):  # probes and scrapes would drown the log
                log.info(
                    "request handled",
                    method=scope.get("method"),
                    path=path,
                    status=status.get("code", 500),  # no response sent: the app raised
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                )
            structlog.contextvars.clear_contextvars()
