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

from bdhvs_shared.clock import Clock
from intake.adapters.isolation import FileReader
from intake.service_layer.catalogue_admin import CatalogueAdmin
from intake.service_layer.submit_report import IntakeService
from intake.settings import IntakeSettings


def _service(request: Request) -> IntakeService:
    service: IntakeService = request.app.state.container.service
    return service


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.container.sessions
    return sessions


def _settings(request: Request) -> IntakeSettings:
    settings: IntakeSettings = request.app.state.container.settings
    return settings


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.container.clock
    return clock


def _catalogue_admin(request: Request) -> CatalogueAdmin:
    admin: CatalogueAdmin = request.app.state.container.catalogue_admin
    return admin


def _file_reader(request: Request) -> FileReader:
    reader: FileReader = request.app.state.container.file_reader
    return reader


ServiceDep = Annotated[IntakeService, Depends(_service)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]
SettingsDep = Annotated[IntakeSettings, Depends(_settings)]
ClockDep = Annotated[Clock, Depends(_clock)]
CatalogueAdminDep = Annotated[CatalogueAdmin, Depends(_catalogue_admin)]
FileReaderDep = Annotated[FileReader, Depends(_file_reader)]
