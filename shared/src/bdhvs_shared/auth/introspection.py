"""Asking intake who a bearer token belongs to, with a short cache.

Intake owns the tokens (created and revoked there). kpi and notifier ask
`GET {AUTH_URL}/api/v1/auth/whoami` and keep the answer for a few seconds, so a
revoked token stops working within `cache_seconds` and intake is not asked on
every request. Only a digest of the token is kept in memory.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

import httpx

from bdhvs_shared.auth.caller import Caller

_MAX_ENTRIES = 10_000


class AuthUnavailable(Exception):
    """Intake could not be asked (down, slow, or an unexpected answer)."""


class TokenIntrospector:
    def __init__(
        self,
        base_url: str,
        cache_seconds: float = 30.0,
        timeout_seconds: float = 3.0,
        monotonic: Callable[[], float] = time.monotonic,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout_seconds, transport=transport
        )
        self._cache_seconds = cache_seconds
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, Caller | None]] = {}

    async def caller(self, token: str) -> Caller | None:
        """The token's holder, or None for an unknown or revoked token."""
        key = hashlib.sha256(token.encode()).hexdigest()
        now = self._monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        found = await self._ask(token)
        if len(self._cache) >= _MAX_ENTRIES:
            self._cache.clear()  # bounded memory; the next requests just ask again
        self._cache[key] = (now + self._cache_seconds, found)
        return found

    async def _ask(self, token: str) -> Caller | None:
        try:
            reply = await self._client.get(
                "/api/v1/auth/whoami", headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise AuthUnavailable(str(exc)) from exc
        if reply.status_code == 401:
            return None
        if reply.status_code != 200:
            raise AuthUnavailable(f"whoami answered {reply.status_code}")
        try:
            return Caller.from_whoami(reply.json())
        except (KeyError, ValueError) as exc:
            raise AuthUnavailable(f"whoami answered an unexpected body: {exc}") from exc

    async def close(self) -> None:
        await self._client.aclose()
