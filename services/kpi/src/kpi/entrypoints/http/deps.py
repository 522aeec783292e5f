"""What the routes take from the container, typed: `service: ServiceDep`, `sessions: SessionsDep`…

The one place that reads the container (built in the lifespan by bootstrap.py), through the shared
`from_container`.
None of these takes a query, header or body, so the OpenAPI documents do not change.
`SessionsDep` is the session factory, not an open session: a route opens one for exactly as long
as it needs it (`async with sessions() as session`), as before.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.http import from_container
from kpi.domain.projector import Projector
from kpi.service_layer.apply_report import KpiService

ServiceDep = Annotated[KpiService, Depends(from_container("service"))]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(from_container("sessions"))]


def _projector(service: ServiceDep) -> Projector:
    return service.projector  # the catalogue in force now (the follower swaps it)


ProjectorDep = Annotated[Projector, Depends(_projector)]
