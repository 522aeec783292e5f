"""The API token holders' cache: a holder is reused for TOKEN_CACHE_SECONDS, then looked up again,
so a revoked token is refused at most that long after; an unknown token is never remembered."""

from __future__ import annotations

import uuid

from intake.domain.principal import Principal, Role
from intake.service_layer.principals import PrincipalCache

HOLDER = Principal(token_id=uuid.uuid4(), role=Role.OPERATOR, unit_code=None)


class Tokens:
    """The token table as the lookup sees it, counting lookups."""

    def __init__(self) -> None:
        self.live: dict[str, Principal] = {"t1": HOLDER}
        self.lookups = 0

    def lookup(self, key: str):  # type: ignore[no-untyped-def]
        async def find() -> Principal | None:
            self.lookups += 1
            return self.live.get(key)

        return find


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_holder_is_reused_until_the_time_is_up_then_a_revoked_token_is_refused() -> None:
    tokens, clock = Tokens(), Clock()
    cache = PrincipalCache(5.0, monotonic=clock)
    assert await cache.principal("t1", tokens.lookup("t1")) == HOLDER
    del tokens.live["t1"]  # revoked
    clock.now += 4.9
    assert await cache.principal("t1", tokens.lookup("t1")) == HOLDER  # within the documented delay
    assert tokens.lookups == 1
    clock.now += 0.1
    assert await cache.principal("t1", tokens.lookup("t1")) is None
    assert await cache.principal("t1", tokens.lookup("t1")) is None
    assert tokens.lookups == 3


async def test_an_unknown_token_is_looked_up_every_time_and_zero_seconds_caches_nothing() -> None:
    tokens, clock = Tokens(), Clock()
    cache = PrincipalCache(5.0, monotonic=clock)
    for _ in range(3):
        assert await cache.principal("nope", tokens.lookup("nope")) is None
    assert tokens.lookups == 3
    uncached = PrincipalCache(0.0, monotonic=clock)
    for _ in range(3):
        assert await uncached.principal("t1", tokens.lookup("t1")) == HOLDER
    assert tokens.lookups == 6


async def test_the_cache_is_bounded_oldest_lookup_first() -> None:
    tokens, clock = Tokens(), Clock()
    tokens.live = {f"t{n}": HOLDER for n in range(4)}
    cache = PrincipalCache(60.0, size=2, monotonic=clock)
    for key in ("t0", "t1", "t2"):  # t0 is dropped to make room for t2
        await cache.principal(key, tokens.lookup(key))
    await cache.principal("t2", tokens.lookup("t2"))
    await cache.principal("t0", tokens.lookup("t0"))
    assert tokens.lookups == 4
