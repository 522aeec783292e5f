"""kpi and the notifier take a person's session like a token: whoami's added fields are ignored, and a
session that must still change its initial password is refused (no network: httpx's MockTransport)."""

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


def test_whoamis_session_fields_are_ignored_but_the_password_change() -> None:
    assert Caller.from_whoami({**SESSION, "must_change_password": False}) == Caller(
        "7b0c…", Role.COMMUNE, "09313"
    )
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
