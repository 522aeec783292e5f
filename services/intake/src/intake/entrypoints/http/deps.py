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

from bdhvs_shared.clock import Clock
from bdhvs_shared.http import from_container
from intake.adapters.isolation import FileReader
from intake.service_layer.account_admin import AccountAdmin
from intake.service_layer.account_sessions import AccountSessions
from intake.service_layer.catalogue_admin import CatalogueAdmin
from intake.service_layer.principals import PrincipalCache
from intake.service_layer.submit_report import IntakeService
from intake.settings import IntakeSettings

ServiceDep = Annotated[IntakeService, Depends(from_container("service"))]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(from_container("sessions"))]
SettingsDep = Annotated[IntakeSettings, Depends(from_container("settings"))]
ClockDep = Annotated[Clock, Depends(from_container("clock"))]
CatalogueAdminDep = Annotated[CatalogueAdmin, Depends(from_container("catalogue_admin"))]
FileReaderDep = Annotated[FileReader, Depends(from_container("file_reader"))]
AccountSessionsDep = Annotated[AccountSessions, Depends(from_container("account_sessions"))]
AccountAdminDep = Annotated[AccountAdmin, Depends(from_container("account_admin"))]
PrincipalCacheDep = Annotated[PrincipalCache, Depends(from_container("principals"))]
