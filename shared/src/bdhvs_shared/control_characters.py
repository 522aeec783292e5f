"""Refusing a control character (NUL…) in any query or path parameter with 422, before routing."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from bdhvs_shared.unavailable import errors_body


class RefuseControlCharacters:
    """422 for a query or path parameter holding a control character (NUL, newline…), before routing.

    No parameter of kpi or the notifier has a use for one, and PostgreSQL text cannot hold NUL
    (a query with one would fail with a 500). A plain ASGI middleware: it answers or passes on.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            field = _control_character_in(scope)
            if field is not None:
                message = f"Tham số “{field[:40]}” chứa ký tự điều khiển (ví dụ NUL), không hợp lệ."
                body = errors_body("request.control_character", field[:40], message)
                response = JSONResponse(body, status_code=422)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _control_character_in(scope: Scope) -> str | None:
    """The first parameter (name, or "path") that holds a control character; None if none does."""
    if _CONTROL.search(scope.get("path", "")):
        return "path"
    # As Starlette reads the query string: latin-1 bytes, percent-decoded as UTF-8.
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True):
        if _CONTROL.search(name) or _CONTROL.search(value):
            return _CONTROL.sub("?", name)
    return None
