"""Intake served over real HTTP on loopback, so kpi and notifier can ask it who a token belongs to."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import uvicorn

from bdhvs_local.ports import free_port
from intake.adapters.tokens import create_token
from intake.bootstrap import create_app
from intake.domain.principal import Role
from intake.settings import IntakeSettings

# A URL nothing listens on: for apps whose test never calls an authorised route.
NO_AUTH_URL = "http://127.0.0.1:9"


@dataclass(frozen=True)
class AuthServer:
    url: str
    tokens: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@contextlib.asynccontextmanager
async def auth_server(database_url: str, nats_url: str) -> AsyncIterator[AuthServer]:
    """Intake on a free port with one token per kind of caller: commune (09313), other (09292),
    operator, admin and police (an agency)."""
    app = create_app(IntakeSettings(nats_url=nats_url, database_url=database_url))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # raises what stopped it
            await asyncio.sleep(0.02)
        container = app.state.container
        async with container.sessions() as session, session.begin():
            now = container.clock.now()
            tokens = {
                "commune": await create_token(session, Role.COMMUNE, "09313", "test", now),
                "other": await create_token(session, Role.COMMUNE, "09292", "test", now),
                "operator": await create_token(session, Role.OPERATOR, None, "test", now),
                "admin": await create_token(session, Role.ADMIN, None, "test", now),
                "police": await create_token(session, Role.AGENCY, None, "test", now, "cong_an"),
            }
        yield AuthServer(f"http://127.0.0.1:{port}", tokens)
    finally:
        server.should_exit = True
        await task
