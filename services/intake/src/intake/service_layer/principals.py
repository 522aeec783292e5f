"""Who holds an API token, remembered briefly so that a busy client's requests do not each look it up.

A holder found is kept for `seconds` (TOKEN_CACHE_SECONDS) after the lookup, then looked up again:
a token revoked (or expired) meanwhile is refused by this replica at most `seconds` later. An
unknown token is never remembered, so a token just created works at once and a guessed one costs a
lookup each time. `seconds = 0` looks every token up on every request. Introspection
(`GET /api/v1/auth/whoami`, which kpi and the notifier ask) and signed-in sessions are not cached.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from intake.domain.principal import Principal


class PrincipalCache:
    def __init__(
        self, seconds: float, size: int = 10_000, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._seconds = seconds
        self._size = size
        self._monotonic = monotonic
        self._found: dict[str, tuple[float, Principal]] = {}  # key → (looked up at, holder)

    async def principal(
        self, key: str, lookup: Callable[[], Awaitable[Principal | None]]
    ) -> Principal | None:
        """The holder of the token `key` names (its digest), from memory if looked up recently."""
        now = self._monotonic()
        kept = self._found.get(key)
        if kept is not None and now - kept[0] < self._seconds:
            return kept[1]
        principal = await lookup()
        if principal is None:
            self._found.pop(key, None)
        elif self._seconds > 0:
            if len(self._found) >= self._size:
                self._found.pop(next(iter(self._found)))  # the oldest lookup goes first
            self._found.pop(key, None)
            self._found[key] = (now, principal)
        return principal
