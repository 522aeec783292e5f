"""Who may read what, and how answers about tokens are cached, also while intake is down or slow
(no network: httpx's MockTransport)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bdhvs_shared.auth import Caller, Role
from bdhvs_shared.auth.introspection import AuthUnavailable, TokenIntrospector
from bdhvs_shared.auth.routes import CurrentCaller, install_auth_errors
from bdhvs_shared.settings import ReaderAuthSettings


def test_a_commune_reads_its_unit_and_the_province_only() -> None:
    commune = Caller("t1", Role.COMMUNE, unit_code="09313")
    assert commune.may_read_unit("09313", "24") and commune.may_read_unit("24", "24")
    assert not commune.may_read_unit("09292", "24")
    for role in (Role.OPERATOR, Role.ADMIN, Role.AGENCY):
        assert Caller("t2", role).readable_units("24") is None


def test_the_province_a_commune_reads_is_the_catalogues() -> None:
    """Another province's catalogue (code 01): its communes read its totals, not Bắc Ninh's code."""
    commune = Caller("t1", Role.COMMUNE, unit_code="00004")
    assert commune.may_read_unit("01", "01") and not commune.may_read_unit("24", "01")
    assert commune.readable_units("01") == ("00004", "01")


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


class Intake:
    """A scripted whoami: tokens starting with "good" belong to a commune; `mode` breaks it."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.mode = "up"  # up | down (connection refused) | busy (503) | slow (never answers)
        self.revoked: set[str] = set()
        self.gate: asyncio.Event | None = None  # when set, answers wait for it

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        self.calls.append(token)
        if self.gate is not None:
            await self.gate.wait()
        if self.mode == "down":
            raise httpx.ConnectError("connection refused", request=request)
        if self.mode == "busy":
            return httpx.Response(503, headers={"Retry-After": "1"}, json={"errors": []})
        if self.mode == "slow":
            await asyncio.Event().wait()  # never answers; the introspector must not wait for it
        if not token.startswith("good") or token in self.revoked:
            return httpx.Response(401, json={"errors": []})
        return httpx.Response(200, json={"token_id": token, "role": "commune", "unit_code": "09313"})


def introspector_for(intake: Intake, clock: Clock, **options: Any) -> TokenIntrospector:
    options = {"stale_seconds": 120, "revalidate_timeout_seconds": 0.05, "retry_seconds": 5} | options
    return TokenIntrospector(
        "http://intake", 30, monotonic=clock, transport=httpx.MockTransport(intake), **options
    )


async def test_a_recent_answer_survives_an_intake_that_is_down_until_the_stale_ceiling() -> None:
    intake, clock = Intake(), Clock()
    introspector = introspector_for(intake, clock)
    holder = Caller("good", Role.COMMUNE, unit_code="09313")
    assert await introspector.caller("good") == holder
    intake.mode = "down"
    clock.now = 31  # past AUTH_CACHE_SECONDS: intake is asked, fails, the earlier answer is used
    assert await introspector.caller("good") == holder and len(intake.calls) == 2
    clock.now = 33  # intake just failed for this token: not asked again for retry_seconds
    assert await introspector.caller("good") == holder and len(intake.calls) == 2
    intake.mode = "busy"  # 503 from an overloaded intake counts as "cannot answer" too
    clock.now = 40
    assert await introspector.caller("good") == holder and len(intake.calls) == 3
    clock.now = 121  # past AUTH_STALE_SECONDS: no answer is old enough to use any more
    with pytest.raises(AuthUnavailable):
        await introspector.caller("good")
    intake.mode = "up"
    assert await introspector.caller("good") == holder  # intake back: asked and kept again
    await introspector.close()


async def test_a_refusal_from_intake_counts_at_once_when_the_answer_is_revalidated() -> None:
    intake, clock = Intake(), Clock()
    introspector = introspector_for(intake, clock)
    assert await introspector.caller("good") is not None
    intake.revoked.add("good")  # revoked (or expired) at intake
    clock.now = 29
    assert await introspector.caller("good") is not None  # the documented bound: AUTH_CACHE_SECONDS
    clock.now = 31
    assert await introspector.caller("good") is None
    intake.mode = "down"  # a refusal, once known, is not forgotten because intake went down
    clock.now = 62
    assert await introspector.caller("good") is None
    await introspector.close()


async def test_a_slow_intake_does_not_hold_requests_that_have_a_recent_answer() -> None:
    intake, clock = Intake(), Clock()
    introspector = introspector_for(intake, clock, timeout_seconds=0.2)
    holder = await introspector.caller("good")
    intake.mode = "slow"
    clock.now = 31
    async with asyncio.timeout(5):  # a guard against a hang, not a performance bound
        assert await introspector.caller("good") == holder  # after revalidate_timeout_seconds
        with pytest.raises(AuthUnavailable):  # a token never seen needs intake's answer
            await introspector.caller("good-new")
    await introspector.close()


async def test_concurrent_requests_with_one_token_ask_intake_once() -> None:
    intake, clock = Intake(), Clock()
    intake.gate = asyncio.Event()
    introspector = introspector_for(intake, clock)
    waiting = [asyncio.create_task(introspector.caller("good")) for _ in range(20)]
    await asyncio.sleep(0.01)
    intake.gate.set()
    answers = await asyncio.gather(*waiting)
    assert len(intake.calls) == 1 and all(a == answers[0] is not None for a in answers)
    await introspector.close()


async def test_the_cache_is_bounded_and_forgets_the_oldest_answers_first() -> None:
    intake, clock = Intake(), Clock()
    introspector = introspector_for(intake, clock, max_entries=2)
    for token in ("good-a", "good-b", "good-c"):
        await introspector.caller(token)
    await introspector.caller("good-c")
    await introspector.caller("good-b")
    assert intake.calls == ["good-a", "good-b", "good-c"]  # b and c are kept
    await introspector.caller("good-a")
    assert intake.calls == ["good-a", "good-b", "good-c", "good-a"]  # a was forgotten
    await introspector.close()


async def test_intake_unavailable_is_a_503_with_retry_after_in_the_errors_shape() -> None:
    intake, clock = Intake(), Clock()
    intake.mode = "down"
    app = FastAPI()
    install_auth_errors(app)
    app.state.container = SimpleNamespace(introspector=introspector_for(intake, clock))

    @app.get("/who")
    async def who(caller: CurrentCaller) -> dict[str, str]:
        return {"role": caller.role.value}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kpi") as client:
        reply = await client.get("/who", headers={"Authorization": "Bearer good"})
    assert reply.status_code == 503 and reply.headers["Retry-After"] == "5"
    assert reply.json()["errors"][0]["code"] == "auth.unavailable"
