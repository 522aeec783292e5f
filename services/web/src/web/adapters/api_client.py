"""HTTP to intake, kpi and the notifier with the person's own session token (httpx).

Every refusal comes back as the domain's ApiRefused (401 SignedOut, 403 Forbidden, other 4xx with the
API's own problems); a service that does not answer, or answers 5xx, as ApiUnavailable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from web.domain.problems import (
    ApiRefused,
    ApiUnavailable,
    Forbidden,
    PasswordChangeRequired,
    SignedOut,
)


@dataclass(frozen=True)
class FileReply:
    content: bytes
    media_type: str
    filename: str


class ApiClient:
    def __init__(self, name: str, client: httpx.AsyncClient) -> None:
        self.name = name
        self.client = client

    async def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            reply = await self.client.request(
                method, path, params=clean, json=json, content=content, data=data, headers=sent
            )
        except httpx.HTTPError as exc:
            raise ApiUnavailable(self.name, f"{type(exc).__name__}: {exc}") from exc
        if reply.status_code >= 500:
            raise ApiUnavailable(self.name, f"{reply.status_code} {reply.text[:200]}")
        if reply.status_code >= 400:
            raise refusal(reply)
        return reply

    async def json(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        reply = await self.call(method, path, token, **kw)
        return reply.json() if reply.content else None

    async def file(self, path: str, token: str, params: dict[str, Any] | None = None) -> FileReply:
        reply = await self.call("GET", path, token, params=params)
        disposition = reply.headers.get("content-disposition", "")
        filename = disposition.split("filename=")[-1].strip('"') if "filename=" in disposition else "tep"
        return FileReply(
            reply.content, reply.headers.get("content-type", "application/octet-stream"), filename
        )

    async def close(self) -> None:
        await self.client.aclose()


def refusal(reply: httpx.Response) -> ApiRefused:
    try:
        body = reply.json()
    except ValueError:
        body = None
    status = reply.status_code
    refused = ApiRefused.from_body(status, body)
    kind: type[ApiRefused] = ApiRefused
    if status == 401:
        kind = SignedOut
    elif status == 403:
        kind = PasswordChangeRequired if "auth.password_change_required" in refused.codes() else Forbidden
    return kind(status, refused.errors, refused.warnings)


def client(
    name: str, base_url: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None
) -> ApiClient:
    return ApiClient(
        name,
        httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        ),
    )
