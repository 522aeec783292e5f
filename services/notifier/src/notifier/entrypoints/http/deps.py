"""What the routes take from the container, typed: `sessions: SessionsDep`, `clock: ClockDep`…

The one place that reads `request.app.state.container` (built in the lifespan by bootstrap.py).
None of these takes a query, header or body, so the OpenAPI documents do not change.
`SessionsDep` is the session factory, not an open session: a route opens one for exactly as long
as it needs it (`async with sessions() as session`), as before.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.clock import Clock
from notifier.service_layer.alerts import AlertService
from notifier.service_layer.directory_admin import DirectoryAdmin


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.container.sessions
    return sessions


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.container.clock
    return clock


def _alerts(request: Request) -> AlertService:
    alerts: AlertService = request.app.state.container.alerts
    return alerts


def _directory(request: Request) -> DirectoryAdmin:
    directory: DirectoryAdmin = request.app.state.container.directory
    return directory


def _ack_secret(request: Request) -> bytes:
    secret: bytes = request.app.state.container.ack_secret
    return secret


SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]
ClockDep = Annotated[Clock, Depends(_clock)]
AlertsDep = Annotated[AlertService, Depends(_alerts)]
DirectoryDep = Annotated[DirectoryAdmin, Depends(_directory)]
AckSecretDep = Annotated[bytes, Depends(_ack_secret)]
