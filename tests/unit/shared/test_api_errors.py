"""kpi's and the notifier's errors: one shape for every refusal, never a 500 for bad input."""

from __future__ import annotations

import json
from typing import Annotated, Any

import httpx
from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict

from bdhvs_shared.api import CODE, UNIT_CODE, IsoDateTime, install_error_handlers


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    tier: int
    items: list[Any] = []


def app() -> FastAPI:
    made = FastAPI()
    install_error_handlers(made)

    @made.get("/units")
    async def units(
        unit: Annotated[str | None, Query(pattern=UNIT_CODE)] = None,
        indicator: Annotated[str | None, Query(pattern=CODE)] = None,
        text: str = "",
    ) -> dict[str, Any]:
        return {"unit": unit, "indicator": indicator, "text": text}

    @made.get("/since")
    async def since(until: Annotated[IsoDateTime | None, Query()] = None) -> dict[str, Any]:
        return {"until": until}

    @made.put("/body")
    async def body(payload: Body) -> dict[str, Any]:
        return payload.model_dump()

    @made.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    return made


async def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, url, **kwargs)


def codes(response: httpx.Response) -> list[str]:
    errors = response.json()["errors"]
    assert all(e["message"] and isinstance(e["field"], str) for e in errors), errors
    return [e["code"] for e in errors]


async def test_a_nul_or_control_character_in_any_parameter_is_refused_with_422() -> None:
    for url in ("/units?unit=%00", "/units?indicator=c%00", "/units?text=a%0Ab", "/units?%00=1", "/un%00its"):
        reply = await call("GET", url)
        assert reply.status_code == 422, url
        assert codes(reply) == ["request.control_character"]
    assert (await call("GET", "/units?unit=%00")).json()["errors"][0]["field"] == "unit"
    assert (await call("GET", "/units?text=Chi%20L%C4%83ng")).json()["text"] == "Chi Lăng"


async def test_unit_and_indicator_codes_are_checked_by_pattern() -> None:
    for good in ("unit=24", "unit=09313", "indicator=c", "indicator=ho_tro_mot_cua"):
        assert (await call("GET", f"/units?{good}")).status_code == 200, good
    for bad in ("unit=1", "unit=0931", "unit=093130", "unit=abc", "indicator=C", "indicator=a-b"):
        reply = await call("GET", f"/units?{bad}")
        assert reply.status_code == 422 and codes(reply) == ["request.string_pattern_mismatch"], bad


async def test_a_date_and_time_must_be_written_in_iso_8601() -> None:
    ok = await call("GET", "/since", params={"until": "2026-03-20T09:00:00+07:00"})
    assert ok.status_code == 200 and ok.json()["until"] == "2026-03-20T09:00:00+07:00"
    for lax in ("0.5", "1700000000", "2026-03-20T09:00:00"):  # pydantic alone reads numbers as times
        reply = await call("GET", "/since", params={"until": lax})
        assert reply.status_code == 422, lax
        assert codes(reply)[0] in ("request.datetime_iso", "request.timezone_aware"), lax


async def test_bodies_that_cannot_be_read_are_refused_in_the_errors_shape() -> None:
    nested = json.dumps({"tier": 1, "items": []}).replace("[]", "[" * 100_000 + "]" * 100_000)
    for content in (nested, "{not json"):  # json.loads raises RecursionError on the first
        reply = await call("PUT", "/body", content=content, headers={"content-type": "application/json"})
        assert reply.status_code == 422 and "detail" not in reply.json(), content[:20]
        assert codes(reply) == ["request.json_invalid"], reply.text


async def test_json_types_are_taken_as_written() -> None:
    assert (await call("PUT", "/body", json={"tier": 2})).status_code == 200
    for lax in ({"tier": "2"}, {"tier": 2.0}, {"tier": True}):
        reply = await call("PUT", "/body", json=lax)
        assert reply.status_code == 422 and codes(reply) == ["request.int_type"], lax


async def test_unknown_paths_methods_and_bugs_answer_in_the_errors_shape() -> None:
    missing = await call("GET", "/nowhere")
    assert missing.status_code == 404 and codes(missing) == ["http.not_found"]
    method = await call("DELETE", "/units")
    assert method.status_code == 405 and codes(method) == ["http.method_not_allowed"]
    assert method.headers["allow"] == "GET"
    bug = await call("GET", "/boom")
    assert bug.status_code == 500 and codes(bug) == ["internal"]
