"""kpi and the notifier take a person's session like a token, knowing the person (the account and the
name, for the audit log); a session that must still change its initial password is refused (no
network: httpx's MockTransport)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
from fastapi import FastAPI

from bdhvs_shared.auth import Caller, Role
from bdhvs_shared.auth.introspection import TokenIntrospector
from bdhvs_shared.auth.routes import CurrentCaller, install_auth_errors

SESSION = {
    "token_id": "7b0c…",
    "role": "commune",
    "unit_code": "09313",
    "agency_code": None,
    "label": "commune:09313",
    "kind": "session",
    "username": "cb09313",
    "display_name": "Nguyễn Văn A",
    "expires_at": "2026-12-03T14:00:00Z",
    "idle_expires_at": "2026-12-03T02:30:00Z",
}


def test_a_session_is_known_by_its_person_and_a_token_by_its_role_and_subject() -> None:
    person = Caller.from_whoami({**SESSION, "must_change_password": False})
    assert person == Caller("7b0c…", Role.COMMUNE, "09313", username="cb09313", display_name="Nguyễn Văn A")
    assert person.label == "Nguyễn Văn A (cb09313)"  # not the session's id: a new one at each sign-in
    assert Caller.from_whoami({**SESSION, "display_name": "  "}).label == "cb09313"
    token = {**SESSION, "kind": "token", "username": None, "display_name": None, "unit_code": None}
    assert Caller.from_whoami({**token, "role": "operator"}).label == "operator:7b0c…"
    assert Caller.from_whoami({**SESSION, "kind": "token"}).label == "commune:09313"  # no person: a token
    named = Caller.from_whoami({**token, "role": "operator", "name": "Sở KH&CN"})
    assert named.label == "Sở KH&CN (operator:7b0c…)"
    assert Caller.from_whoami({**SESSION, "name": "x"}).name is None  # a session is its person
    assert Caller.from_whoami({**SESSION, "must_change_password": True}).must_change_password
    assert not Caller.from_whoami({**SESSION, "must_change_password": "yes"}).must_change_password


async def ask(whoami: dict[str, Any]) -> httpx.Response:
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json=whoami))
    app = FastAPI()
    install_auth_errors(app)
    app.state.container = SimpleNamespace(
        introspector=TokenIntrospector("http://intake", transport=transport)
    )

    @app.get("/who")
    async def who(caller: CurrentCaller) -> dict[str, str]:
        return {"role": caller.role.value}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kpi") as client:
        return await client.get("/who", headers={"Authorization": "Bearer bdhvss_x"})


async def test_a_session_that_must_change_its_password_is_refused() -> None:
    refused = await ask({**SESSION, "must_change_password": True})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "auth.password_change_required"
    assert (await ask({**SESSION, "must_change_password": False})).status_code == 200


async def test_a_refusal_for_the_initial_password_is_not_kept_so_a_change_counts_at_once() -> None:
    answers = [{**SESSION, "must_change_password": True}, {**SESSION, "must_change_password": False}]
    calls: list[int] = []

    def whoami(_: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, json=answers[min(len(calls), 2) - 1])

    introspector = TokenIntrospector("http://intake", 30, transport=httpx.MockTransport(whoami))
    first = await introspector.caller("bdhvss_x")
    assert first is not None and first.must_change_password
    second = await introspector.caller("bdhvss_x")  # changed meanwhile: intake is asked again
    assert second is not None and not second.must_change_password
    assert await introspector.caller("bdhvss_x") == second and len(calls) == 2  # now kept
    await introspector.close()
