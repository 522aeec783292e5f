"""Who may read what, and how answers about tokens are cached (no network: httpx's MockTransport)."""

from __future__ import annotations

import httpx
import pytest

from bdhvs_shared.auth import Caller, Role
from bdhvs_shared.auth.introspection import AuthUnavailable, TokenIntrospector
from bdhvs_shared.settings import ReaderAuthSettings


def test_a_commune_reads_its_unit_and_the_province_only() -> None:
    commune = Caller("t1", Role.COMMUNE, unit_code="09313")
    assert commune.may_read_unit("09313") and commune.may_read_unit("24")
    assert not commune.may_read_unit("09292")
    for role in (Role.OPERATOR, Role.ADMIN, Role.AGENCY):
        assert Caller("t2", role).readable_units() is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def whoami_server(calls: list[str], status: int = 200) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        calls.append(token)
        if status != 200:
            return httpx.Response(status)
        if token != "good":
            return httpx.Response(401, json={"errors": []})
        return httpx.Response(200, json={"token_id": "id1", "role": "commune", "unit_code": "09313"})

    return httpx.MockTransport(answer)


async def test_answers_are_kept_for_the_cache_time_then_asked_again() -> None:
    calls: list[str] = []
    clock = Clock()
    introspector = TokenIntrospector("http://intake", 30, monotonic=clock, transport=whoami_server(calls))
    first = await introspector.caller("good")
    assert first == Caller("id1", Role.COMMUNE, unit_code="09313")
    assert await introspector.caller("good") == first and calls == ["good"]
    assert await introspector.caller("bad") is None
    assert await introspector.caller("bad") is None and calls == ["good", "bad"]
    clock.now = 31  # a revoked token stops working once its answer expires
    await introspector.caller("good")
    assert calls == ["good", "bad", "good"]
    await introspector.close()


async def test_an_unexpected_answer_is_unavailable_not_a_refusal() -> None:
    calls: list[str] = []
    introspector = TokenIntrospector("http://intake", 30, transport=whoami_server(calls, status=500))
    with pytest.raises(AuthUnavailable):
        await introspector.caller("good")
    with pytest.raises(AuthUnavailable):  # not cached: the next request asks again
        await introspector.caller("good")
    assert len(calls) == 2
    await introspector.close()


def test_auth_url_must_be_http_and_is_required_to_serve() -> None:
    with pytest.raises(ValueError, match="AUTH_URL"):
        ReaderAuthSettings(auth_url="intake:8000")
    with pytest.raises(ValueError, match="required to serve"):
        ReaderAuthSettings().required_auth_url()
    assert ReaderAuthSettings(auth_url="http://intake:8000/").required_auth_url() == "http://intake:8000"
