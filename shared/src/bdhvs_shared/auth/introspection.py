"""Asking intake who a bearer token belongs to, with a short cache that survives a slow intake.

Intake owns the tokens (created, revoked and expired there). kpi and notifier ask
`GET {AUTH_URL}/api/v1/auth/whoami` and keep each answer (a holder, or "refused"):

- younger than `cache_seconds` (AUTH_CACHE_SECONDS): used as is, intake is not asked;
- older, up to `stale_seconds` (AUTH_STALE_SECONDS): intake is asked again (one request per token at
  a time, at most `revalidate_timeout_seconds`); its answer replaces the old one at once — a 401
  (revoked, expired) is honoured immediately. Only if intake is down, slow or answers 5xx is the old
  answer used instead, and intake is then left alone for `retry_seconds` for that token;
- older than `stale_seconds`, or never asked: intake must answer (AuthUnavailable otherwise).

So a revoked or expired token stops working within AUTH_CACHE_SECONDS while intake answers, and
within AUTH_STALE_SECONDS at worst, when intake cannot answer. A session that must first change its
initial password is refused and not kept: once changed, it is accepted at the next request.
Memory is bounded (`max_entries`, the oldest answers go first); only a digest of the token is kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bdhvs_shared.auth.caller import Caller

_MAX_ENTRIES = 10_000


class AuthUnavailable(Exception):
    """Intake could not be asked (down, slow, or an unexpected answer)."""


@dataclass
class _Answer:
    caller: Caller | None  # None: intake refused the token
    checked_at: float  # when intake gave this answer (monotonic)
    quiet_until: float = 0.0  # a failed revalidation: do not ask intake again for this token before


class TokenIntrospector:
    def __init__(
        self,
        base_url: str,
        cache_seconds: float = 30.0,
        timeout_seconds: float = 3.0,
        monotonic: Callable[[], float] = time.monotonic,
        transport: httpx.AsyncBaseTransport | None = None,
        stale_seconds: float | None = None,
        revalidate_timeout_seconds: float = 1.0,
        retry_seconds: float = 5.0,
        max_entries: int = _MAX_ENTRIES,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout_seconds, transport=transport
        )
        self._timeout = timeout_seconds
        self._cache_seconds = cache_seconds
        self._stale_seconds = max(cache_seconds, cache_seconds if stale_seconds is None else stale_seconds)
        self._revalidate_timeout = min(revalidate_timeout_seconds, timeout_seconds)
        self._retry_seconds = retry_seconds
        self._max_entries = max_entries
        self._monotonic = monotonic
        self._cache: dict[str, _Answer] = {}  # oldest answer first
        self._asking: dict[str, asyncio.Task[Caller | None]] = {}

    async def caller(self, token: str) -> Caller | None:
        """The token's holder, or None for an unknown, revoked or expired token."""
        key = hashlib.sha256(token.encode()).hexdigest()
        now = self._monotonic()
        cached = self._cache.get(key)
        if cached is not None and now - cached.checked_at < self._cache_seconds:
            return cached.caller
        if cached is None or now - cached.checked_at >= self._stale_seconds:
            return await self._ask_shared(key, token, self._timeout)
        if now < cached.quiet_until:  # intake just failed to answer about this token
            return cached.caller
        try:
            return await self._ask_shared(key, token, self._revalidate_timeout)
        except AuthUnavailable:
            cached.quiet_until = self._monotonic() + self._retry_seconds
            return cached.caller  # stale, but younger than stale_seconds

    async def _ask_shared(self, key: str, token: str, timeout: float) -> Caller | None:
        """One request to intake per token at a time; concurrent callers wait for the same answer."""
        task = self._asking.get(key)
        if task is None:
            task = asyncio.create_task(self._ask_and_keep(key, token))
            self._asking[key] = task
            task.add_done_callback(lambda done: self._asked(key, done))
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(task)  # a caller giving up does not cancel the others
        except TimeoutError as exc:
            raise AuthUnavailable(f"intake did not answer within {timeout} s") from exc

    def _asked(self, key: str, task: asyncio.Task[Caller | None]) -> None:
        self._asking.pop(key, None)
        if not task.cancelled():
            task.exception()  # retrieved: every caller may have given up waiting for it

    async def _ask_and_keep(self, key: str, token: str) -> Caller | None:
        found = await self._ask(token)
        self._cache.pop(key, None)
        if found is not None and found.must_change_password:
            return found  # not kept: the password may be changed the next moment, then it is accepted
        self._cache[key] = _Answer(found, self._monotonic())
        while len(self._cache) > self._max_entries:  # bounded memory: the oldest answers go first
            del self._cache[next(iter(self._cache))]
        return found

    async def _ask(self, token: str) -> Caller | None:
        try:
            reply = await self._client.get(
                "/api/v1/auth/whoami", headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise AuthUnavailable(str(exc) or type(exc).__name__) from exc
        if reply.status_code == 401:
            return None
        if reply.status_code != 200:
            raise AuthUnavailable(f"whoami answered {reply.status_code}")
        try:
            return Caller.from_whoami(reply.json())
        except (KeyError, ValueError) as exc:
            raise AuthUnavailable(f"whoami answered an unexpected body: {exc}") from exc

    async def close(self) -> None:
        for task in list(self._asking.values()):
            task.cancel()
        await self._client.aclose()
