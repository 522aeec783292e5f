"""What the routes take from the container, typed: `service: ServiceDep`, `sessions: SessionsDep`…

The one place that reads `request.app.state.container` (built in the lifespan by bootstrap.py).
None of these takes a query, header or body, so the OpenAPI documents do not change.
`SessionsDep` is the session factory, not an open session: a route opens one for exactly as long
as it needs it (`async with sessions() as session`), as before.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kpi.domain.projector import Projector
from kpi.service_layer.apply_report import KpiService


def _service(request: Request) -> KpiService:
    service: KpiService = request.app.state.container.service
    return service


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.container.sessions
    return sessions


def _projector(service: Annotated[KpiService, Depends(_service)]) -> Projector:
    return service.projector  # the catalogue in force now (the follower swaps it)


ServiceDep = Annotated[KpiService, Depends(_service)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]
ProjectorDep = Annotated[Projector, Depends(_projector)]
