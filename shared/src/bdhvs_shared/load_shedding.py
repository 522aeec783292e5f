"""Load shedding: a bounded number of write requests in flight; the rest answered 503 at once."""

from __future__ import annotations

import asyncio

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from bdhvs_shared.unavailable import ErrorBody, errors_body, unavailable_response

log = structlog.get_logger("bdhvs.http")


class WriteLimit:
    """Load shedding: at most `limit` write requests (POST, PUT, PATCH, DELETE) in flight.

    A write that finds no room within `wait_seconds` is answered 503 `service.overloaded` with
    Retry-After at once, before its body is read: the queue stays short, so a client is answered
    long before it gives up, and a request it gave up on is not committed later. Reads are not
    limited (their pool wait is bounded by DB_POOL_TIMEOUT_SECONDS)."""

    WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, app: ASGIApp, limit: int, wait_seconds: float, body: ErrorBody = errors_body) -> None:
        self.app = app
        self.wait_seconds = wait_seconds
        self.body = body
        self._slots = asyncio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in self.WRITES:
            await self.app(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.wait_seconds):
                await self._slots.acquire()
        except TimeoutError:
            log.warning("write request shed", path=scope.get("path"), wait_seconds=self.wait_seconds)
            await unavailable_response("overloaded", self.body)(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()
