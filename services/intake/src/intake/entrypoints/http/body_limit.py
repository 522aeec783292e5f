"""A cap on request bodies, enforced before anything parses them: 413 `body.too_large` in the errors shape.

A declared `Content-Length` above the cap is refused without reading the body; a body without one
(chunked) is read up to the cap and refused as soon as it passes it. A body within the cap is read
whole here and handed on unchanged, so a route never sees more than the cap. Paths with a limit of
their own (the file import streams its body against `IMPORT_MAX_BYTES`) are passed through.
"""

from __future__ import annotations

from collections.abc import Collection

from prometheus_client import Counter
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake.domain.problems import problem
from intake.entrypoints.http.errors import problems_response


class BodyLimit:
    def __init__(
        self, app: ASGIApp, limit: int, exempt: Collection[str] = (), rejected: Counter | None = None
    ) -> None:
        self.app, self.limit, self.exempt, self.rejected = app, limit, frozenset(exempt), rejected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nobody to answer
                return
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.rejected is not None:
            self.rejected.labels(code="body.too_large").inc()
        too_large = problem("body.too_large", "", limit=_size(self.limit))
        await problems_response([too_large], status=413)(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read here, as one message; then the server's own messages (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _size(limit: int) -> str:
    return f"{limit // 1024} KB" if limit % 1024 == 0 else f"{limit} byte"
